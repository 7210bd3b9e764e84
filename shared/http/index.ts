export { parseRetryAfter, retryAfterMs } from "./retry-after";
