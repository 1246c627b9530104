/**
 * The `.env` file compose interpolates with: read it as compose does (`parseEnvFile`), and change it
 * line by line without disturbing the rest (`editEnvFile`).
 */
export { type EnvEdit, EnvEditSchema, EnvNameSchema, editEnvFile } from './edit-env-file';
export { type EnvQuote, quoteEnvValue } from './env-quote';
export {
  type EnvBlankLine,
  type EnvCommentLine,
  type EnvEntryLine,
  type EnvInheritLine,
  type EnvLine,
  type ParsedEnvFile,
  type ParseEnvFileOptions,
  parseEnvFile,
  renderEnvFile,
} from './parse-env-file';
