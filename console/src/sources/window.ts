import type { Sample } from './prometheus-text.ts';

/** A scrape of one service's /metrics, with when it was taken. */
export interface Scrape {
  atMs: number;
  samples: readonly Sample[];
}

type Filter = (labels: Readonly<Record<string, string>>) => boolean;
const everything: Filter = () => true;

const sum = (scrape: Scrape, name: string, filter: Filter): number =>
  scrape.samples
    .filter((sample) => sample.name === name && filter(sample.labels))
    .reduce((total, sample) => total + sample.value, 0);

/**
 * How much a counter grew from `first` to `last`. A counter that went down means the process
 * restarted: everything it counted since is growth.
 */
export function increase(first: Scrape, last: Scrape, name: string, filter = everything): number {
  const before = sum(first, name, filter);
  const after = sum(last, name, filter);
  return after >= before ? after - before : after;
}

/** Per second over the window between two scrapes. */
export function rate(first: Scrape, last: Scrape, name: string, filter = everything): number {
  const seconds = (last.atMs - first.atMs) / 1000;
  return seconds > 0 ? increase(first, last, name, filter) / seconds : 0;
}

/**
 * The `q` quantile (0–1) of a histogram's observations between two scrapes, interpolated within
 * its bucket as Prometheus' histogram_quantile does; undefined without observations. `name` is the
 * histogram's base name (`…_bucket` series are read).
 */
export function quantile(
  q: number,
  first: Scrape,
  last: Scrape,
  name: string,
  filter = everything,
): number | undefined {
  const bounds = new Set<string>();
  for (const sample of last.samples)
    if (
      sample.name === `${name}_bucket` &&
      filter(sample.labels) &&
      sample.labels['le'] !== undefined
    )
      bounds.add(sample.labels['le']);
  const buckets = [...bounds]
    .map((le) => ({
      le: le === '+Inf' ? Infinity : Number(le),
      count: increase(
        first,
        last,
        `${name}_bucket`,
        (labels) => labels['le'] === le && filter(labels),
      ),
    }))
    .sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const { le, count } of buckets) {
    if (count >= rank) {
      // The top bucket has no upper bound: answer its lower one, as Prometheus does.
      if (le === Infinity) return lower;
      return lower + ((le - lower) * (rank - below)) / Math.max(count - below, 1e-12);
    }
    lower = le;
    below = count;
  }
  return lower;
}
