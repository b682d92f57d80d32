/**
 * What the engine learns from a query text once and reuses for every request with the same text:
 * the parsed document, its validation errors in AppSync's words, its fragments, and per operation the
 * introspection selections the limits must cover. A bounded LRU keeps them, by query text.
 */
import {
  GraphQLError,
  Kind,
  parse,
  validate,
  visit,
  type ASTNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { formatError, validationEntry, withoutSuggestions, type AppSyncErrorEntry } from './errors.js';

type Fragments = Record<string, FragmentDefinitionNode>;

/** A query text parsed and validated against one schema. */
export type CheckedDocument =
  | { readonly ok: true; readonly document: DocumentNode; readonly fragments: Fragments }
  | { readonly ok: false; readonly errors: AppSyncErrorEntry[] };

/** The introspection part of one operation: what the depth and resolver-count limits look at. */
export interface IntrospectionUse {
  /** How many `__schema` / `__type` fields the operation executes (aliases and fragment spreads counted). */
  readonly count: number;
  /** The deepest field level inside those selections, counted from the operation root (root field = 1). */
  readonly depth: number;
  /** The first introspection field, for the error's location. */
  readonly first: FieldNode | undefined;
}

const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

function fragmentsOf(document: DocumentNode): Fragments {
  const out: Fragments = {};
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) out[def.name.value] = def;
  return out;
}

/** The field names from the enclosing operation or fragment down to `target`, as graphql-java prints them. */
function fieldPath(document: DocumentNode, target: ASTNode | undefined): string {
  if (!target) return '';
  let found = '';
  visit(document, {
    enter(node, _key, _parent, _path, ancestors) {
      if (node !== target) return undefined;
      const fields = [...ancestors, node].filter(
        (a): a is FieldNode => !Array.isArray(a) && (a as ASTNode).kind === Kind.FIELD,
      );
      found = fields.map((f) => f.name.value).join('/');
      return false;
    },
  });
  return found;
}

/**
 * AppSync validates with graphql-java, whose messages read `Validation error of type <Kind>: <detail>`
 * and never suggest names ("Did you mean ...?" would disclose the schema to callers that cannot
 * introspect). The common kinds are translated to graphql-java's wording, e.g. AppSync's
 * `Validation error of type FieldUndefined: Field 'syncNotes' in type 'Query' is undefined @ 'syncNotes'`
 * (quoted in aws-amplify/learn#417 and aws-amplify/amplify-cli#5339); every other message keeps
 * graphql-js's text without its suggestions.
 */
export function appSyncValidationError(document: DocumentNode, error: GraphQLError): AppSyncErrorEntry {
  const message = error.message;
  const field = /^Cannot query field "([^"]+)" on type "([^"]+)"\./.exec(message);
  if (field) {
    const path = fieldPath(document, error.nodes?.[0]);
    return validationEntry(
      'FieldUndefined',
      `Field '${field[1]}' in type '${field[2]}' is undefined @ '${path || field[1]}'`,
      error,
    );
  }
  const argument = /^Unknown argument "([^"]+)" on field "[^".]+\.([^"]+)"\./.exec(message);
  if (argument) {
    const path = fieldPath(document, error.nodes?.[0]) || argument[2];
    return validationEntry('UnknownArgument', `Unknown field argument ${argument[1]} @ '${path}'`, error);
  }
  const type = /^Unknown type "([^"]+)"\./.exec(message);
  if (type) return validationEntry('UnknownType', `Unknown type ${type[1]}`, error);
  return { ...formatError(error), message: `Validation error: ${withoutSuggestions(message)}` };
}

/** Parses and validates one query text; never throws for a bad document. */
export function checkDocument(schema: GraphQLSchema, query: string): CheckedDocument {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (err) {
    const e = err as GraphQLError;
    return { ok: false, errors: [validationEntry('InvalidSyntax', withoutSuggestions(e.message), e)] };
  }
  const errors = validate(schema, document);
  if (errors.length > 0) return { ok: false, errors: errors.map((e) => appSyncValidationError(document, e)) };
  return { ok: true, document, fragments: fragmentsOf(document) };
}

