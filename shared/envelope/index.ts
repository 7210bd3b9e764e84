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
  SIGNATURE_TOLERANCE_SECONDS,
  SignatureFailure,
  SignatureHeader,
  signBody,
  verifySignature,
  type SignatureVerdict,
  type VerifyOptions,
} from "./signature";
