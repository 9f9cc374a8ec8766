import { DeadLetterAttempt } from '@manifold/platform/contracts';

// One attempt's shape is the dead-letter API's (platform/src/contracts/webhooks-api.ts): what
// the worker logs is what the API and the console show.

/** Attempts from a job's log lines (one JSON object each); lines that are not attempts are skipped. */
export function attemptsFromLogs(lines: readonly string[]): DeadLetterAttempt[] {
  return lines.flatMap((line) => {
    try {
      const parsed = DeadLetterAttempt.safeParse(JSON.parse(line));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}
