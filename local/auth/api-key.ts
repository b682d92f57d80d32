import { createHash, timingSafeEqual } from 'node:crypto';

/** An AppSync API key as the template declares it (AWS::AppSync::ApiKey). */
export interface ApiKeyConfig {
  /** The logical id or ApiKeyId; seeds the local key value when no key is given. */
  readonly id: string;
  /** The key value. @default a stable `da2-` key derived from id */
  readonly key?: string;
  /** Expiry in seconds since the epoch, as the ApiKey Expires property. @default never */
  readonly expires?: number;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * The local value of an API key: `da2-` plus 26 lowercase base32 characters like AppSync's, derived from
 * the id so that clients and tests can compute the same key on every start.
 */
export function localApiKeyValue(id: string): string {
  const digest = createHash('sha256').update(`orderloop-local-api-key:${id}`).digest();
  let out = '';
  for (let i = 0; i < 26; i++) out += BASE32[digest[i]! % 32];
  return `da2-${out}`;
}

/** The outcome of checking an x-api-key header. */
export type ApiKeyCheck = { ok: true; id: string } | { ok: false; reason: 'unknown' | 'expired' };

/** Checks an x-api-key value against the configured keys, honouring expiry at `now`. */
export function verifyApiKey(
  value: string,
  keys: readonly ApiKeyConfig[],
  now: Date = new Date(),
): ApiKeyCheck {
  const given = Buffer.from(value);
  for (const config of keys) {
    const expected = Buffer.from(config.key ?? localApiKeyValue(config.id));
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) continue;
    if (config.expires !== undefined && config.expires * 1000 <= now.getTime())
      return { ok: false, reason: 'expired' };
    return { ok: true, id: config.id };
  }
  return { ok: false, reason: 'unknown' };
}
