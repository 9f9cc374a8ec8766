import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadEnv } from '@manifold/platform/config';
import { silentLogger } from '@manifold/platform/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { legacyAdapterCredential, WebhooksEnv } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'webhooks-config-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const secretFile = join(dir, 'webhooks-replay');
writeFileSync(secretFile, 'client-secret\n');
const credential = (variables: Record<string, string>) =>
  legacyAdapterCredential(loadEnv(WebhooksEnv, variables), silentLogger('webhooks'));
const problems = (variables: Record<string, string>) => {
  try {
    credential(variables);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('no ConfigError');
};

describe("the replay's credential at the legacy adapter", () => {
  it('is none, an API key, or client credentials (the `webhooks-replay` client by default)', () => {
    expect(credential({})).toBeUndefined();
    const key = credential({ WEBHOOKS_LEGACY_ADAPTER_API_KEY: 'mfk_key' });
    expect(key && 'apiKey' in key && key.apiKey.value()).toBe('mfk_key');
    const bearer = credential({
      WEBHOOKS_LEGACY_ADAPTER_TOKEN_URL: 'http://127.0.0.1:8090/token',
      WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET_FILE: secretFile,
    });
    expect(bearer && 'bearer' in bearer).toBe(true);
    expect(loadEnv(WebhooksEnv, {}).WEBHOOKS_LEGACY_ADAPTER_CLIENT_ID).toBe('webhooks-replay');
  });

  it('refuses both an API key and a client secret, and a client secret without its token URL', () => {
    expect(
      problems({
        WEBHOOKS_LEGACY_ADAPTER_API_KEY: 'mfk_key',
        WEBHOOKS_LEGACY_ADAPTER_TOKEN_URL: 'http://127.0.0.1:8090/token',
        WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET_FILE: secretFile,
      }),
    ).toEqual([
      'WEBHOOKS_LEGACY_ADAPTER_API_KEY and WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET: one credential for the legacy adapter, not both',
    ]);
    expect(problems({ WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET: 'client-secret' })).toEqual([
      expect.stringMatching(/^WEBHOOKS_LEGACY_ADAPTER_TOKEN_URL: required with /) as unknown,
    ]);
  });
});
