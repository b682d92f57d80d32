import { callerOf } from '../../domain/identity.js';
import {
  orderFromItemOrNull,
  orderView,
  viewOrderFor,
  type OrderItem,
  type StoredOrder,
} from '../../domain/views.js';

/**
 * The order a GetItem of the order item answered, whole (orderFromItem), or null when it is missing or
 * not the caller's (for getOrder's reason: ids cannot be probed).
 */
export function visibleOrder(result: unknown, identity: unknown): StoredOrder | null {
  const order = orderFromItemOrNull(result as OrderItem | null);
  if (!order || !viewOrderFor(orderView(order), callerOf(identity))) return null;
  return order;
}

/**
 * Where a payment pipeline's order read stands (readOrderItem, its write, confirmOrderItem, the same
 * write again): `eventual`, the order comes from the eventually consistent read, and the write's
 * condition (status, version, attempt) proves it current, so only a write that lands is answered;
 * `confirm`, that read found no order, or the write would have refused, replayed or answered without
 * writing, or its condition failed: everything waits for confirmOrderItem's consistent read;
 * `consistent`, the order comes from that read and the write decides as from a first consistent read;
 * `written`, the first write landed and the rest pass its answer on.
 */
export type OrderReadState = 'eventual' | 'confirm' | 'consistent' | 'written';
