import { describe, expect, it } from 'vitest';
import { type ConfigError } from '../config/index.ts';
import { AccessFile, compileAccessFile } from './access-file.ts';
import { generateApiKey } from './api-keys.ts';

const file = (clients: unknown, extra: Record<string, unknown> = {}) =>
  AccessFile.parse({
    tiers: { free: {}, partner: { requestsPerMinute: 600 } },
    defaultTier: 'free',
    clients,
    ...extra,
  });

describe('the access file', () => {
  it('indexes keys by id, each with its client, scopes (the client’s by default) and dates', () => {
    const [a, b] = [generateApiKey(), generateApiKey()];
    const policy = compileAccessFile(
      file({
        partner: {
          tier: 'partner',
          scopes: ['customers:read', 'tickets:write'],
          keys: [
            { id: a.id, hash: a.hash },
            {
              id: b.id,
              hash: b.hash,
              scopes: ['customers:read'],
              expiresAt: '2030-01-01T00:00:00Z',
            },
          ],
        },
      }),
    );
    expect(policy.tiers['partner']).toEqual({ requestsPerMinute: 600 });
    expect(policy.keys.get(a.id)?.client.id).toBe('partner');
    expect([...(policy.keys.get(a.id)?.scopes ?? [])]).toEqual(['customers:read', 'tickets:write']);
    expect([...(policy.keys.get(b.id)?.scopes ?? [])]).toEqual(['customers:read']);
    expect(policy.keys.get(b.id)?.expiresAt).toBe(Date.parse('2030-01-01T00:00:00Z'));
  });

  it('refuses what would be unsafe or dangling: every problem at once', () => {
    const key = generateApiKey();
    let problems: readonly string[] = [];
    try {
      compileAccessFile(
        file(
          {
            a: {
              tier: 'gold',
              scopes: ['x:read'],
              keys: [{ id: key.id, hash: key.hash, scopes: ['admin'] }],
            },
            b: { tier: 'free', keys: [{ id: key.id, hash: key.hash }] },
          },
          { defaultTier: 'none' },
        ),
      );
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      'defaultTier: no tier "none" in tiers',
      'clients.a.tier: no tier "gold" in tiers',
      'clients.a.keys.0.scopes: not scopes of client a: admin',
      `clients.b.keys.0.id: another key already has id ${key.id}`,
    ]);
  });

  it('stores hashes only, and tier limits as objects', () => {
    const { id, key } = generateApiKey();
    expect(
      AccessFile.safeParse({
        tiers: { free: {} },
        defaultTier: 'free',
        clients: { a: { tier: 'free', keys: [{ id, hash: key }] } },
      }).success,
    ).toBe(false);
    expect(AccessFile.safeParse({ tiers: { free: 100 }, defaultTier: 'free' }).success).toBe(false);
  });
});
