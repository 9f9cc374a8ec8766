import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../config/index.ts';
import { secretFromEnv, secretsFromEnv } from './secrets.ts';

describe('secrets', () => {
  it('never print: JSON, strings and inspection show no value', () => {
    const secret = secretFromEnv({ API_SECRET: 'hunter2-hunter2' }, 'API_SECRET')!;
    expect(secret.value()).toBe('hunter2-hunter2');
    for (const shown of [JSON.stringify({ secret }), String(secret), inspect(secret)])
      expect(shown).not.toContain('hunter2');
  });

  it('re-reads a *_FILE when it changes (rotation without a restart), keeping the last good value mid-rotation', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'secret-')), 'client-secret');
    writeFileSync(path, 'first\n');
    const secret = secretFromEnv({ CLIENT_SECRET_FILE: path }, 'CLIENT_SECRET', {
      checkIntervalMs: 0,
    })!;
    expect(secret.value()).toBe('first');
    writeFileSync(`${path}.new`, 'second-and-longer\n');
    renameSync(`${path}.new`, path);
    await vi.waitFor(() => {
      expect(secret.value()).toBe('second-and-longer');
    });
    writeFileSync(path, '');
    expect(secret.value()).toBe('second-and-longer');
  });

  it('reads a rotation list in its order, leaving out the variables not set', () => {
    const secrets = secretsFromEnv({ NEW_SECRET: 'new', OLD_SECRET: 'old' }, [
      'NEW_SECRET',
      'UNSET_SECRET',
      'OLD_SECRET',
    ]);
    expect(secrets.map((secret) => secret.value())).toEqual(['new', 'old']);
    expect(secretsFromEnv({}, ['UNSET_SECRET'])).toEqual([]);
  });

  it('is absent when neither variable is set, and a configuration error when both are', () => {
    expect(secretFromEnv({}, 'X')).toBeUndefined();
    expect(() => secretFromEnv({ X: 'a', X_FILE: '/tmp/x' }, 'X')).toThrow(ConfigError);
    expect(() => secretFromEnv({ X_FILE: '/no/such/file' }, 'X')).toThrow(ConfigError);
  });
});
