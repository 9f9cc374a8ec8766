import { ATTEMPT_RESPONSE_CHARS, DeadLetterAttempt } from '@manifold/platform/contracts';

// One attempt's shape is the dead-letter API's (platform/src/contracts/webhooks-api.ts): what
// the worker logs is what the API and the console show.
export const Attempt = DeadLetterAttempt;
export type Attempt = DeadLetterAttempt;

export const RESPONSE_EXCERPT_CHARS = ATTEMPT_RESPONSE_CHARS;

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
