/** A products row as SQLite returns it. */
export interface ProductRow {
  id: number;
  sku: string;
  name: string;
  description: string;
  price_cents: number;
  currency: string;
  weight_grams: number;
  category_id: number;
}

export interface CategoryRow {
  id: number;
  name: string;
}
