import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';

/** What came back for one generated input. */
export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** Inputs that once broke an invariant: the CI suite replays every one of them first. */
export const CORPUS_DIR = fileURLToPath(new URL('./corpus/', import.meta.url));

// What must never reach a client: a stack frame, a path on our disk, a module's location.
const LEAKS = [/\n\s+at .+\(/, /\/work\//, /node_modules/, /file:\/\//, /\.ts:\d+/];

/** The invariants every edge keeps, whatever it was sent: why this answer breaks them, if it does. */
export function invariantViolations(answer: Answer): string[] {
  return [...(answer.status >= 500 ? [`status ${answer.status}`] : []), ...bodyViolations(answer)];
}

/** What no answer may be, whatever its status: JSON that is not, or a leak of our internals. */
export function bodyViolations(answer: Answer): string[] {
  const problems: string[] = [];
  if (/json/.test(answer.contentType) && answer.body !== '') {
    try {
      JSON.parse(answer.body);
    } catch {
      problems.push(`a ${answer.contentType} body that is not JSON`);
    }
  }
  for (const leak of LEAKS)
    if (leak.test(answer.body)) problems.push(`the body leaks internals (${String(leak)})`);
  return problems;
}

export interface FuzzOptions<T> {
  /** The edge, as the corpus folder and the report name it (`gateway`, `legacy-rest-adapter` …). */
  edge: string;
  arbitrary: fc.Arbitrary<T>;
  send: (input: T) => Promise<Answer>;
  /** Stop after this many inputs (CI) … */
  numRuns?: number;
  /** … or after this long (`npm run fuzz -- --minutes N`). */
  durationMs?: number;
  /** @default FUZZ_SEED, else a fresh one (always printed) */
  seed?: number;
  /** Keep a failing input in the corpus (the long run does; CI only replays). @default false */
  recordFailures?: boolean;
  /** Why an answer breaks the edge's invariants. @default invariantViolations */
  check?: (input: T, answer: Answer) => string[];
}

export interface FuzzReport {
  edge: string;
  tried: number;
  seed: number;
  /** How many answers had each status (shrinking's inputs included): what the inputs reached. */
  statuses: Record<string, number>;
}

const corpusOf = (edge: string) => join(CORPUS_DIR, edge);

/** Every input the corpus holds for `edge`, to be replayed before anything new is generated. */
function replayable<T>(edge: string): [T][] {
  let files: string[];
  try {
    files = readdirSync(corpusOf(edge)).filter((file) => file.endsWith('.json'));
  } catch {
    return [];
  }
  return files.map((file) => [JSON.parse(readFileSync(join(corpusOf(edge), file), 'utf8')) as T]);
}

/**
 * Sends generated inputs to an edge and checks the invariants on every answer: the corpus first,
 * then fresh inputs from a seed that is printed, so any failure can be replayed exactly.
 */
export async function fuzz<T>({
  edge,
  arbitrary,
  send,
  numRuns = 100,
  durationMs,
  seed = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31)),
  recordFailures = false,
  check = (_input, answer) => invariantViolations(answer),
}: FuzzOptions<T>): Promise<FuzzReport> {
  const examples = replayable<T>(edge);
  const statuses: Record<string, number> = {};
  const property = fc.asyncProperty(arbitrary, async (input) => {
    const answer = await send(input);
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    const problems = check(input, answer);
    if (problems.length > 0) throw new Error(problems.join('; '));
  });
  const details = await fc.check(property, {
    seed,
    examples,
    ...(durationMs === undefined
      ? { numRuns: numRuns + examples.length }
      : {
          numRuns: Number.MAX_SAFE_INTEGER,
          interruptAfterTimeLimit: durationMs,
          markInterruptAsFailure: false,
        }),
  });
  if (details.failed) {
    if (recordFailures && details.counterexample) {
      mkdirSync(corpusOf(edge), { recursive: true });
      const file = join(corpusOf(edge), `seed-${String(seed)}-${String(Date.now())}.json`);
      writeFileSync(file, `${JSON.stringify(details.counterexample[0], null, 2)}\n`);
    }
    const why = details.errorInstance instanceof Error ? details.errorInstance.message : '';
    throw new Error(
      `fuzz ${edge} (seed ${String(seed)}): ${why}\n${fc.defaultReportMessage(details) ?? 'failed'}`,
    );
  }
  return { edge, tried: details.numRuns, seed, statuses };
}

/** Resident memory of a process, in MiB (Linux). */
export function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}
