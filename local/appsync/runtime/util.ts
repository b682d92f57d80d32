/**
 * The `@aws-appsync/utils` module objects (util, runtime, extensions) as resolver code sees them.
 *
 * This module is bundled into the resolver sandbox and runs in the vm realm, so it imports nothing
 * from Node: anything that needs the host (random ids, the clock, recording errors, filters and
 * headers) goes through the `host` callback, which carries only JSON across the boundary.
 */
import { dynamodbUtil } from './ddb-json.js';
import { transform } from './transform.js';
import { createTimeUtil } from './time.js';

/** Calls a host function by name with JSON arguments and returns its JSON result. */
export type HostCall = (name: string, args: unknown[]) => unknown;

/** Thrown by util.error / util.unauthorized / runtime.earlyReturn to unwind the handler; the host decides what it means. */
export const HALT = Symbol.for('orderloop.appsync.halt');

function halt(): never {
  throw { [HALT]: true, message: 'AppSync evaluation halted' };
}

const isNull = (value: unknown): boolean => value === null || value === undefined;
const isNullOrEmpty = (value: unknown): boolean => isNull(value) || value === '';
const isNullOrBlank = (value: unknown): boolean =>
  isNull(value) || (typeof value === 'string' && value.trim() === '');

/** AppSync's type names: Null, Number, String, Map, List, Boolean, otherwise Object. */
export function typeOf(value: unknown): string {
  if (isNull(value)) return 'Null';
  if (typeof value === 'number' || typeof value === 'bigint') return 'Number';
  if (typeof value === 'string') return 'String';
  if (typeof value === 'boolean') return 'Boolean';
  if (Array.isArray(value)) return 'List';
  if (typeof value === 'object') return 'Map';
  return 'Object';
}

/** Java's String.matches: the whole input must match; a leading (?flags) group becomes JS flags. */
export function matches(pattern: string, value: string): boolean {
  let source = String(pattern);
  let flags = 'u';
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline) {
    flags += (inline[1] ?? '').replace(/x/g, '');
    source = source.slice(inline[0].length);
  }
  source = source.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  return new RegExp(`^(?:${source})$`, flags).test(String(value));
}

/** Java's URLEncoder (UTF-8): space becomes '+', and only A-Z a-z 0-9 . - * _ stay unescaped. */
export function urlEncode(value: string): string {
  return encodeURIComponent(String(value))
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Java's URLDecoder (UTF-8): '+' is a space. */
export function urlDecode(value: string): string {
  return decodeURIComponent(String(value).replace(/\+/g, '%20'));
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 of the UTF-8 bytes of a string (no Buffer/btoa in the sandbox). */
export function base64Encode(value: string): string {
  const bytes = new TextEncoderLite().encode(String(value));
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += BASE64.charAt((n >> 18) & 63) + BASE64.charAt((n >> 12) & 63);
    out += b === undefined ? '=' : BASE64.charAt((n >> 6) & 63);
    out += c === undefined ? '=' : BASE64.charAt(n & 63);
  }
  return out;
}

/** Decodes base64 (standard or URL-safe alphabet) into a UTF-8 string. */
export function base64Decode(value: string): string {
  const clean = String(value).replace(/[\s=]/g, '').replace(/-/g, '+').replace(/_/g, '/');
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of clean) {
    const index = BASE64.indexOf(ch);
    if (index < 0) throw new Error(`Illegal base64 character: ${ch}`);
    buffer = (buffer << 6) | index;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return decodeUtf8(bytes);
}

/** UTF-8 encoder: the vm realm has no TextEncoder. */
class TextEncoderLite {
  encode(text: string): number[] {
    const out: number[] = [];
    for (const ch of text) {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp < 0x80) out.push(cp);
      else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
      else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
      else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    }
    return out;
  }
}

function decodeUtf8(bytes: number[]): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    let cp: number;
    let extra: number;
    if (b < 0x80) [cp, extra] = [b, 0];
    else if (b >= 0xf0) [cp, extra] = [b & 7, 3];
    else if (b >= 0xe0) [cp, extra] = [b & 15, 2];
    else [cp, extra] = [b & 31, 1];
    for (let k = 1; k <= extra; k += 1) cp = (cp << 6) | ((bytes[i + k] ?? 0) & 63);
    out += String.fromCodePoint(cp);
    i += extra + 1;
  }
  return out;
}

/** Apache Commons escapeEcmaScript, which AppSync's escapeJavaScript follows. */
export function escapeJavaScript(value: string): string {
  let out = '';
  for (const ch of String(value)) {
    const code = ch.charCodeAt(0);
    switch (ch) {
      case "'":
        out += "\\'";
        break;
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '/':
        out += '\\/';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\r':
        out += '\\r';
        break;
      default:
        if (code < 32 || code > 0x7e) {
          for (let i = 0; i < ch.length; i += 1)
            out += `\\u${ch.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`;
        } else out += ch;
    }
  }
  return out;
}

