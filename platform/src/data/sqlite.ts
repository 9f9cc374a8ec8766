import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';

type Row = Record<string, SQLInputValue>;

/**
 * A thin layer over node:sqlite: prepared statements cached by SQL text, transactions, and a
 * count of executed statements (the N+1 tests read it to prove batching).
 */
export class SqliteDatabase {
  readonly raw: DatabaseSync;
  /** Statements executed since open (or since the last reset). */
  statementCount = 0;
  readonly #statements = new Map<string, StatementSync>();

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.raw = new DatabaseSync(path);
    // WAL lets the seeding process and readers coexist; NORMAL sync is safe with WAL. A writer
    // that finds the database locked by another process waits up to 5 s instead of failing.
    this.raw.exec(
      'PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;',
    );
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.raw.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  all<T = Row>(sql: string, ...params: SQLInputValue[]): T[] {
    this.statementCount++;
    return this.#prepare(sql).all(...params) as T[];
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- callers name the row shape; SQLite cannot know it
  get<T = Row>(sql: string, ...params: SQLInputValue[]): T | undefined {
    this.statementCount++;
    return this.#prepare(sql).get(...params) as T | undefined;
  }

  run(sql: string, ...params: SQLInputValue[]): { changes: number; lastInsertRowid: number } {
    this.statementCount++;
    const result = this.#prepare(sql).run(...params);
    return { changes: Number(result.changes), lastInsertRowid: Number(result.lastInsertRowid) };
  }

  exec(sql: string): void {
    this.raw.exec(sql);
  }

  /** Runs `work` in one IMMEDIATE transaction (a writer lock taken up front, no upgrade deadlocks). */
  transaction<T>(work: () => T): T {
    this.raw.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.raw.exec('COMMIT');
      return result;
    } catch (error) {
      this.raw.exec('ROLLBACK');
      throw error;
    }
  }

  close(): void {
    if (this.raw.isOpen) this.raw.close();
  }
}

/** Binds a list to one parameter: `WHERE id IN (SELECT value FROM json_each(?))`. */
export function jsonList(values: readonly (string | number)[]): string {
  return JSON.stringify(values);
}
