export { docsRoutes } from './docs.ts';
export {
  createSchemaValidator,
  type JsonSchema,
  type SchemaValidator,
} from './schema-validator.ts';
export { Problem, problemResponse } from './problem.ts';
