import { consoleReceiverFactory } from "./console";
import { discordReceiverFactory } from "./discord";
import { emailReceiverFactory } from "./email";
import { eventBridgeReceiverFactory } from "./eventbridge";
import { googleChatReceiverFactory } from "./googlechat";
import { matrixReceiverFactory } from "./matrix";
import { opsgenieReceiverFactory } from "./opsgenie";
import { pagerDutyReceiverFactory } from "./pagerduty";
import { registerReceiver } from "./registry";
import { scmReceiverFactory } from "./scm";
import { slackReceiverFactory } from "./slack";
import { snsReceiverFactory } from "./sns";
import { teamsReceiverFactory } from "./teams";
import { telegramReceiverFactory } from "./telegram";
import { webhookReceiverFactory } from "./webhook";

registerReceiver("console", consoleReceiverFactory);
registerReceiver("webhook", webhookReceiverFactory);
registerReceiver("slack", slackReceiverFactory);
registerReceiver("teams", teamsReceiverFactory);
registerReceiver("matrix", matrixReceiverFactory);
registerReceiver("discord", discordReceiverFactory);
registerReceiver("eventbridge", eventBridgeReceiverFactory);
registerReceiver("sns", snsReceiverFactory);
registerReceiver("email", emailReceiverFactory);
registerReceiver("scm", scmReceiverFactory);
registerReceiver("pagerduty", pagerDutyReceiverFactory);
registerReceiver("opsgenie", opsgenieReceiverFactory);
registerReceiver("googlechat", googleChatReceiverFactory);
registerReceiver("telegram", telegramReceiverFactory);

export { ConsoleReceiver, stageTable } from "./console";
export { DiscordReceiver, discordMessage } from "./discord";
export { DuplicateReceiverTypeError, PermanentReceiverError, ReceiverError, ReceiverThrottledError, ReceiverUnavailableError } from "./errors";
export { CHAT_RATE_DEFAULTS, RateWindow, type RateLimit } from "./rate-window";
export { IsolatedReceiver, REINITIALIZE_AFTER_MS, startReceivers, type ReceiverStartFailure } from "./startup";
export { MatrixReceiver, matrixMessage } from "./matrix";
export {
  createReceivers,
  registerReceiver,
  registeredReceiverTypes,
  type ReceiverFactory,
} from "./registry";
export { ScmReceiver } from "./scm";
export { commentBody, commentMarker } from "./scm-comment";
export { ScmOptions } from "./scm-options";
export { pipelineToCommitStatus, stableRunName, statusDescription, statusName, statusTargetOf, stageTableMarkdown } from "./scm-status";
export { SlackReceiver, slackMessage } from "./slack";
export { TeamsReceiver, teamsMessage } from "./teams";
export {
  LifecycleEvent,
  type ConfiguredReceiver,
  type Receiver,
  type ReceiverContext,
  type ReceiverStore,
  type ServiceContext,
} from "../pipeline/receiver";
export { deliveryId, PostingReceiver, signatureOf, WebhookReceiver } from "./webhook";
