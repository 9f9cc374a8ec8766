import { z } from 'zod';

/** One delivery attempt as the dead-letter history shows it. */
export const Attempt = z.object({
  attempt: z.number().int().positive(),
  /** When it started, ISO 8601 UTC. */
  at: z.string(),
  /** The destination's HTTP status; absent when no answer came (network error, timeout). */
  status: z.number().int().optional(),
  latencyMs: z.number(),
  /** Why it failed; absent when it succeeded. */
  error: z.string().optional(),
  /** The start of the destination's answer (at most 500 characters). */
  response: z.string().optional(),
});
export type Attempt = z.infer<typeof Attempt>;

export const RESPONSE_EXCERPT_CHARS = 500;

/** Attempts from a job's log lines (one JSON object each); lines that are not attempts are skipped. */
export function attemptsFromLogs(lines: readonly string[]): Attempt[] {
  return lines.flatMap((line) => {
    try {
      const parsed = Attempt.safeParse(JSON.parse(line));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}
