export { ApplyOutcome, OperationApplier, resultOfError, type ApplyResult, type OperationApplierOptions, type Ship } from "./applier";
export { WriteBackConsumer, type WriteBackConsumerOptions, type WriteBackStats } from "./consumer";
export { createOperationSource } from "./create";
export { IngestOperationSource, type IngestOperationSourceOptions } from "./ingest-source";
