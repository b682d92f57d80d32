/**
 * AppSync's built-in scalars with the formats "Scalar types in AWS AppSync" documents: each accepts
 * only its documented shape, as input (literal or variable) and as resolver output.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { GraphQLError, GraphQLScalarType, Kind, print, type GraphQLSchema, type ValueNode } from 'graphql';

const OFFSET = '(?:Z|[+-]\\d{2}:\\d{2}(?::\\d{2})?)';
const DATE = '\\d{4}-\\d{2}-\\d{2}';
const TIME = '\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?';
// AWSDate and AWSTime take an optional offset; AWSDateTime requires one (the doc: "compulsory").
const DATE_RE = new RegExp(`^(${DATE})${OFFSET}?$`);
const TIME_RE = new RegExp(`^(${TIME})${OFFSET}?$`);
const DATETIME_RE = new RegExp(`^(${DATE})T(${TIME})${OFFSET}$`);
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Phone numbers may hold spaces and hyphens; without a country code they are read as NANP (US) numbers.
const PHONE_RE = /^\+?[0-9][0-9 -]{3,}[0-9]$/;

function validDate(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

function validTime(time: string): boolean {
  const [h, min, s] = time.split(':').map((part) => Number.parseFloat(part));
  return h! <= 23 && min! <= 59 && (s === undefined || s < 60);
}

function validIp(value: string): boolean {
  const [address, prefix, extra] = value.split('/');
  if (extra !== undefined || !address) return false;
  const v4 = isIPv4(address);
  if (!v4 && !isIPv6(address)) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (v4 ? 32 : 128);
}

function validUrl(value: string): boolean {
  // "scheme://host", where the scheme is required: new URL rejects a missing scheme.
  try {
    const url = new URL(value);
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) && url.host !== '';
  } catch {
    return false;
  }
}

const STRING_CHECKS: Record<string, (value: string) => boolean> = {
  AWSDate: (v) => {
    const m = DATE_RE.exec(v);
    return m !== null && validDate(m[1]!);
  },
  AWSTime: (v) => {
    const m = TIME_RE.exec(v);
    return m !== null && validTime(m[1]!);
  },
  AWSDateTime: (v) => {
    const m = DATETIME_RE.exec(v);
    return m !== null && validDate(m[1]!) && validTime(m[2]!);
  },
  AWSEmail: (v) => EMAIL_RE.test(v),
  AWSURL: validUrl,
  AWSPhone: (v) => PHONE_RE.test(v) && v.replace(/\D/g, '').length >= 7,
  AWSIPAddress: validIp,
};

function invalid(type: string, shown: string, node?: ValueNode): GraphQLError {
  return new GraphQLError(`Unable to parse ${shown} as valid ${type}`, node ? { nodes: node } : {});
}

function stringScalar(name: string, check: (value: string) => boolean): GraphQLScalarType {
  const coerce = (value: unknown): string => {
    if (typeof value !== 'string' || !check(value)) throw invalid(name, JSON.stringify(value));
    return value;
  };
  return new GraphQLScalarType({
    name,
    serialize: coerce,
    parseValue: coerce,
    parseLiteral(node) {
      if (node.kind !== Kind.STRING || !check(node.value)) throw invalid(name, print(node), node);
      return node.value;
    },
  });
}

const timestamp = new GraphQLScalarType({
  name: 'AWSTimestamp',
  serialize(value) {
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw invalid('AWSTimestamp', JSON.stringify(value));
    return value;
  },
  parseValue(value) {
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw invalid('AWSTimestamp', JSON.stringify(value));
    return value;
  },
  parseLiteral(node) {
    if (node.kind !== Kind.INT) throw invalid('AWSTimestamp', print(node), node);
    return Number(node.value);
  },
});

function literalToJs(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
      return node.value;
    default:
      throw invalid('AWSJSON', print(node), node);
  }
}

// AWSJSON travels as a JSON string; resolvers see the parsed value, and a result is sent back as a string.
const json = new GraphQLScalarType({
  name: 'AWSJSON',
  serialize: (value) => (typeof value === 'string' ? value : JSON.stringify(value)),
  parseValue(value) {
    if (typeof value !== 'string') throw invalid('AWSJSON', JSON.stringify(value));
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw invalid('AWSJSON', JSON.stringify(value));
    }
  },
  parseLiteral(node) {
    const text = literalToJs(node) as string;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw invalid('AWSJSON', print(node), node);
    }
  },
});

/** The AppSync scalars, by name, as graphql-js scalar types. */
export const APPSYNC_SCALARS: ReadonlyMap<string, GraphQLScalarType> = new Map([
  ...Object.entries(STRING_CHECKS).map(([name, check]) => [name, stringScalar(name, check)] as const),
  ['AWSTimestamp', timestamp],
  ['AWSJSON', json],
]);

/** Gives the schema's AppSync scalars their formats (buildSchema leaves them as pass-through). */
export function installAppSyncScalars(schema: GraphQLSchema): void {
  for (const [name, impl] of APPSYNC_SCALARS) {
    const type = schema.getType(name);
    if (!(type instanceof GraphQLScalarType)) continue;
    type.serialize = impl.serialize;
    type.parseValue = impl.parseValue;
    type.parseLiteral = impl.parseLiteral;
  }
}
