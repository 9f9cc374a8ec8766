import { AppError, type FieldError } from '@manifold/platform/errors';

export interface ProductFilterInput {
  categoryId?: string | null;
  search?: string | null;
  minPrice?: string | null;
  maxPrice?: string | null;
}

/** A validated filter as SQL: a WHERE fragment and its parameters. */
export interface ProductFilterSql {
  where: string;
  params: (string | number)[];
}

const DECIMAL = /^\d{1,9}(\.\d{1,2})?$/;

const toCents = (decimal: string): number => {
  const [whole = '0', fraction = ''] = decimal.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
};

/** Validates every field (all problems reported at once) and builds the WHERE clause. */
export function productFilterSql(filter: ProductFilterInput | null | undefined): ProductFilterSql {
  const errors: FieldError[] = [];
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  if (!filter) return { where: '', params };

  if (filter.categoryId != null) {
    if (!/^\d{1,9}$/.test(filter.categoryId))
      errors.push({ pointer: '/filter/categoryId', detail: 'must be a category id' });
    clauses.push('category_id = ?');
    params.push(Number(filter.categoryId));
  }
  if (filter.search != null) {
    const search = filter.search.trim();
    if (search.length < 1 || search.length > 100)
      errors.push({ pointer: '/filter/search', detail: 'must be 1 to 100 characters' });
    // Escape LIKE wildcards so a user's "%" or "_" matches literally.
    clauses.push("name LIKE ? ESCAPE '\\'");
    params.push(`%${search.replace(/[\\%_]/g, (char) => `\\${char}`)}%`);
  }
  let min: number | undefined;
  let max: number | undefined;
  for (const [field, value] of [
    ['minPrice', filter.minPrice],
    ['maxPrice', filter.maxPrice],
  ] as const) {
    if (value == null) continue;
    if (!DECIMAL.test(value)) {
      errors.push({
        pointer: `/filter/${field}`,
        detail: 'must be a decimal amount such as "12.50"',
      });
      continue;
    }
    if (field === 'minPrice') min = toCents(value);
    else max = toCents(value);
  }
  if (min !== undefined && max !== undefined && min > max)
    errors.push({ pointer: '/filter/minPrice', detail: 'must not exceed maxPrice' });
  if (min !== undefined) {
    clauses.push('price_cents >= ?');
    params.push(min);
  }
  if (max !== undefined) {
    clauses.push('price_cents <= ?');
    params.push(max);
  }
  if (errors.length > 0) throw new AppError('BAD_USER_INPUT', 'Invalid product filter', { errors });
  return { where: clauses.join(' AND '), params };
}
