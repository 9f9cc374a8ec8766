import { createRng } from './rng.ts';
import { ADJECTIVES, CATEGORY_NAMES, CATEGORY_QUALIFIERS, NOUNS, SENTENCES } from './words.ts';

export interface SeedCategory {
  id: string;
  name: string;
}

export interface SeedProduct {
  id: string;
  sku: string;
  name: string;
  description: string;
  /** Minor units (cents). */
  priceCents: number;
  currency: string;
  weightGrams: number;
  categoryId: string;
}

export function generateCategories(count: number): SeedCategory[] {
  return Array.from({ length: count }, (_, index) => ({
    id: String(index + 1),
    name: `${CATEGORY_NAMES[index % CATEGORY_NAMES.length] ?? 'Misc'} ${CATEGORY_QUALIFIERS[Math.floor(index / CATEGORY_NAMES.length) % CATEGORY_QUALIFIERS.length] ?? ''}`.trim(),
  }));
}

export function skuOf(productId: number): string {
  return `SKU-${String(productId).padStart(5, '0')}`;
}

export function* generateProducts(
  count: number,
  categoryCount: number,
  seed: number,
): Generator<SeedProduct> {
  const rng = createRng(seed, 'products');
  for (let i = 1; i <= count; i++) {
    const noun = rng.pick(NOUNS);
    yield {
      id: String(i),
      sku: skuOf(i),
      name: `${rng.pick(ADJECTIVES)} ${noun} ${rng.int(100, 999)}`,
      description: `${rng.pick(SENTENCES)} ${rng.pick(SENTENCES)}`,
      priceCents: rng.int(499, 49_999),
      currency: 'USD',
      weightGrams: rng.int(50, 25_000),
      categoryId: String(rng.int(1, categoryCount)),
    };
  }
}
