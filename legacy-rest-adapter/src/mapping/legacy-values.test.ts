import { describe, expect, it } from 'vitest';
import {
  legacyDate,
  legacyDateTime,
  legacyDecimal,
  legacyFlag,
  legacyInteger,
} from './legacy-values.ts';

describe('legacy value formats', () => {
  it('reads local Berlin wall-clock times as UTC, winter and summer', () => {
    expect(legacyDateTime('15/01/2020 10:00', 'at')).toBe('2020-01-15T09:00:00.000Z');
    expect(legacyDateTime('15/07/2020 10:00', 'at')).toBe('2020-07-15T08:00:00.000Z');
  });

  it('resolves the repeated hour of the autumn DST change to its first occurrence, and the skipped one after the gap', () => {
    expect(legacyDateTime('26/10/2014 02:30', 'at')).toBe('2014-10-26T00:30:00.000Z');
    expect(legacyDateTime('30/03/2014 02:30', 'at')).toBe('2014-03-30T01:30:00.000Z');
  });

  it('turns the legacy zero date into null', () => {
    expect(legacyDateTime('0000-00-00', 'paidAt')).toBeNull();
    expect(legacyDate('0000-00-00', 'birthday')).toBeNull();
    expect(legacyDate('27/01/2003', 'birthday')).toBe('2003-01-27');
  });

  it('reads flags, integers and decimals, and rejects anything else as UPSTREAM_ERROR', () => {
    expect(legacyFlag('Y', 'vip')).toBe(true);
    expect(legacyFlag('N', 'vip')).toBe(false);
    expect(legacyInteger('-91', 'balance')).toBe(-91);
    expect(legacyDecimal('123.40', 'net')).toBe('123.40');
    for (const bad of [
      () => legacyFlag('yes', 'vip'),
      () => legacyInteger('12a', 'id'),
      () => legacyDateTime('2014-10-26', 'at'),
      () => legacyDecimal('1.5', 'net'),
    ]) {
      expect(bad).toThrow(expect.objectContaining({ code: 'UPSTREAM_ERROR' }) as Error);
    }
  });
});
