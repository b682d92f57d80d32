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
 * The largest GraphQL request body the local API reads. AWS lists AppSync's quotas in "AWS AppSync
 * endpoints and quotas" (docs.aws.amazon.com/general/latest/gr/appsync.html). That table could not be
 * read when this was written, so the value is 1 MB, the payload limit AWS Support confirmed for AppSync
 * (awslabs/aws-mobile-appsync-sdk-js#124, there for a resolver's result); correct it here if the table
 * says otherwise. The body is checked before authorization, as a gateway checks it.
 */
export const MAX_REQUEST_BYTES = 1024 * 1024;

// Written in AppSync's HTTP error shape ({ errors: [{ errorType, message }] }, as its 401s); AWS does not
// publish the exact errorType of an oversized request, so this is defined once here to correct easily.
/** The answer to a request body larger than the limit. */
export const requestTooLargeError = (limit: number) =>
  ({
    status: 413,
    errorType: 'PayloadTooLargeException',
    message: `The request body is larger than the limit of ${limit} bytes.`,
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
