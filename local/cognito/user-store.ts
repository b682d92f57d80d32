import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PasswordHash } from './passwords.js';

/** The user statuses Cognito reports (UserStatusType) that the local pool uses. */
export type UserStatus = 'CONFIRMED' | 'UNCONFIRMED' | 'FORCE_CHANGE_PASSWORD';

/** A user as the local pool keeps it; the password only as a salted hash. */
export interface StoredUser {
  readonly username: string;
  readonly sub: string;
  status: UserStatus;
  enabled: boolean;
  password: PasswordHash;
  /** Attributes by name, sub excluded (email, email_verified, custom:vendorId, ...). */
  attributes: Record<string, string>;
  groups: string[];
  readonly createdAt: string;
  updatedAt: string;
}

interface PersistedUsers {
  readonly version: 1;
  readonly pools: Record<string, StoredUser[]>;
}

/**
 * Users by pool. With a persist path every change is written to a JSON file (atomically, via rename),
 * so seeded and signed-up users survive a restart; the file holds hashes, never passwords.
 */
export class UserStore {
  private readonly pools = new Map<string, Map<string, StoredUser>>();

  constructor(private readonly persistPath?: string) {
    if (persistPath && existsSync(persistPath)) this.load(persistPath);
  }

  /** The user, or undefined. */
  get(userPoolId: string, username: string): StoredUser | undefined {
    return this.pools.get(userPoolId)?.get(username);
  }

  /** The pool's users, oldest first. */
  list(userPoolId: string): StoredUser[] {
    return [...(this.pools.get(userPoolId)?.values() ?? [])];
  }

  /** Whether the pool has this user. */
  has(userPoolId: string, username: string): boolean {
    return this.get(userPoolId, username) !== undefined;
  }

  /** Adds or replaces a user and persists. */
  put(userPoolId: string, user: StoredUser): void {
    let pool = this.pools.get(userPoolId);
    if (!pool) this.pools.set(userPoolId, (pool = new Map()));
    pool.set(user.username, user);
    this.save();
  }

  /** Removes a user and persists. */
  delete(userPoolId: string, username: string): void {
    this.pools.get(userPoolId)?.delete(username);
    this.save();
  }

  /** Persists after an in-place change to a user returned by get(). */
  touch(user: StoredUser, now: Date): void {
    user.updatedAt = now.toISOString();
    this.save();
  }

  private load(path: string): void {
    const data = JSON.parse(readFileSync(path, 'utf8')) as PersistedUsers;
    for (const [poolId, users] of Object.entries(data.pools ?? {})) {
      this.pools.set(poolId, new Map(users.map((u) => [u.username, u])));
    }
  }

  private save(): void {
    if (!this.persistPath) return;
    const data: PersistedUsers = {
      version: 1,
      pools: Object.fromEntries([...this.pools].map(([id, users]) => [id, [...users.values()]])),
    };
    mkdirSync(dirname(this.persistPath), { recursive: true });
    const tmp = `${this.persistPath}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data, null, 2));
    renameSync(tmp, this.persistPath);
  }
}
