import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../cognito/passwords.js';

describe('local Cognito password hashing', () => {
  it('stores a salted scrypt hash that verifies the password and nothing else', async () => {
    // Prepare
    const password = 'Correct-Horse-1';
    // Act
    const stored = await hashPassword(password);
    // Assess
    expect(JSON.stringify(stored)).not.toContain(password);
    expect(await verifyPassword(password, stored)).toBe(true);
    expect(await verifyPassword('Correct-Horse-2', stored)).toBe(false);
  });

  it('salts every hash, so one password never hashes the same twice', async () => {
    // Act
    const [a, b] = await Promise.all([hashPassword('same-password'), hashPassword('same-password')]);
    // Assess
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
  });
});
