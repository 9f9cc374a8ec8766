import { z } from 'zod';
import { idParams } from './params.ts';

export const CustomerIdParams = idParams('Customer id', 7);

const shared = {
  id: z.number().int().meta({ example: 7 }),
  email: z.email(),
  vip: z.boolean(),
  newsletter: z.boolean(),
  createdAt: z.iso.datetime().meta({ description: 'ISO 8601, UTC' }),
  birthday: z.iso.date().nullable(),
};

/** v1: one display name (deprecated in favour of v2). */
export const CustomerV1 = z
  .object({ ...shared, name: z.string().meta({ example: 'José Schröder' }) })
  .meta({ id: 'CustomerV1' });

/** v2: the name split, as the mobile apps asked. */
export const CustomerV2 = z
  .object({
    ...shared,
    givenName: z.string().meta({ example: 'José' }),
    familyName: z.string().meta({ example: 'Schröder' }),
  })
  .meta({ id: 'CustomerV2' });

export type CustomerV1 = z.infer<typeof CustomerV1>;
export type CustomerV2 = z.infer<typeof CustomerV2>;
