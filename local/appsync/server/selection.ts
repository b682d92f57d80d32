/**
 * `ctx.info.selectionSetList` and `selectionSetGraphQL` as the "Resolver context object reference"
 * (info section) documents them: paths joined with "/", fragments expanded, no `__typename`; the
 * GraphQL text keeps the selection set as written.
 */
import { Kind, print, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

type Fragments = Record<string, FragmentDefinitionNode>;

function collect(
  set: SelectionSetNode | undefined,
  fragments: Fragments,
  prefix: string,
  out: string[],
): void {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name === '__typename') continue;
      const path = prefix ? `${prefix}/${name}` : name;
      if (!out.includes(path)) out.push(path);
      collect(selection.selectionSet, fragments, path, out);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collect(selection.selectionSet, fragments, prefix, out);
    } else {
      collect(fragments[selection.name.value]?.selectionSet, fragments, prefix, out);
    }
  }
}

/** The field paths below the resolved field(s). */
export function selectionSetList(fieldNodes: readonly FieldNode[], fragments: Fragments): string[] {
  const out: string[] = [];
  for (const node of fieldNodes) collect(node.selectionSet, fragments, '', out);
  return out;
}

/** The selection set of the resolved field as GraphQL text; empty for a leaf field. */
export function selectionSetGraphQL(fieldNodes: readonly FieldNode[]): string {
  const set = fieldNodes[0]?.selectionSet;
  return set ? print(set) : '';
}

/**
 * Projects a resolved value onto a selection set by field name (not alias): what a mutation selected is
 * what AppSync hands to the subscriptions it triggers.
 */
export function projectByFieldName(
  value: unknown,
  set: SelectionSetNode | undefined,
  fragments: Fragments,
): unknown {
  if (value === null || value === undefined || !set) return value ?? null;
  if (Array.isArray(value)) return value.map((item) => projectByFieldName(item, set, fragments));
  if (typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const walk = (s: SelectionSetNode | undefined) => {
    for (const selection of s?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        if (!(key in source)) continue;
        const projected = projectByFieldName(source[key], selection.selectionSet, fragments);
        const existing = out[selection.name.value];
        out[selection.name.value] =
          existing && typeof existing === 'object' && projected && typeof projected === 'object'
            ? { ...(existing as object), ...(projected as object) }
            : projected;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet);
      } else {
        walk(fragments[selection.name.value]?.selectionSet);
      }
    }
  };
  walk(set);
  return out;
}
