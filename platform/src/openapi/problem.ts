import { Problem } from '../contracts/problem.ts';

export { Problem };

/** An OpenAPI response whose body is a problem. */
export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: Problem } },
});
