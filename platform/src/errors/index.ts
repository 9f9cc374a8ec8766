export { ErrorCode, errorCatalog, isErrorCode, type ErrorCatalogEntry } from './codes.ts';
export { AppError, isAppError, type AppErrorOptions, type FieldError } from './AppError.ts';
export {
  toProblem,
  problemMiddleware,
  notFoundMiddleware,
  PROBLEM_CONTENT_TYPE,
  type ProblemDetails,
} from './problem.ts';
export { toGraphQLError, createFormatError } from './graphql.ts';
export { zodFieldErrors, parseInput } from './zod.ts';
