import { consoleReceiverFactory } from "./console";
import { registerReceiver } from "./registry";

registerReceiver("console", consoleReceiverFactory);

export { ConsoleReceiver, stageTable } from "./console";
export { DuplicateReceiverTypeError, PermanentReceiverError, ReceiverError } from "./errors";
export {
  createReceivers,
  registerReceiver,
  registeredReceiverTypes,
  type ConfiguredReceiver,
  type ReceiverFactory,
} from "./registry";
export {
  LifecycleEvent,
  type Receiver,
  type ReceiverContext,
  type ReceiverStore,
  type ServiceContext,
} from "./types";
