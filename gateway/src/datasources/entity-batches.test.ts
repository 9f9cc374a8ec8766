import { describe, expect, it } from 'vitest';
import { mergeEntityResponses, planEntityBatches } from './entity-batches.ts';

const user = (id: number) => ({ __typename: 'User', id: String(id) });

describe('planEntityBatches', () => {
  it('sends each distinct representation once, remembering where every occurrence was', () => {
    const plan = planEntityBatches([user(1), user(2), user(1), user(3), user(2)], {
      maxBytes: 1_000_000,
      fixedBytes: 100,
    });
    expect(plan.batches).toEqual([[user(1), user(2), user(3)]]);
    expect(plan.distinctIndexOf).toEqual([0, 1, 0, 2, 1]);
  });

  it('splits into batches whose whole body stays within the limit', () => {
    const representations = Array.from({ length: 1_000 }, (_, id) => user(id));
    const fixedBytes = 200;
    const maxBytes = 4_096;
    const plan = planEntityBatches(representations, { maxBytes, fixedBytes });
    expect(plan.batches.length).toBeGreaterThan(1);
    for (const batch of plan.batches)
      expect(fixedBytes + Buffer.byteLength(JSON.stringify(batch))).toBeLessThanOrEqual(maxBytes);
    expect(plan.batches.flat()).toEqual(representations);
  });
});

describe('mergeEntityResponses', () => {
  it('answers every occurrence in the planner’s order and re-points errors at each of them', () => {
    const plan = planEntityBatches([user(1), user(2), user(1), user(3)], {
      maxBytes: 70,
      fixedBytes: 0,
    });
    expect(plan.batches).toEqual([[user(1), user(2)], [user(3)]]);
    const merged = mergeEntityResponses(plan, [
      {
        data: { _entities: [{ name: 'Ada' }, null] },
        errors: [{ message: 'no user 2', path: ['_entities', 1, 'name'] }],
      },
      { data: { _entities: [{ name: 'Grace' }] }, extensions: { cost: 1 } },
    ]);
    expect(merged.data).toEqual({
      _entities: [{ name: 'Ada' }, null, { name: 'Ada' }, { name: 'Grace' }],
    });
    expect(merged.errors).toEqual([{ message: 'no user 2', path: ['_entities', 1, 'name'] }]);
  });

  it('gives a batch that failed as a whole nulls, and keeps its errors', () => {
    const plan = planEntityBatches([user(1), user(2)], { maxBytes: 40, fixedBytes: 0 });
    expect(plan.batches).toHaveLength(2);
    const merged = mergeEntityResponses(plan, [
      { data: { _entities: [{ name: 'Ada' }] } },
      { data: null, errors: [{ message: 'subgraph down' }] },
    ]);
    expect(merged.data).toEqual({ _entities: [{ name: 'Ada' }, null] });
    expect(merged.errors).toEqual([{ message: 'subgraph down' }]);
  });
});
