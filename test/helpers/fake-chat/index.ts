export { FakeAwsParameters } from "./aws-parameters";
export { FakeDiscord } from "./discord";
export { FakeGoogleChat, type GoogleChatMessage } from "./googlechat";
export { FakeMatrix, type MatrixMessage } from "./matrix";
export { pipelineInfo, receiverContext, runLifecycle, serviceContext, startReceiver } from "./pipeline";
export { FakeHttpServer, type Answer, type RecordedRequest } from "./server";
export { FakeSlack } from "./slack";
export { FakeTeams } from "./teams";
export { FakeWebhook } from "./webhook";
