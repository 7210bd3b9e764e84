export { InvalidEnvelopeError } from "./errors";
export {
  EnvelopeSchema,
  EnvelopeType,
  KubeObjectSchema,
  makeEnvelope,
  messageDeduplicationId,
  messageGroupId,
  parseEnvelope,
  validateEnvelope,
  type Envelope,
  type KubeObject,
} from "./envelope";
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
