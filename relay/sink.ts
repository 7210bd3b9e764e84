/** The sinks live in sinks/; this module keeps the relay's original import path working. */
export { SqsSink, type SendReport, type Sink, type SqsSinkOptions } from "./sinks";
