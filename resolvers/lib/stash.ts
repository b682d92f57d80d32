import type { Pricing } from '../../domain/order.js';
import type { ListPlan, MergedPage, ShardPage } from '../../domain/paging.js';
import type { Order, Payment, PaymentNoticeGateInput, VendorOrder } from '../../domain/generated/schema.js';
import type { IdempotencyStash } from './idempotency.js';
import type { RecheckStash } from '../pipeline/recheckPlacedOrder.js';
import type { StoredOrder } from '../../domain/views.js';
import type { OrderReadState } from './orderRead.js';

export type { StoredOrder } from '../../domain/views.js';

/**
 * The stash of each pipeline, written once. A field without `?` is set by the before step or by the step
 * named beside it, before any step that reads it runs; a `?` field is set only on some paths. Steps type
 * their context with these (`Context<Args, PlaceOrderStash>`) instead of casting `ctx.stash.x`.
 */

/** What every mutation's before step stashes: the order it names and the time of the call. */
export interface OrderCallStash {
  orderId: string;
  now: string;
}

/** The stash of the steps that read the order (getOrderItem) and write after it. */
export interface OrderReadStash extends OrderCallStash {
  /** Set by getOrderItem: the order item as stored. */
  order: StoredOrder;
}

/**
 * The stash of the payment pipelines' order reads: readOrderItem (eventually consistent) and, when its
 * answer could not be written, confirmOrderItem (consistent).
 */
export interface ConfirmedOrderReadStash extends OrderReadStash {
  /** Set by readOrderItem, moved on by the write steps and confirmOrderItem (lib/orderRead.ts). */
  orderRead?: OrderReadState;
}

/**
 * Where placeOrder's catalog read stands: `eventual`, priced from the eventually consistent read (the
 * write's conditions guard the values); `confirm`, a refusal of that read, or a write it priced that a
 * changed product cancelled, waits for confirmCatalog's consistent read; `consistent`, priced from that
 * read; `written`, the order is written.
 */
export type CatalogState = 'eventual' | 'confirm' | 'consistent' | 'written';

/**
 * placeOrder. Its `orderId` is derived from the caller and the idempotency key (the before step), so the
 * order item is the key's idempotency record (getPlacedOrder, recheckPlacedOrder, getReplayedOrder).
 */
export interface PlaceOrderStash extends OrderCallStash {
  callerId: string;
  idempotency: IdempotencyStash;
  /** Set on a replay: the id of the order the first call with the same key placed (stash.orderId). */
  replayId?: string;
  /** Set on a replay by a step that read that order consistently: the answer, as read. */
  replayed?: Order;
  /** An error a step held back until the order at the key's id is read again (recheckPlacedOrder). */
  recheck?: RecheckStash;
  correlationId: string;
  /** Set by readCatalog. */
  table: string;
  /** Set by readCatalog and moved on by writeOrder and confirmCatalog; unset on a replay. */
  catalog?: CatalogState;
  /** Set by readCatalog when it can price the order, else by confirmCatalog, which fails on the rest. */
  pricing: Extract<Pricing, { kind: 'priced' }>;
  /** Set by writeOrder: the view of the order it writes. */
  order: Order;
}

/**
 * The payment calls an order remembers, by idempotency key (processPayment keeps its idempotency on the
 * order item): the canonical request of the call and the attempt it started.
 */
export type PaymentKeys = Record<string, { request: string; attempt: number }>;

/** An order as stored with its payment calls, and the token of the attempt that waits for a result. */
export type PayableOrder = StoredOrder;

/** processPayment. */
export interface ProcessPaymentStash extends OrderCallStash {
  callerId: string;
  idempotency: IdempotencyStash;
  /** Set by readOrderItem, again by confirmOrderItem when it runs. */
  order: PayableOrder;
  /** Set by readOrderItem, moved on by writePaymentRequest and confirmOrderItem (lib/orderRead.ts). */
  orderRead?: OrderReadState;
  /** Set by writePaymentRequest. */
  payment: Payment;
  /**
   * Set by writePaymentRequest when its condition failed on the consistently read order
   * (writeConfirmedPaymentRequest): recheckPaymentRequest reads the order again.
   */
  recheck?: boolean;
}

/** cancelOrder. */
export interface CancelOrderStash extends OrderReadStash {
  /** Set by writeCancel: the order as cancelled. */
  updated: Order;
}

/** recordPaymentResult. */
export interface RecordPaymentResultStash extends OrderCallStash {
  /** Set by readOrderItem, again by confirmOrderItem when it runs. */
  order: StoredOrder;
  /** Set by readOrderItem, moved on by writePaymentResult and confirmOrderItem (lib/orderRead.ts). */
  orderRead?: OrderReadState;
  /**
   * Set by writePaymentResult for a charge result it writes; unset again by recheckPaymentResult when
   * that write lost to another call's.
   */
  updated?: Payment;
  /**
   * Set by writePaymentResult when a charge result's condition failed on the consistently read order
   * (writeConfirmedPaymentResult): recheckPaymentResult reads again.
   */
  recheck?: boolean;
  refund?: { vendorId: string; amount: number };
  settleRefund?: boolean;
}

/** updateVendorOrderStatus. */
export interface UpdateVendorOrderStatusStash extends OrderReadStash {
  /** Set by writeVendorOrderStatus: the vendor order as moved. */
  updated: VendorOrder;
}

/**
 * The stash of the list pipelines (the list resolver's before step, listShard, sealShard, batchGetListed):
 * startList sets the plan and the step counters, each step adds what it names.
 */
export interface ListStash {
  list: ListPlan;
  /** The next shard listShard reads, and the one it is reading. */
  listStep: number;
  listShard?: number;
  /** The next shard sealShard seals, and the one it is sealing. */
  sealStep: number;
  sealShard?: number;
  /** One page per shard read, in shard order. */
  shardPages: ShardPage[];
  /** Set by the first sealShard: the merged page. */
  merged?: MergedPage;
  /** Set by batchGetListed. */
  listTable?: string;
}

/** publishNotification and publishSharedNotification (the before step sets both fields). */
export interface NoticeStash {
  /** The payment result the notice waits for (payment consumer only), or null: no gate. */
  gate: PaymentNoticeGateInput | null;
  orderId: string | null;
  /**
   * The key of a gated shared notice's claim copy, the last (publishSharedNotification's before step):
   * gatePaymentNotice reads it with the order, and refuses the notice when it is stored already (it is
   * written only after every other copy was, so it stands for them all).
   */
  copyKeys?: { PK: string; SK: string }[];
  /**
   * Set by gatePaymentNotice, or by the conditional put of a gated notice (putNotification,
   * claimSharedNotification) that found it stored: this call stores and pushes nothing (more).
   */
  refused?: boolean;
}
