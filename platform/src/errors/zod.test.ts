import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseInput } from './zod.ts';

describe('parseInput', () => {
  const Input = z.object({
    lines: z.array(z.object({ quantity: z.number().int().min(1) })).min(1),
    'a/b': z.string().optional(),
  });

  it('throws BAD_USER_INPUT with a JSON pointer per invalid field', () => {
    try {
      parseInput(
        Input,
        { lines: [{ quantity: 1 }, { quantity: 0 }], 'a/b': 3 },
        { prefix: '/input' },
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT' });
      const pointers = (error as { errors: { pointer: string }[] }).errors
        .map((e) => e.pointer)
        .sort();
      expect(pointers).toEqual(['/input/a~1b', '/input/lines/1/quantity']);
    }
  });

  it('returns the parsed value when valid', () => {
    expect(parseInput(Input, { lines: [{ quantity: 2 }] })).toEqual({ lines: [{ quantity: 2 }] });
  });
});
