import { describe, expect, it } from 'vitest';
import { apiKeyId, apiKeyMatches, generateApiKey, hashApiKey } from './api-keys.ts';

describe('API keys', () => {
  it('are recognisable, carry their id, and match only their own hash', () => {
    const { id, key, hash } = generateApiKey();
    expect(key.startsWith(`mfk_${id}_`)).toBe(true);
    expect(apiKeyId(key)).toBe(id);
    expect(apiKeyMatches(key, hash)).toBe(true);
    expect(hash).not.toContain(key.slice(21));
    const other = generateApiKey();
    expect(apiKeyMatches(other.key, hash)).toBe(false);
    expect(apiKeyMatches(key, other.hash)).toBe(false);
  });

  it('rejects anything not shaped like a key, and hashes of another kind', () => {
    const { key } = generateApiKey();
    for (const text of ['', 'mfk_', `${key}x`, key.replace('mfk_', 'abc_'), 'Bearer x'])
      expect(apiKeyId(text)).toBeUndefined();
    expect(apiKeyMatches(key, hashApiKey(key).replace('sha256:', 'md5:'))).toBe(false);
    expect(apiKeyMatches(key, 'sha256:short')).toBe(false);
  });
});
