import type { Composer } from '../composition/composer.ts';
import type { CompositionIssue, SchemaChange, SubgraphSource } from '../composition/protocol.ts';
import type { RegistryStore, StoredVersion } from '../store/store.ts';
import { summarizeImpact, touches, usageKeys, type UsageImpact } from './usage-impact.ts';

export interface ReportedChange {
  type: string;
  criticality: SchemaChange['criticality'];
  message: string;
  path: string | null;
  coordinates: string[];
  usage: UsageImpact | null;
}

export interface Issue {
  kind: 'composition' | 'routing-url' | 'breaking-change' | 'dangerous-change';
  message: string;
  subgraph?: string;
  coordinate?: string;
  change?: ReportedChange;
}

export interface CheckReport {
  subgraph: string;
  ok: boolean;
  baseVersion: string | null;
  composition: { ok: boolean; errors: CompositionIssue[]; hints: CompositionIssue[] };
  changes: ReportedChange[];
  errors: Issue[];
  warnings: Issue[];
}

/** A check's report, and what publishing it would store. */
export interface CheckOutcome {
  report: CheckReport;
  base: StoredVersion | undefined;
  /** The subgraphs with the proposal applied. */
  subgraphs: SubgraphSource[];
  /** The new supergraph, when composition succeeded. */
  composed: { supergraphSdl: string; apiSdl: string } | undefined;
  /** The proposal is exactly what the current version holds. */
  unchanged: boolean;
}

export interface CheckDeps {
  store: RegistryStore;
  composer: Composer;
  usageWindowDays: number;
  /** @default Date.now */
  now?: () => number;
}

export interface Proposal {
  subgraph: string;
  sdl: string;
  url?: string | undefined;
}

const isHttpUrl = (value: string) => {
  try {
    const { protocol, hostname } = new URL(value);
    return (protocol === 'http:' || protocol === 'https:') && hostname !== '';
  } catch {
    return false;
  }
};

/**
 * Composition with the proposal, then breaking changes against the current API schema, each
 * breaking change weighed against recorded usage: used within the window → error (with the
 * operations and clients); unused → warning. A bad routing URL is an error too.
 */
export async function runCheck(
  { store, composer, usageWindowDays, now = Date.now }: CheckDeps,
  { subgraph, sdl, url }: Proposal,
): Promise<CheckOutcome> {
  const base = await store.current();
  const existing = base?.subgraphs.find((source) => source.name === subgraph);
  const routingUrl = url ?? existing?.url;
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  if (routingUrl === undefined)
    errors.push({
      kind: 'routing-url',
      subgraph,
      message: `${subgraph} is a new subgraph: give its routing URL (--url)`,
    });
  else if (!isHttpUrl(routingUrl))
    errors.push({
      kind: 'routing-url',
      subgraph,
      message: `${subgraph}'s routing URL ${JSON.stringify(routingUrl)} is not an http(s) URL`,
    });
  const proposed: SubgraphSource = { name: subgraph, url: routingUrl ?? '', sdl };
  const subgraphs = [
    ...(base?.subgraphs ?? []).filter((source) => source.name !== subgraph),
    proposed,
  ].sort((a, b) => a.name.localeCompare(b.name));
  const unchanged = existing !== undefined && existing.sdl === sdl && existing.url === routingUrl;

  const composition = await composer.compose(subgraphs);
  const report: CheckReport = {
    subgraph,
    ok: false,
    baseVersion: base?.version ?? null,
    composition: composition.ok
      ? { ok: true, errors: [], hints: composition.hints }
      : { ok: false, errors: composition.errors, hints: [] },
    changes: [],
    errors,
    warnings,
  };
  if (!composition.ok) {
    for (const error of composition.errors)
      errors.push({
        kind: 'composition',
        message: error.message,
        ...(error.subgraph === null ? {} : { subgraph: error.subgraph }),
      });
    return { report, base, subgraphs, composed: undefined, unchanged };
  }

  const changes = base ? await composer.diff(base.apiSdl, composition.apiSdl) : [];
  const risky = changes.filter((change) => change.criticality === 'BREAKING');
  const keys = risky.map(usageKeys);
  const uses = await store.usage({
    coordinates: [...new Set(keys.flatMap((key) => key.coordinates))],
    types: [...new Set(keys.flatMap((key) => key.types))],
    since: new Date(now() - usageWindowDays * 86_400_000),
  });
  report.changes = changes.map((change): ReportedChange => {
    const key = usageKeys(change);
    const usage =
      change.criticality === 'BREAKING'
        ? summarizeImpact(uses.filter((use) => touches(key, use)))
        : null;
    return {
      ...change,
      coordinates: [...key.coordinates, ...key.types],
      usage,
    };
  });
  for (const change of report.changes) {
    const coordinate = change.path ?? undefined;
    const where = coordinate === undefined ? {} : { coordinate };
    if (change.criticality === 'BREAKING' && change.usage)
      errors.push({
        kind: 'breaking-change',
        message: `${change.message}: used by ${change.usage.operations.length} operation(s), ${change.usage.count} request(s) in the last ${usageWindowDays} days`,
        ...where,
        change,
      });
    else if (change.criticality === 'BREAKING')
      warnings.push({
        kind: 'breaking-change',
        message: `${change.message} (no recorded use in the last ${usageWindowDays} days)`,
        ...where,
        change,
      });
    else if (change.criticality === 'DANGEROUS')
      warnings.push({ kind: 'dangerous-change', message: change.message, ...where, change });
  }
  report.ok = errors.length === 0;
  return {
    report,
    base,
    subgraphs,
    composed: { supergraphSdl: composition.supergraphSdl, apiSdl: composition.apiSdl },
    unchanged,
  };
}
