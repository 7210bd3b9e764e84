export { InvalidOperationError, OperationsQueueMissingError } from "./errors";
export {
  describeOperation,
  makeOperation,
  OperationKind,
  operationSchema,
  operationGroupId,
  operationId,
  parseOperation,
  serializeOperation,
  validateOperation,
  type Operation,
  type OperationRequest,
  type PatchStatusOperation,
  type RelistOperation,
  type ResendGitRepoOperation,
} from "./operation";
export { SqsOperationSender, type OperationSender } from "./queue";
export { OperationsSetting, operationsQueueUrls } from "./settings";
export type { OperationSource, ReceivedOperation, Settlement } from "./source";
export { MAX_MESSAGES, MAX_WAIT_SECONDS, SqsOperationSource } from "./sqs-source";
