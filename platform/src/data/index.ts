export { SqliteDatabase, jsonList } from './sqlite.ts';
export { openSeededDatabase, type SeededDatabaseOptions } from './seeded-database.ts';
export {
  decodeCursor,
  encodeCursor,
  parsePageArgs,
  toConnection,
  type Connection,
  type KeyOf,
  type KeyShape,
  type PageArgs,
  type PageLimits,
  type PageRequest,
  type TotalCount,
} from './pagination.ts';
export { moneyFromCents, type Money } from './money.ts';
