/** What the registry keeps of one subgraph: what composition needs. */
export interface SubgraphSource {
  name: string;
  /** Routing URL written into the supergraph. */
  url: string;
  sdl: string;
}

export interface IssueLocation {
  subgraph: string | null;
  line: number;
  column: number;
}

/** A composition error or hint, attributed to the subgraph(s) it comes from. */
export interface CompositionIssue {
  subgraph: string | null;
  code: string;
  message: string;
  locations: IssueLocation[];
}

export type CompositionOutcome =
  | {
      ok: true;
      supergraphSdl: string;
      /** The API schema clients see (what breaking changes are measured against). */
      apiSdl: string;
      hints: CompositionIssue[];
    }
  | { ok: false; errors: CompositionIssue[] };

/** A schema change between two API schemas, as graphql-inspector sees it. */
export interface SchemaChange {
  type: string;
  criticality: 'BREAKING' | 'DANGEROUS' | 'SAFE';
  message: string;
  /** `Type`, `Type.field` or `Type.field.argument` (graphql-inspector's path). */
  path: string | null;
}

/** Messages to the composition worker… */
export type WorkerRequest =
  | { id: number; kind: 'compose'; subgraphs: SubgraphSource[] }
  | { id: number; kind: 'diff'; fromSdl: string; toSdl: string };

/** …and its answers. */
export type WorkerResponse =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
