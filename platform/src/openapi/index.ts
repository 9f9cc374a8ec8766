export { docsRoutes } from './docs.ts';
export {
  createSchemaValidator,
  type JsonSchema,
  type SchemaValidator,
} from './schema-validator.ts';
