import { describe, expect, it } from 'vitest';
import { localApiKeyValue, verifyApiKey } from '../../../auth/api-key.js';

const NOW = new Date('2025-03-01T12:00:00Z');
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

describe('AppSync API keys', () => {
  it('derives a da2- key of 26 lowercase characters that is the same on every start', () => {
    // Prepare
    const id = 'OrderApiDefaultApiKey';
    // Act
    const first = localApiKeyValue(id);
    const again = localApiKeyValue(id);
    // Assess: AppSync API keys look like da2-<26 characters>
    expect(first).toMatch(/^da2-[a-z2-7]{26}$/);
    expect(again).toBe(first);
    expect(localApiKeyValue('OtherKey')).not.toBe(first);
  });

  it('accepts the derived key of a configured id that has no explicit value', () => {
    // Act
    const result = verifyApiKey(localApiKeyValue('k1'), [{ id: 'k1' }], NOW);
    // Assess
    expect(result).toEqual({ ok: true, id: 'k1' });
  });

  it('accepts an explicit key value before it expires', () => {
    // Prepare
    const keys = [{ id: 'k1', key: 'da2-abcdefghijklmnopqrstuvwxyz', expires: seconds(NOW) + 60 }];
    // Act
    const result = verifyApiKey('da2-abcdefghijklmnopqrstuvwxyz', keys, NOW);
    // Assess
    expect(result.ok).toBe(true);
  });

  it('rejects a key once its expiry time has passed', () => {
    // Prepare: AWS::AppSync::ApiKey Expires is in seconds since the epoch
    const keys = [{ id: 'k1', expires: seconds(NOW) }];
    // Act
    const result = verifyApiKey(localApiKeyValue('k1'), keys, NOW);
    // Assess
    expect(result).toEqual({ ok: false, reason: 'expired' });
  });

  it('rejects a key that is not configured', () => {
    // Act
    const result = verifyApiKey('da2-notakeyofthisapi0000000000', [{ id: 'k1' }], NOW);
    // Assess
    expect(result).toEqual({ ok: false, reason: 'unknown' });
  });
});