/** Headers AppSync will not forward with util.http.copyHeaders. */
const RESTRICTED_HEADERS = new Set([
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'upgrade',
  'keep-alive',
  'expect',
  'te',
  'trailer',
  'proxy-authorization',
  'proxy-authenticate',
]);

/** Builds the `@aws-appsync/utils` exports for one sandbox. */
export function createAppSyncUtils(host: HostCall) {
  const time = createTimeUtil(() => host('now', []) as number);
  const util = {
    autoId: (): string => host('autoId', []) as string,
    autoUlid: (): string => host('autoUlid', []) as string,
    autoKsuid: (): string => host('autoKsuid', []) as string,
    error(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): never {
      host('error', [message, errorType, data, errorInfo]);
      return halt();
    },
    appendError(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): void {
      host('appendError', [message, errorType, data, errorInfo]);
    },
    unauthorized(): never {
      host('unauthorized', []);
      return halt();
    },
    isNull,
    isNullOrEmpty,
    isNullOrBlank,
    defaultIfNull: (value: unknown, fallback: unknown): unknown => (isNull(value) ? fallback : value),
    defaultIfNullOrEmpty: (value: unknown, fallback: unknown): unknown =>
      isNullOrEmpty(value) ? fallback : value,
    defaultIfNullOrBlank: (value: unknown, fallback: unknown): unknown =>
      isNullOrBlank(value) ? fallback : value,
    isString: (value: unknown): boolean => typeof value === 'string',
    isNumber: (value: unknown): boolean => typeof value === 'number',
    isBoolean: (value: unknown): boolean => typeof value === 'boolean',
    isList: (value: unknown): boolean => Array.isArray(value),
    isMap: (value: unknown): boolean => typeOf(value) === 'Map',
    typeOf,
    matches,
    authType: (): string => host('authType', []) as string,
    base64Encode,
    base64Decode,
    urlEncode,
    urlDecode,
    escapeJavaScript,
    str: {
      toUpper: (value: string): string => String(value).toUpperCase(),
      toLower: (value: string): string => String(value).toLowerCase(),
      toReplace: (value: string, search: string, replacement: string): string =>
        String(value).split(String(search)).join(String(replacement)),
      normalize: (value: string, form: string): string => String(value).normalize(String(form).toUpperCase()),
    },
    math: {
      roundNum: (value: number): number => Math.round(value),
      minVal: (a: number, b: number): number => Math.min(a, b),
      maxVal: (a: number, b: number): number => Math.max(a, b),
      randomDouble: (): number => Math.random(),
      randomWithinRange: (start: number, end: number): number =>
        start + Math.floor(Math.random() * (end - start + 1)),
    },
    time,
    dynamodb: dynamodbUtil,
    transform,
    http: {
      copyHeaders(headers: Record<string, unknown>): Record<string, unknown> {
        const out: Record<string, unknown> = {};
        for (const [name, value] of Object.entries(headers ?? {})) {
          if (!RESTRICTED_HEADERS.has(name.toLowerCase())) out[name] = value;
        }
        return out;
      },
      addResponseHeader(name: string, value: unknown): void {
        host('addResponseHeader', [name, value]);
      },
      addResponseHeaders(headers: Record<string, unknown>): void {
        for (const [name, value] of Object.entries(headers ?? {})) host('addResponseHeader', [name, value]);
      },
    },
  };
  const runtime = {
    earlyReturn(value?: unknown, options?: { skipTo?: 'END' | 'NEXT' }): never {
      host('earlyReturn', [value, options?.skipTo]);
      return halt();
    },
  };
  const extensions = {
    setSubscriptionFilter: (filter: unknown): void => void host('setSubscriptionFilter', [filter]),
    setSubscriptionInvalidationFilter: (filter: unknown): void =>
      void host('setSubscriptionInvalidationFilter', [filter]),
    invalidateSubscriptions: (invalidation: unknown): void =>
      void host('invalidateSubscriptions', [invalidation]),
    evictFromApiCache: (typeName: string, fieldName: string, keys: unknown): void =>
      void host('evictFromApiCache', [typeName, fieldName, keys]),
  };
  const console_ = {
    log: (...args: unknown[]): void => void host('log', args),
    error: (...args: unknown[]): void => void host('log', args),
    warn: (...args: unknown[]): void => void host('log', args),
    info: (...args: unknown[]): void => void host('log', args),
    debug: (...args: unknown[]): void => void host('log', args),
  };
  return { util, runtime, extensions, console: console_ };
}
