import { vendorRecipient } from './keys.js';

/**
 * Who is calling, from AppSync's ctx.identity. Resolver-safe: stays inside the APPSYNC_JS subset.
 */

/** The caller as the business rules see it. */
export interface Caller {
  kind: 'admin' | 'vendor' | 'customer' | 'iam' | 'anonymous';
  /** Cognito sub for users, the IAM user ARN for IAM callers. */
  id: string;
  /** Set for vendor users, from the custom:vendorId attribute. */
  vendorId: string | null;
  groups: string[];
}

interface IdentityShape {
  sub?: string;
  groups?: string[] | null;
  claims?: Record<string, unknown>;
  userArn?: string;
  accountId?: string;
}

/** Reads the caller from ctx.identity: admin wins over vendor, vendor over customer. */
export function callerOf(identity: unknown): Caller {
  const id = (identity ?? null) as IdentityShape | null;
  if (!id) return { kind: 'anonymous', id: '', vendorId: null, groups: [] };
  if (id.userArn || id.accountId) return { kind: 'iam', id: id.userArn ?? '', vendorId: null, groups: [] };
  const groups = id.groups ?? [];
  const vendorClaim = id.claims ? id.claims['custom:vendorId'] : undefined;
  const vendorId = typeof vendorClaim === 'string' && vendorClaim !== '' ? vendorClaim : null;
  const sub = id.sub ?? '';
  if (groups.includes('admin')) return { kind: 'admin', id: sub, vendorId, groups };
  if (groups.includes('vendor')) return { kind: 'vendor', id: sub, vendorId, groups };
  if (groups.includes('customer')) return { kind: 'customer', id: sub, vendorId: null, groups };
  return { kind: 'anonymous', id: sub, vendorId: null, groups };
}

/** The notification recipient a signed-in user reads and subscribes as: `vendor#<vendorId>` or the sub. */
export function recipientOf(identity: unknown): string {
  const caller = callerOf(identity);
  if (caller.kind === 'vendor' && caller.vendorId !== null) return vendorRecipient(caller.vendorId);
  return caller.id;
}
