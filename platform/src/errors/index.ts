export { ErrorCode, errorCatalog, isErrorCode, type ErrorCatalogEntry } from './codes.ts';
export { AppError, isAppError, type AppErrorOptions, type FieldError } from './AppError.ts';
export { UpstreamError, isUpstreamError, type UpstreamErrorOptions } from './UpstreamError.ts';
export { networkErrorCode, isTimeoutCode } from './network.ts';
export {
  normalizeError,
  upstreamAnswerError,
  type NormalizeOptions,
  type UpstreamAnswer,
} from './normalize.ts';
export {
  toProblem,
  problemHeaders,
  problemMiddleware,
  notFoundMiddleware,
  PROBLEM_CONTENT_TYPE,
  type ProblemDetails,
} from './problem.ts';
export { toGraphQLError, createFormatError } from './graphql.ts';
export { zodFieldErrors, parseInput } from './zod.ts';
