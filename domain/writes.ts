import type { OrderStatus, VendorOrderStatus } from './generated/schema.js';
import type { StatusChangeRecord } from './orderProcess.js';
import { isIndexedStatus, orderStatusPartition } from './keys.js';
import { storedEntryOf } from './views.js';

/**
 * Building blocks of the table writes resolvers make: raw expression parts with plain values, which
 * the resolver turns into typed values with util.dynamodb.toMapValues. Resolver-safe.
 */

/** An update being assembled: SET and REMOVE clauses, condition clauses, names and plain values. */
export interface UpdateParts {
  sets: string[];
  removes: string[];
  conditions: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** An empty update. */
export function emptyUpdate(): UpdateParts {
  return { sets: [], removes: [], conditions: [], names: {}, values: {} };
}

/** The table name, from the GraphQL API's environment variables (ctx.env.TABLE_NAME), or null. */
export function tableNameOf(env: Record<string, string> | null | undefined): string | null {
  const name = env ? env['TABLE_NAME'] : undefined;
  return typeof name === 'string' && name !== '' ? name : null;
}

/**
 * The order-item part of a status change: status, its byStatus entry (kept only for DELIVERED, the
 * completion path's safety net, domain/keys.ts), version + 1, and the history entries as the item stores
 * them (domain/views.ts storedEntryOf: the entry before is the last one read), conditional on the status
 * and version the caller read (optimistic locking). The order's updatedAt is the last entry's time then,
 * so a stored one (a refund's) is removed rather than set.
 */
export function orderStatusChange(
  parts: UpdateParts,
  read: {
    id: string;
    customerId: string;
    status: OrderStatus;
    version: number;
    statusHistory: readonly StatusChangeRecord[];
  },
  to: OrderStatus,
  entries: StatusChangeRecord[],
): UpdateParts {
  parts.names['#status'] = 'status';
  parts.names['#version'] = 'version';
  parts.names['#updatedAt'] = 'updatedAt';
  parts.names['#statusHistory'] = 'statusHistory';
  parts.names['#GSI3PK'] = 'GSI3PK';
  parts.values[':toStatus'] = to;
  parts.values[':fromStatus'] = read.status;
  parts.values[':readVersion'] = read.version;
  parts.values[':nextVersion'] = read.version + 1;
  const last = read.statusHistory[read.statusHistory.length - 1];
  let previousTo: OrderStatus = last ? last.to : read.status;
  const stored: StatusChangeRecord[] = [];
  for (const entry of entries) {
    stored.push(storedEntryOf(entry, previousTo, read.customerId));
    previousTo = entry.to;
  }
  parts.values[':entries'] = stored;
  parts.values[':noEntries'] = [];
  parts.sets.push(
    '#status = :toStatus',
    '#version = :nextVersion',
    '#statusHistory = list_append(if_not_exists(#statusHistory, :noEntries), :entries)',
  );
  parts.removes.push('#updatedAt');
  // A status without a byStatus entry removes the key, so the change writes no index at all when the
  // order was not indexed either (a KEYS_ONLY index is written only when its keys change); an order
  // placed before unpaid orders lost their entries drops its PLACED entry at its next change.
  if (isIndexedStatus(to)) {
    parts.values[':statusPartition'] = orderStatusPartition(to, read.id);
    parts.sets.push('#GSI3PK = :statusPartition');
  } else parts.removes.push('#GSI3PK');
  parts.conditions.push('#status = :fromStatus', '#version = :readVersion');
  return parts;
}

/** Sets one embedded vendor order's status (by its list index) on the order item. */
export function embeddedVendorStatus(
  parts: UpdateParts,
  index: number,
  status: VendorOrderStatus,
  now: string,
  extra: { tracking?: unknown } = {},
): UpdateParts {
  const i = `${index}`;
  parts.names['#vendorOrders'] = 'vendorOrders';
  parts.names['#voStatus'] = 'status';
  parts.names['#voUpdatedAt'] = 'updatedAt';
  parts.names['#voVersion'] = 'version';
  parts.values[`:vo${i}Status`] = status;
  parts.values[':one'] = 1;
  parts.values[':now'] = now;
  parts.sets.push(
    `#vendorOrders[${i}].#voStatus = :vo${i}Status`,
    `#vendorOrders[${i}].#voUpdatedAt = :now`,
    `#vendorOrders[${i}].#voVersion = #vendorOrders[${i}].#voVersion + :one`,
  );
  if (extra.tracking !== undefined) {
    parts.names['#voTracking'] = 'tracking';
    parts.values[`:vo${i}Tracking`] = extra.tracking;
    parts.sets.push(`#vendorOrders[${i}].#voTracking = :vo${i}Tracking`);
  }
  return parts;
}

/** The update expression of an update: its SET clauses, then its REMOVE clauses if any. */
export function setExpression(parts: UpdateParts): string {
  const removes = parts.removes.length > 0 ? ` REMOVE ${parts.removes.join(', ')}` : '';
  return `SET ${parts.sets.join(', ')}${removes}`;
}

/** The condition expression of an update (all clauses must hold). */
export function conditionExpression(parts: UpdateParts): string {
  return parts.conditions.join(' AND ');
}
