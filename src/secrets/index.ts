export { isSecretName, passwordOfUrl, SecretSet } from './redact';
