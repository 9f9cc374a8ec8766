import { composeServices } from '@apollo/composition';
import { diff } from '@graphql-inspector/core';
import {
  buildSchema,
  getLocation,
  GraphQLError,
  parse,
  printSchema,
  type ASTNode,
  type DocumentNode,
} from 'graphql';
import type {
  CompositionIssue,
  CompositionOutcome,
  IssueLocation,
  SchemaChange,
  SubgraphSource,
} from './protocol.ts';

// Pure functions the worker runs (compose-worker.ts): no I/O, no state, testable in-process.

type NodeWithSubgraph = ASTNode & { subgraph?: string };

function locationsOf(nodes: readonly NodeWithSubgraph[] | undefined): IssueLocation[] {
  return (nodes ?? []).flatMap((node) => {
    if (!node.loc) return [];
    const { line, column } = getLocation(node.loc.source, node.loc.start);
    return [{ subgraph: node.subgraph ?? null, line, column }];
  });
}

/** Composition messages start with `[subgraph] …` when one subgraph is at fault. */
const subgraphInMessage = (message: string) => /^\[([^\]]+)\]/.exec(message)?.[1] ?? null;

function toIssue(
  error: { message: string; nodes?: readonly ASTNode[] | undefined },
  code: string,
): CompositionIssue {
  const locations = locationsOf(error.nodes);
  return {
    subgraph:
      locations.find((location) => location.subgraph)?.subgraph ?? subgraphInMessage(error.message),
    code,
    message: error.message,
    locations,
  };
}

/** Parses each subgraph's SDL (syntax errors reported per subgraph with their location) and composes them. */
export function composeSubgraphs(subgraphs: readonly SubgraphSource[]): CompositionOutcome {
  const parsed: { name: string; url: string; typeDefs: DocumentNode }[] = [];
  const syntaxErrors: CompositionIssue[] = [];
  for (const { name, url, sdl } of subgraphs) {
    try {
      parsed.push({ name, url, typeDefs: parse(sdl) });
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      syntaxErrors.push({
        subgraph: name,
        code: 'INVALID_GRAPHQL',
        message: `[${name}] ${error.message}`,
        locations: (error.locations ?? []).map(({ line, column }) => ({
          subgraph: name,
          line,
          column,
        })),
      });
    }
  }
  if (syntaxErrors.length > 0) return { ok: false, errors: syntaxErrors };
  let result: ReturnType<typeof composeServices>;
  try {
    result = composeServices(parsed);
  } catch (error) {
    return { ok: false, errors: [compositionCrash(parsed, error)] };
  }
  if (result.errors)
    return {
      ok: false,
      errors: result.errors.map((error) => {
        const code = error.extensions['code'];
        return toIssue(error, typeof code === 'string' ? code : 'COMPOSITION_ERROR');
      }),
    };
  return {
    ok: true,
    supergraphSdl: result.supergraphSdl,
    apiSdl: printSchema(result.schema.toAPISchema().toGraphQLJSSchema()),
    hints: result.hints.map((hint) =>
      toIssue({ message: hint.message, nodes: hint.nodes }, hint.definition.code),
    ),
  };
}

/**
 * @apollo/composition throws, rather than reports, on some malformed subgraphs (a `@link` to a
 * federation URL it does not know, among them): that is still the SDL's fault and a failed
 * composition, never a failure of the registry's. The subgraph at fault is the one that cannot be
 * composed even alone.
 */
function compositionCrash(
  parsed: readonly { name: string; url: string; typeDefs: DocumentNode }[],
  error: unknown,
): CompositionIssue {
  const culprit = parsed.find((subgraph) => {
    try {
      composeServices([subgraph]);
      return false;
    } catch {
      return true;
    }
  });
  const reason = error instanceof Error ? error.message : String(error);
  return {
    subgraph: culprit?.name ?? null,
    code: 'INVALID_SUBGRAPH',
    message: `${culprit ? `[${culprit.name}] ` : ''}composition failed on this subgraph: ${reason}`,
    locations: [],
  };
}

// graphql-inspector's CriticalityLevel: BREAKING, DANGEROUS, NON_BREAKING (a string enum).
const criticalityOf = (level: string): SchemaChange['criticality'] =>
  level === 'BREAKING' ? 'BREAKING' : level === 'DANGEROUS' ? 'DANGEROUS' : 'SAFE';

/** The changes from one API schema to another (graphql-inspector, its default rules). */
export async function diffApiSchemas(fromSdl: string, toSdl: string): Promise<SchemaChange[]> {
  const changes = await diff(buildSchema(fromSdl), buildSchema(toSdl));
  return changes.map((change) => ({
    // Change<any>: its type key is typed loosely by graphql-inspector.
    type: change.type as string,
    criticality: criticalityOf(change.criticality.level),
    message: change.message,
    path: change.path ?? null,
  }));
}
