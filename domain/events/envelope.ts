import { z } from 'zod';
import type { ActorType, OrderStatus, PaymentStatus, VendorOrderStatus } from '../generated/schema.js';
import { ORDER_TRANSITIONS, VENDOR_ORDER_TRANSITIONS } from '../orderProcess.js';

/**
 * Domain events on the bus: a versioned envelope around typed data. The stream enricher builds them from
 * table stream records; the consumers parse them with these schemas.
 */

/** The EventBridge source every domain event carries. */
export const EVENT_SOURCE = 'orderloop.orders';
/** The EventBridge detail-type every domain event carries; rules route on detail.type. */
export const EVENT_DETAIL_TYPE = 'orderloop.domain-event';

/** Every value of a generated enum type, from a record that must name each one exactly once. */
function enumOf<T extends string>(values: Record<T, true>) {
  return z.enum(Object.keys(values) as [T, ...T[]]);
}

// The generated enum types (enumsAsTypes) have no runtime values: the transition tables hold one entry
// per status, and these records must name every value, so a schema change fails the type check here.
const orderStatus = z.enum(Object.keys(ORDER_TRANSITIONS) as [OrderStatus, ...OrderStatus[]]);
const vendorOrderStatus = z.enum(
  Object.keys(VENDOR_ORDER_TRANSITIONS) as [VendorOrderStatus, ...VendorOrderStatus[]],
);
const paymentStatus = enumOf<PaymentStatus>({
  PENDING: true,
  SUCCEEDED: true,
  DECLINED: true,
  FAILED: true,
  REFUNDED: true,
  PARTIALLY_REFUNDED: true,
});
const actor = enumOf<ActorType>({ CUSTOMER: true, VENDOR: true, ADMIN: true, SYSTEM: true });

/** A line as stored on an order. */
export const LineSchema = z.object({
  vendorId: z.string(),
  productId: z.string(),
  name: z.string(),
  quantity: z.number().int(),
  unitPrice: z.number().int(),
  lineTotal: z.number().int(),
});

/** A payment as stored on an order. */
export const PaymentSchema = z.object({
  orderId: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  status: paymentStatus,
  method: z.string().nullable().optional(),
  attempts: z.number().int(),
  failureReason: z.string().nullable().optional(),
  refundedAmount: z.number().int(),
  updatedAt: z.string(),
});

/** An order changed status (order.statusChanged), including its creation (previousStatus null). */
export const OrderStatusChangedSchema = z.object({
  orderId: z.string(),
  customerId: z.string(),
  vendorIds: z.array(z.string()),
  status: orderStatus,
  previousStatus: orderStatus.nullable(),
  total: z.number().int(),
  currency: z.string(),
  lines: z.array(LineSchema),
  payment: PaymentSchema.nullable(),
  reason: z.string().nullable(),
  actor,
  version: z.number().int(),
  at: z.string(),
  vendorOrders: z.array(z.object({ vendorId: z.string(), status: vendorOrderStatus })),
});

/** A vendor's part of an order changed status (vendorOrder.statusChanged). */
export const VendorOrderStatusChangedSchema = z.object({
  orderId: z.string(),
  vendorId: z.string(),
  customerId: z.string(),
  status: vendorOrderStatus,
  previousStatus: vendorOrderStatus.nullable(),
  lines: z.array(LineSchema),
  subtotal: z.number().int(),
  currency: z.string(),
  reason: z.string().nullable(),
  version: z.number().int(),
  at: z.string(),
});

/** A customer asked to pay an order (payment.requested). */
export const PaymentRequestedSchema = z.object({
  orderId: z.string(),
  customerId: z.string(),
  attempt: z.number().int(),
  amount: z.number().int(),
  currency: z.string(),
  paymentToken: z.string(),
  method: z.string().nullable(),
  requestedAt: z.string(),
});

/** A product's stock or price changed (product.changed). */
export const ProductChangedSchema = z.object({
  vendorId: z.string(),
  productId: z.string(),
  name: z.string(),
  available: z.number().int(),
  previousAvailable: z.number().int().nullable(),
  reserved: z.number().int(),
  lowStockThreshold: z.number().int(),
});

/** Every event type and the schema of its data. */
export const EVENT_SCHEMAS = {
  'order.statusChanged': OrderStatusChangedSchema,
  'vendorOrder.statusChanged': VendorOrderStatusChangedSchema,
  'payment.requested': PaymentRequestedSchema,
  'product.changed': ProductChangedSchema,
} as const;

/** A domain event type. */
export type EventType = keyof typeof EVENT_SCHEMAS;

/** The current envelope version; a consumer rejects versions it does not know. */
export const ENVELOPE_VERSION = 1;

/** The fields every envelope carries besides its type and data. */
const envelopeFields = {
  version: z.literal(ENVELOPE_VERSION),
  /** Deterministic: the stream record's eventID, so a redelivery carries the same id. */
  id: z.string().min(1),
  time: z.string(),
  correlationId: z.string().min(1),
};

function envelopeOfType<T extends EventType>(type: T) {
  return z.object({ type: z.literal(type), ...envelopeFields, data: EVENT_SCHEMAS[type] });
}

/**
 * The envelope every domain event travels in: a union discriminated on `type`, so a consumer narrows
 * `data` with a switch or an if on `type` and never casts it.
 */
export const EnvelopeSchema = z.discriminatedUnion('type', [
  envelopeOfType('order.statusChanged'),
  envelopeOfType('vendorOrder.statusChanged'),
  envelopeOfType('payment.requested'),
  envelopeOfType('product.changed'),
]);

// Every event type has its member in the union.
const _complete: [EventType] extends [z.infer<typeof EnvelopeSchema>['type']] ? true : never = true;

/** A parsed envelope with typed data; `Envelope<'order.statusChanged'>` is one member of the union. */
export type Envelope<T extends EventType = EventType> = Extract<z.infer<typeof EnvelopeSchema>, { type: T }>;

/** Parses an envelope and its data; throws a ZodError naming the bad field. */
export function parseEnvelope(value: unknown): Envelope {
  return EnvelopeSchema.parse(value);
}

/** Narrows an envelope to one type. */
export function isEvent<T extends EventType>(envelope: Envelope, type: T): envelope is Envelope<T> {
  return envelope.type === type;
}
