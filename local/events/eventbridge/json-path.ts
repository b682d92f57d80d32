/**
 * The JSONPath subset EventBridge evaluates in InputPath and InputPathsMap ("Amazon EventBridge input
 * transformation"): `$`, dot notation with letters, digits, dashes, underscores and slashes, array
 * indices, and `*` wildcards.
 */
type Segment = { readonly key: string } | { readonly index: number } | { readonly wildcard: true };

const NAME = /^[A-Za-z0-9_\-/$@]+/;

/** Parses a path into segments; throws with the offending path when it is outside the supported subset. */
export function parseJsonPath(path: string): Segment[] {
  if (!path.startsWith('$')) throw new Error(`JSON path "${path}" must start with $`);
  const segments: Segment[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    let m: RegExpMatchArray | null;
    if (rest.startsWith('.*') || rest.startsWith('[*]')) {
      segments.push({ wildcard: true });
      rest = rest.slice(rest.startsWith('.*') ? 2 : 3);
    } else if ((m = rest.match(/^\[(\d+)\]/))) {
      segments.push({ index: Number(m[1]) });
      rest = rest.slice(m[0].length);
    } else if (rest.startsWith('.') && (m = rest.slice(1).match(NAME))) {
      segments.push({ key: m[0] });
      rest = rest.slice(1 + m[0].length);
    } else {
      throw new Error(`JSON path "${path}" is not supported by EventBridge near "${rest}"`);
    }
  }
  return segments;
}

/** What a path selects: `found: false` when nothing in the document matches it. */
export type PathResult = { readonly found: true; readonly value: unknown } | { readonly found: false };

/** Evaluates a path against a JSON document; a wildcard anywhere makes the result the list of matches. */
export function evaluateJsonPath(path: string, doc: unknown): PathResult {
  const segments = parseJsonPath(path);
  let nodes: unknown[] = [doc];
  for (const seg of segments) {
    const next: unknown[] = [];
    for (const node of nodes) {
      if ('wildcard' in seg) {
        if (Array.isArray(node)) next.push(...node);
        else if (typeof node === 'object' && node !== null) next.push(...Object.values(node));
      } else if ('index' in seg) {
        if (Array.isArray(node) && seg.index < node.length) next.push(node[seg.index]);
      } else if (
        typeof node === 'object' &&
        node !== null &&
        !Array.isArray(node) &&
        Object.hasOwn(node, seg.key)
      ) {
        next.push((node as Record<string, unknown>)[seg.key]);
      }
    }
    nodes = next;
  }
  if (segments.some((s) => 'wildcard' in s))
    return nodes.length > 0 ? { found: true, value: nodes } : { found: false };
  return nodes.length > 0 ? { found: true, value: nodes[0] } : { found: false };
}