/**
 * Counts the introspection fields an operation runs and how deep their selections go, expanding
 * fragments; each fragment is measured once, so a fragment that spreads others many times stays cheap.
 * Only fields on the query root can be `__schema` / `__type` (validation guarantees it).
 */
export function introspectionUse(operation: OperationDefinitionNode, fragments: Fragments): IntrospectionUse {
  const heights = new Map<string, number>();
  const height = (set: SelectionSetNode | undefined): number => {
    let max = 0;
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.FIELD) max = Math.max(max, 1 + height(sel.selectionSet));
      else if (sel.kind === Kind.INLINE_FRAGMENT) max = Math.max(max, height(sel.selectionSet));
      else {
        const name = sel.name.value;
        if (!heights.has(name)) {
          heights.set(name, 0); // no cycles after validation; this only guards the recursion
          heights.set(name, height(fragments[name]?.selectionSet));
        }
        max = Math.max(max, heights.get(name) ?? 0);
      }
    }
    return max;
  };
  const counts = new Map<string, { count: number; depth: number; first: FieldNode | undefined }>();
  const root = (set: SelectionSetNode | undefined) => {
    let count = 0;
    let depth = 0;
    let first: FieldNode | undefined;
    for (const sel of set?.selections ?? []) {
      let part: { count: number; depth: number; first: FieldNode | undefined };
      if (sel.kind === Kind.FIELD) {
        if (!INTROSPECTION_FIELDS.has(sel.name.value)) continue;
        part = { count: 1, depth: 1 + height(sel.selectionSet), first: sel };
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        part = root(sel.selectionSet);
      } else {
        const name = sel.name.value;
        if (!counts.has(name)) {
          counts.set(name, { count: 0, depth: 0, first: undefined });
          counts.set(name, root(fragments[name]?.selectionSet));
        }
        part = counts.get(name)!;
      }
      count += part.count;
      depth = Math.max(depth, part.depth);
      first ??= part.first;
    }
    return { count, depth, first };
  };
  return operation.operation === 'query'
    ? root(operation.selectionSet)
    : { count: 0, depth: 0, first: undefined };
}

/** A bounded LRU of checked documents by query text, with a budget on the cached text too. */
export class DocumentCache {
  private readonly entries = new Map<
    string,
    { checked: CheckedDocument; introspection: Map<string, IntrospectionUse> }
  >();
  private chars = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    /** @default 1000 documents */
    private readonly maxEntries = 1000,
    /** @default 8,000,000 characters of query text */
    private readonly maxChars = 8_000_000,
  ) {}

  /** The checked document for `query`, parsed and validated on the first request that sends it. */
  get(query: string): CheckedDocument {
    return this.entry(query).checked;
  }

  /** The introspection use of one operation of `query` (which must have checked fine). */
  introspection(query: string, operation: OperationDefinitionNode, fragments: Fragments): IntrospectionUse {
    const entry = this.entry(query);
    const key = operation.name?.value ?? '';
    let use = entry.introspection.get(key);
    if (!use) {
      use = introspectionUse(operation, fragments);
      entry.introspection.set(key, use);
    }
    return use;
  }

  /** How many documents are cached (for tests). */
  get size(): number {
    return this.entries.size;
  }

  private entry(query: string) {
    const found = this.entries.get(query);
    if (found) {
      this.entries.delete(query); // re-inserted last: most recently used
      this.entries.set(query, found);
      return found;
    }
    const entry = {
      checked: checkDocument(this.schema, query),
      introspection: new Map<string, IntrospectionUse>(),
    };
    if (query.length <= this.maxChars) {
      this.entries.set(query, entry);
      this.chars += query.length;
      while (this.entries.size > this.maxEntries || this.chars > this.maxChars) {
        const oldest = this.entries.keys().next().value!;
        this.entries.delete(oldest);
        this.chars -= oldest.length;
      }
    }
    return entry;
  }
}
