import { describe, expect, it } from 'vitest';
import { resolveRequestId } from './request-id.ts';

describe('resolveRequestId', () => {
  it('keeps a well-formed inbound id', () => {
    expect(resolveRequestId('abc-123_XYZ=')).toBe('abc-123_XYZ=');
  });

  it('replaces ids that are too long or carry unsafe characters', () => {
    for (const bad of ['a'.repeat(256), 'x\ny', '<script>', '', 'a b']) {
      const id = resolveRequestId(bad);
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('generates one when none was sent', () => {
    expect(resolveRequestId(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
