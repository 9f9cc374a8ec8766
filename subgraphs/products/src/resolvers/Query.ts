import { parsePageArgs, toConnection, type PageArgs } from '@manifold/platform/data';
import type { CategoryRow, ProductRow } from '../data/rows.ts';
import type { ProductsContext } from '../context.ts';
import { productFilterSql, type ProductFilterInput } from './product-filter.ts';

const PRODUCTS_CONNECTION = 'Query.products';

export const Query = {
  product: (_: unknown, { id }: { id: string }, { loaders }: ProductsContext) =>
    loaders.productById.load(id),
  productBySku: (_: unknown, { sku }: { sku: string }, { loaders }: ProductsContext) =>
    loaders.productBySku.load(sku),

  products: (
    _: unknown,
    args: PageArgs & { filter?: ProductFilterInput | null },
    { db }: ProductsContext,
  ) => {
    const { limit, after } = parsePageArgs(PRODUCTS_CONNECTION, args, ['integer']);
    const filter = productFilterSql(args.filter);
    const where = filter.where === '' ? '' : `WHERE ${filter.where}`;
    const afterId = after?.[0] ?? 0;
    const rows = db.all<ProductRow>(
      `SELECT * FROM products ${where === '' ? 'WHERE' : `${where} AND`} id > ? ORDER BY id LIMIT ?`,
      ...filter.params,
      afterId,
      limit + 1,
    );
    const total = () =>
      db.get<{ n: number }>(`SELECT count(*) AS n FROM products ${where}`, ...filter.params)?.n ??
      0;
    return toConnection(PRODUCTS_CONNECTION, rows, limit, (row) => [row.id], total);
  },

  categories: (_: unknown, _args: unknown, { db }: ProductsContext) =>
    db.all<CategoryRow>('SELECT * FROM categories ORDER BY name, id'),
};
