import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): string {
  if (typeof value !== 'string' || !ISO_8601.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError(
      'DateTime must be an ISO 8601 date-time with a zone, e.g. 2026-01-31T12:00:00Z',
      {
        extensions: { code: 'BAD_USER_INPUT' },
      },
    );
  }
  return new Date(value).toISOString();
}

/** `DateTime`: ISO 8601, always serialized in UTC (`…Z`). */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An ISO 8601 date-time, serialized in UTC.',
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'string' || typeof value === 'number')
      return new Date(value).toISOString();
    throw new GraphQLError('DateTime cannot represent this value');
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING)
      throw new GraphQLError('DateTime must be a string', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    return parseDateTime(ast.value);
  },
});
