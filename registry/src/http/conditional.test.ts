import { describe, expect, it } from 'vitest';
import { entityTags, namesVersion, preferredWait } from './conditional.ts';

describe('entityTags', () => {
  it('unquotes strong and weak tags in a list', () => {
    expect(entityTags('"7", W/"8" ,9')).toEqual(['7', '8', '9']);
    expect(entityTags(undefined)).toEqual([]);
  });
});

describe('preferredWait', () => {
  it('reads wait= among other preferences and clamps it to 30 s', () => {
    expect(preferredWait('respond-async, wait=25')).toBe(25);
    expect(preferredWait('wait=600')).toBe(30);
    expect(preferredWait('return=minimal')).toBeUndefined();
    expect(preferredWait(undefined)).toBeUndefined();
  });
});

describe('namesVersion', () => {
  it('matches the version or *, never an empty registry', () => {
    expect(namesVersion(['6', '7'], '7')).toBe(true);
    expect(namesVersion(['*'], '7')).toBe(true);
    expect(namesVersion(['6'], '7')).toBe(false);
    expect(namesVersion(['*'], undefined)).toBe(false);
  });
});
