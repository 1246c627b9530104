export { secretFingerprint } from './fingerprint';
export { isSecretName, passwordOfUrl, SecretSet } from './redact';
export { tailOf } from './tail-of';
