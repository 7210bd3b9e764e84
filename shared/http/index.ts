export { classifyHttp, headerOf, type HttpAnswer, type HttpClassification, type HttpHeaders } from "./classify";
export { parseRetryAfter, retryAfterMs } from "./retry-after";
