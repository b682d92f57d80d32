import { AwsServiceError } from '../../aws-json.js';

/** A JSON scalar as it may appear in an event or as an exact value in a pattern. */
export type JsonScalar = string | number | boolean | null;

/** A comparison operator object inside a pattern's value array, e.g. `{ "prefix": "us-" }`. */
export type PatternOperator =
  | { readonly prefix: string | { readonly 'equals-ignore-case': string } }
  | { readonly suffix: string | { readonly 'equals-ignore-case': string } }
  | { readonly 'equals-ignore-case': string }
  | { readonly wildcard: string }
  | { readonly 'anything-but': AnythingBut }
  | { readonly numeric: readonly (string | number)[] }
  | { readonly exists: boolean }
  | { readonly cidr: string };

/** The operand of `anything-but`: a value, a list of values, or one nested string operator. */
export type AnythingBut =
  | string
  | number
  | readonly string[]
  | readonly number[]
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly wildcard: string | readonly string[] }
  | { readonly 'equals-ignore-case': string | readonly string[] };

/** One alternative in a field's value array: an exact scalar or an operator. */
export type PatternMatcher = JsonScalar | PatternOperator;

/** An EventBridge event pattern: fields map to value arrays or nested patterns; `$or` lists alternatives. */
export interface EventPattern {
  readonly [field: string]: readonly PatternMatcher[] | EventPattern | readonly EventPattern[];
}

/**
 * The error EventBridge raises for a malformed pattern. It is an AwsServiceError so a service can
 * throw it straight back to an SDK client (PutRule, TestEventPattern).
 */
export class InvalidEventPatternError extends AwsServiceError {
  constructor(message: string) {
    super('InvalidEventPatternException', `Event pattern is not valid. Reason: ${message}`);
  }
}
