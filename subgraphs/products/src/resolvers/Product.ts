import { moneyFromCents } from '@manifold/platform/data';
import type { ProductRow } from '../data/rows.ts';
import type { ProductsContext } from '../context.ts';

type ProductReference = { id: string } | { sku: string };

export const Product = {
  // The gateway may ask by either key (`@key(fields: "id") @key(fields: "sku")`).
  __resolveReference: (reference: ProductReference, { loaders }: ProductsContext) =>
    'id' in reference
      ? loaders.productById.load(reference.id)
      : loaders.productBySku.load(reference.sku),
  id: (product: ProductRow) => String(product.id),
  price: (product: ProductRow) => moneyFromCents(product.price_cents, product.currency),
  weightGrams: (product: ProductRow) => product.weight_grams,
  category: (product: ProductRow, _: unknown, { loaders }: ProductsContext) =>
    loaders.categoryById.load(product.category_id),
  supplierStock: (product: ProductRow, _: unknown, { loaders }: ProductsContext) =>
    loaders.stockBySku.load(product.sku),
};

export const Category = {
  id: (category: { id: number }) => String(category.id),
};
