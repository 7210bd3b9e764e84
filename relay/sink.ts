/** The sinks live in sinks/; this module keeps the relay's original import path working. */
export { SqsSink, SQS_BATCH_LIMIT, SQS_MESSAGE_LIMIT, type SendReport, type Sink, type SqsSinkOptions } from "./sinks";
