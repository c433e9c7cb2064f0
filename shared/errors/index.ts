export { ERROR_CODES, type ErrorCode, type ErrorScope, type ErrorSpec } from './codes.ts';
export { FerryError, isFerryError, describeError, type ErrorDetails } from './ferry-error.ts';
export { errorsMarkdown } from './markdown.ts';
