export { InvalidSecretReferenceError, SecretError, SecretNotFoundError, SecretUnavailableError } from "./errors";
export {
  isSecretReference,
  parseSecretReference,
  REFERENCE_FORMS,
  secretReference,
  SecretSource,
  type SecretReference,
} from "./reference";
export type { SecretsKube } from "./kube-secret";
export { resolveSecret, type ResolveSecretOptions } from "./resolve";
