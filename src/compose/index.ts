export type { ComposeProjectFiles } from './compose-cli';
export { CONFIG_HASH_LABEL, composeConfigHash } from './config-hash';
export {
  type EnvBlankLine,
  type EnvCommentLine,
  type EnvEdit,
  EnvEditSchema,
  type EnvEntryLine,
  type EnvInheritLine,
  type EnvLine,
  EnvNameSchema,
  type EnvQuote,
  editEnvFile,
  type ParsedEnvFile,
  type ParseEnvFileOptions,
  parseEnvFile,
  quoteEnvValue,
  renderEnvFile,
} from './env-file';
export { GoFloat32, type GoValue } from './go-json';
export {
  type ImageLocation,
  ImageLocationSchema,
  type LocatedImage,
  LocatedImageSchema,
} from './image-location';
export {
  digestOf,
  formatImageReference,
  type ImageReference,
  ImageReferenceSchema,
  isImageReference,
  parseImageReference,
  repositoryOf,
  tagOf,
  withDigest,
  withTag,
} from './image-reference';
export {
  type EnvInput,
  type InterpolateOptions,
  type InterpolationOperator,
  interpolate,
  type Lookup,
  lookupIn,
  parseTemplate,
  type TemplatePart,
} from './interpolate';
export { loadServiceModel } from './load-service-model';
export { type ComposeFile, locateImage, locateImageInFiles, PUBLISHED_ENGRAM_IMAGE } from './locate-image';
export {
  type FileEdit,
  FileEditSchema,
  type PinImageInput,
  type PinImageResult,
  pinImage,
} from './pin-image';
export type { ServiceModel, ServiceModelResult } from './service-model';
