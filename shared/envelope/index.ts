export { EnvelopeTooLargeError, InvalidEnvelopeError } from "./errors";
export {
  envelopeSchema,
  EnvelopeType,
  kubeObjectSchema,
  makeEnvelope,
  messageDeduplicationId,
  messageGroupId,
  parseEnvelope,
  validateEnvelope,
  type Envelope,
  type KubeObject,
} from "./envelope";
export { FitLevel, fitEnvelope, type FittedEnvelope } from "./fit";
export {
  clusterNameProblem,
  describePath,
  ENVELOPE_LIMITS,
  findTooDeep,
  sqsIdProblem,
  type LimitProblem,
} from "./limits";
export {
  SIGNATURE_TOLERANCE_SECONDS,
  SignatureFailure,
  SignatureHeader,
  signBody,
  verifySignature,
  type SignatureVerdict,
  type VerifyOptions,
} from "./signature";
export { DROPPED_ANNOTATIONS, IDENTITY_METADATA, SlimLimit, slimObject, VERSION_METADATA } from "./slim";
export { chunkBySize, envelopeBody, keepBody, SQS_LIMITS, type EnvelopeBody, type Sized } from "./sqs";
