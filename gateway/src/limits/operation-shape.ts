import {
  Kind,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** What a document asks for, measured as if its fragments were written out in place. */
export interface OperationShape {
  /** Deepest field nesting (`{ a { b } }` is 2). */
  depth: number;
  /** Fields requested under an alias. */
  aliases: number;
  /** Fields of the operation's root type (`query { a b }` has 2). */
  rootFields: number;
  /** Directives applied (`@include`, `@skip`, …), on the operation, its fields and fragments. */
  directives: number;
  /**
   * Fields once every fragment is written out: what planning and execution walk. Bounds what the
   * token limit cannot — a few fragments that spread each other twice expand exponentially.
   */
  fields: number;
}

/** A selection set's share of the shape: its own fields' count is what a root selection adds. */
interface Tally {
  depth: number;
  aliases: number;
  directives: number;
  /** Fields at this level (through fragments). */
  fields: number;
  /** Fields at this level and below (through fragments). */
  allFields: number;
}

const ZERO: Tally = { depth: 0, aliases: 0, directives: 0, fields: 0, allFields: 0 };
const count = (directives: readonly DirectiveNode[] | undefined) => directives?.length ?? 0;

/**
 * The shape of the largest operation of a document (each metric its own maximum over operations):
 * a document is parsed and validated whole whichever operation runs, so every operation counts.
 *
 * Each fragment is measured once and reused wherever it is spread, so the work is linear in the
 * document's size even when the expanded operation is exponential (fragments spreading fragments
 * twice, the "billion laughs" of GraphQL): the counts then grow as the expansion would, and the
 * limits refuse it. A fragment cycle, which validation refuses anyway, counts as nothing.
 */
export function measureDocument(document: DocumentNode): OperationShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  const measured = new Map<string, Tally>();
  const inProgress = new Set<string>();

  const fragmentTally = (name: string): Tally => {
    const known = measured.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(name)) return ZERO;
    inProgress.add(name);
    const own = selectionTally(fragment.selectionSet);
    inProgress.delete(name);
    const tally = { ...own, directives: own.directives + count(fragment.directives) };
    measured.set(name, tally);
    return tally;
  };

  const selectionTally = (selectionSet: SelectionSetNode): Tally => {
    const tally = { ...ZERO };
    for (const selection of selectionSet.selections) {
      let inner: Tally;
      if (selection.kind === Kind.FIELD) {
        const below = selection.selectionSet ? selectionTally(selection.selectionSet) : ZERO;
        inner = {
          depth: below.depth + 1,
          aliases: below.aliases + (selection.alias ? 1 : 0),
          directives: below.directives + count(selection.directives),
          fields: 1,
          allFields: below.allFields + 1,
        };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const below = selectionTally(selection.selectionSet);
        inner = { ...below, directives: below.directives + count(selection.directives) };
      } else {
        const below = fragmentTally(selection.name.value);
        inner = { ...below, directives: below.directives + count(selection.directives) };
      }
      tally.depth = Math.max(tally.depth, inner.depth);
      tally.aliases += inner.aliases;
      tally.directives += inner.directives;
      tally.fields += inner.fields;
      tally.allFields += inner.allFields;
    }
    return tally;
  };

  const shape: OperationShape = { depth: 0, aliases: 0, rootFields: 0, directives: 0, fields: 0 };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const tally = selectionTally(definition.selectionSet);
    const variableDirectives = (definition.variableDefinitions ?? []).reduce(
      (sum, variable) => sum + count(variable.directives),
      0,
    );
    shape.depth = Math.max(shape.depth, tally.depth);
    shape.aliases = Math.max(shape.aliases, tally.aliases);
    shape.rootFields = Math.max(shape.rootFields, tally.fields);
    shape.fields = Math.max(shape.fields, tally.allFields);
    shape.directives = Math.max(
      shape.directives,
      tally.directives + count(definition.directives) + variableDirectives,
    );
  }
  return shape;
}
