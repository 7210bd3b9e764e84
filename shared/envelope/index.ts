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
