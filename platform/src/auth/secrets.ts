import { readFileSync, statSync } from 'node:fs';
import { inspect } from 'node:util';
import { ConfigError } from '../config/index.ts';

/**
 * A credential the process holds (a client secret, a signing key). Its value is read when needed
 * — a `*_FILE` is re-read when it changes, so a rotated container secret takes effect without a
 * restart — and it never prints: logging, JSON and string conversion all show `[redacted]`.
 */
export class Secret {
  readonly #read: () => string;
  /** Where the value comes from (`NAME` or `NAME_FILE=/path`), for messages; never the value. */
  readonly source: string;

  constructor(read: () => string, source: string) {
    this.#read = read;
    this.source = source;
  }

  /** The current value (re-read from its file when the file changed). */
  value(): string {
    return this.#read();
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return `Secret(${this.source})`;
  }
}

export interface SecretFileOptions {
  /** How often a read may look at the file's mtime, at most. @default 1000 (1 s) */
  checkIntervalMs?: number;
}

/** A secret kept in a file (a mounted container secret); trailing newlines are not part of it. */
export function secretFromFile(
  path: string,
  { checkIntervalMs = 1_000 }: SecretFileOptions = {},
): Secret {
  const load = () => {
    const value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    if (value === '') throw new Error(`secret file ${path} is empty`);
    return value;
  };
  const version = () => {
    const stats = statSync(path);
    return `${stats.mtimeMs}:${stats.size}:${stats.ino}`;
  };
  let current = load();
  let seen = version();
  let checkedAt = Date.now();
  return new Secret(() => {
    const now = Date.now();
    if (now - checkedAt < checkIntervalMs) return current;
    checkedAt = now;
    try {
      const latest = version();
      if (latest !== seen) {
        current = load();
        seen = latest;
      }
    } catch {
      // Mid-rotation (the file briefly missing or empty): keep the last good value.
    }
    return current;
  }, `file ${path}`);
}

/**
 * `NAME` or `NAME_FILE` from `env` (exactly one of them), or undefined when neither is set.
 * Read only from a service's config loading (main.ts); the file must exist at start-up.
 */
export function secretFromEnv(
  env: Readonly<Record<string, unknown>>,
  name: string,
  options: SecretFileOptions = {},
): Secret | undefined {
  const text = (key: string) => (typeof env[key] === 'string' ? env[key] : undefined);
  const direct = text(name);
  const file = text(`${name}_FILE`);
  if (direct && file) throw new ConfigError([`${name}: set ${name} or ${name}_FILE, not both`]);
  if (file) {
    try {
      return secretFromFile(file, options);
    } catch (error) {
      throw new ConfigError([`${name}_FILE: cannot read ${file}: ${(error as Error).message}`]);
    }
  }
  return direct ? new Secret(() => direct, name) : undefined;
}

/**
 * The secrets of several variables — one credential listed under a new and an old name during a
 * rotation — in the order given, leaving out those not set.
 */
export function secretsFromEnv(
  env: Readonly<Record<string, unknown>>,
  names: readonly string[],
): Secret[] {
  return names
    .map((name) => secretFromEnv(env, name))
    .filter((secret): secret is Secret => secret !== undefined);
}
