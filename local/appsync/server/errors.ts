/**
 * AppSync's error shapes: a GraphQL error carries errorType, data and errorInfo next to path,
 * locations and message ("Resolver context object reference", util.error; GraphQL response format).
 */
import { GraphQLError, type ASTNode } from 'graphql';

/** One entry of `errors` as AppSync sends it. */
export interface AppSyncErrorEntry {
  path: readonly (string | number)[] | null;
  data: unknown;
  errorType: string | null;
  errorInfo: unknown;
  locations: { line: number; column: number; sourceName: null }[] | null;
  message: string;
}

/** Extensions an AppSync error travels with through graphql-js. */
interface AppSyncExtensions {
  errorType?: string | null;
  data?: unknown;
  errorInfo?: unknown;
}

/** A field error carrying AppSync's extra members; graphql-js adds path and locations. */
export function fieldError(
  message: string,
  errorType: string | null,
  extra: {
    data?: unknown;
    errorInfo?: unknown;
    nodes?: readonly ASTNode[];
    path?: readonly (string | number)[];
  } = {},
): GraphQLError {
  return new GraphQLError(message, {
    ...(extra.nodes ? { nodes: extra.nodes } : {}),
    ...(extra.path ? { path: extra.path } : {}),
    extensions: { errorType, data: extra.data ?? null, errorInfo: extra.errorInfo ?? null },
  });
}

// The messages for the limits are written in AppSync's style; AWS does not publish their exact text.
/** The error of a field nested deeper than the API's QueryDepthLimit. */
export const depthLimitError = (limit: number) =>
  ({ errorType: 'QueryDepthLimitExceeded', message: `Query depth limit of ${limit} exceeded` }) as const;
/** The error of a resolver beyond the API's ResolverCountLimit. */
export const resolverLimitError = (limit: number) =>
  ({
    errorType: 'ResolverCountLimitExceeded',
    message: `Resolver count limit of ${limit} exceeded`,
  }) as const;

/**
 * Drops graphql-js's "Did you mean ...?" suggestions: AppSync (graphql-java) never suggests names, and a
 * suggestion discloses schema names to callers that may not introspect.
 */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?$/s, '');
}

/** Formats a graphql-js error the way AppSync serializes errors (suggestions removed). */
export function formatError(error: GraphQLError): AppSyncErrorEntry {
  const ext = (error.extensions ?? {}) as AppSyncExtensions;
  return {
    path: error.path ?? null,
    data: ext.data ?? null,
    errorType: ext.errorType ?? null,
    errorInfo: ext.errorInfo ?? null,
    locations: error.locations?.map((l) => ({ line: l.line, column: l.column, sourceName: null })) ?? null,
    message: withoutSuggestions(error.message),
  };
}

/**
 * A validation error in AppSync's (graphql-java's) words: `Validation error of type <Kind>: <detail>`;
 * AppSync sends these without an errorType.
 */
export function validationEntry(kind: string, detail: string, error?: GraphQLError): AppSyncErrorEntry {
  return {
    path: null,
    data: null,
    errorType: null,
    errorInfo: null,
    locations: error?.locations?.map((l) => ({ line: l.line, column: l.column, sourceName: null })) ?? null,
    message: `Validation error of type ${kind}: ${detail}`,
  };
}
