import type { Tool } from '@aws-sdk/client-bedrock-runtime';
import { z } from 'zod';
import type { Caller } from '../../domain/identity.js';
import { ORDER_TRANSITIONS, VENDOR_ORDER_TRANSITIONS } from '../../domain/orderProcess.js';
import { viewOrderFor } from '../../domain/views.js';
import type {
  Order,
  OrderStatus,
  Product,
  VendorOrder,
  VendorOrderStatus,
} from '../../domain/generated/schema.js';
import type { Asker } from './question.js';
import type { OrderReader } from './reader.js';

/**
 * The assistant's tools. Each one reads with the asker's identity: lists come from the asker's own
 * partition, one order passes through the same view as getOrder (domain/views.ts), and the catalog is
 * public. The model chooses only filters and an order id to look up, so no prompt can widen what is read.
 */

/** What one tool call gave: content for the model plus the asker's order ids it contained, or an error. */
export type ToolOutcome =
  | { readonly ok: true; readonly content: Record<string, unknown>; readonly orderIds: readonly string[] }
  | { readonly ok: false; readonly message: string };

/** The tools offered to one asker: their specs for toolConfig, and how to run one by name. */
export interface ToolBox {
  readonly specs: Tool[];
  run(name: string, input: unknown): Promise<ToolOutcome>;
}

/** Most orders or parts one list returns. */
export const MAX_LIST = 20;
/** Most catalog entries one search returns. */
const MAX_CATALOG = 20;
/** Catalog entries scanned for a search (the demo catalog is small; AppSync's listProducts pages too). */
const CATALOG_SCAN = 200;

// The statuses are the keys of the transition tables, so a new status reaches the tools' schemas too.
const ORDER_STATUSES = Object.keys(ORDER_TRANSITIONS) as [OrderStatus, ...OrderStatus[]];
const VENDOR_ORDER_STATUSES = Object.keys(VENDOR_ORDER_TRANSITIONS) as [
  VendorOrderStatus,
  ...VendorOrderStatus[],
];

const limit = z
  .number()
  .int()
  .min(1)
  .max(MAX_LIST)
  .optional()
  .describe(`How many, 1 to ${MAX_LIST}; default 10.`);
const listOrdersInput = z.object({
  status: z.enum(ORDER_STATUSES).optional().describe('Only orders in this status.'),
  limit,
});
const listPartsInput = z.object({
  status: z.enum(VENDOR_ORDER_STATUSES).optional().describe('Only parts in this status.'),
  limit,
});
const getOrderInput = z.object({ orderId: z.string().min(1).max(64).describe('The order id.') });
const catalogInput = z.object({
  query: z.string().max(100).optional().describe('Words of the product name; omit to list the catalog.'),
  vendorId: z.string().max(64).optional().describe('Only this vendor’s products.'),
});

/** An amount in minor units as people read it (every accepted currency has two decimals). */
export function formatAmount(minor: number, currency: string): string {
  return `${(minor / 100).toFixed(2)} ${currency}`;
}

/** The caller as domain/views.ts knows it, from the asker the resolver sent. */
export function callerOfAsker(asker: Asker): Caller {
  return { kind: asker.kind, id: asker.id, vendorId: asker.vendorId, groups: [asker.kind] };
}

function partSummary(v: VendorOrder) {
  return {
    vendorId: v.vendorId,
    status: v.status,
    subtotal: formatAmount(v.subtotal, v.currency),
    tracking: v.tracking ? { carrier: v.tracking.carrier, trackingNumber: v.tracking.trackingNumber } : null,
  };
}

/** One order, as listed: enough for status, recent-orders and tracking questions. */
export function orderSummary(order: Order) {
  return {
    orderId: order.id,
    status: order.status,
    placedAt: order.createdAt,
    total: formatAmount(order.total, order.currency),
    items: order.lines.map((l) => `${l.quantity} × ${l.name}`),
    vendorParts: order.vendorOrders.map(partSummary),
  };
}

/** One order with its lines, payment, tracking and latest status changes. */
export function orderDetail(order: Order) {
  const payment = order.payment;
  return {
    ...orderSummary(order),
    lines: order.lines.map((l) => ({
      vendorId: l.vendorId,
      productId: l.productId,
      name: l.name,
      quantity: l.quantity,
      lineTotal: formatAmount(l.lineTotal, order.currency),
    })),
    payment: payment
      ? {
          status: payment.status,
          amount: formatAmount(payment.amount, payment.currency),
          attempts: payment.attempts,
          failureReason: payment.failureReason ?? null,
          refunded: formatAmount(payment.refundedAmount, payment.currency),
        }
      : null,
    recentChanges: order.statusHistory.slice(-5).map((h) => ({
      to: h.to,
      vendorId: h.vendorId ?? null,
      vendorStatus: h.vendorStatus ?? null,
      reason: h.reason ?? null,
      at: h.at,
    })),
  };
}

/** A vendor's part, as listed to that vendor. */
export function vendorPartSummary(part: VendorOrder) {
  return {
    orderId: part.orderId,
    status: part.status,
    placedAt: part.createdAt,
    subtotal: formatAmount(part.subtotal, part.currency),
    items: part.lines.map((l) => `${l.quantity} × ${l.name}`),
    tracking: part.tracking
      ? { carrier: part.tracking.carrier, trackingNumber: part.tracking.trackingNumber }
      : null,
  };
}

function productSummary(p: Product) {
  return {
    vendorId: p.vendorId,
    productId: p.productId,
    name: p.name,
    price: formatAmount(p.price, p.currency),
    available: p.available,
  };
}

interface ToolDefinition<S extends z.ZodType> {
  readonly description: string;
  readonly input: S;
  run(input: z.infer<S>): Promise<ToolOutcome>;
}

function define<S extends z.ZodType>(definition: ToolDefinition<S>): ToolDefinition<z.ZodType> {
  return definition as unknown as ToolDefinition<z.ZodType>;
}

function inputSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema) as Record<string, unknown>;
  return json;
}

/** The tools for one asker: a customer's orders or a vendor's parts, one order in the asker's view, the catalog. */
export function toolsFor(asker: Asker, reader: OrderReader): ToolBox {
  const caller = callerOfAsker(asker);
  const getOrder = define({
    description:
      asker.kind === 'vendor'
        ? 'One order by id, showing only your part (your lines, status and tracking). Fails if the order has no part of yours.'
        : 'One of your orders by id, with its lines, payment, tracking and latest status changes. Fails if it is not your order.',
    input: getOrderInput,
    async run({ orderId }) {
      const stored = await reader.order(orderId);
      const view = stored ? viewOrderFor(stored, caller) : null;
      // The same answer for "not yours" and "does not exist", as getOrder's NotFound, so ids cannot be probed.
      if (!view) return { ok: false, message: `No order ${orderId} among yours.` };
      return { ok: true, content: { order: orderDetail(view) }, orderIds: [view.id] };
    },
  });
  const catalog = define({
    description: 'Search the public catalog by product name; gives price and stock.',
    input: catalogInput,
    async run({ query, vendorId }) {
      const words = (query ?? '')
        .toLowerCase()
        .split(/\s+/)
        .filter((w) => w !== '');
      const products = (await reader.catalog(CATALOG_SCAN))
        .filter((p) => (vendorId ? p.vendorId === vendorId : true))
        .filter((p) => words.every((w) => p.name.toLowerCase().includes(w)))
        .slice(0, MAX_CATALOG);
      return { ok: true, content: { products: products.map(productSummary) }, orderIds: [] };
    },
  });
  const definitions: Record<string, ToolDefinition<z.ZodType>> = asker.kind === 'vendor'
    ? {
        list_my_vendor_orders: define({
          description: 'Your parts of orders, newest first, optionally only those in one status.',
          input: listPartsInput,
          async run({ status, limit }) {
            const vendorId = asker.vendorId ?? '';
            const parts = (await reader.vendorParts(vendorId, { status, limit: limit ?? 10 })).filter(
              (p) => p.vendorId === vendorId,
            );
            return {
              ok: true,
              content: { vendorOrders: parts.map(vendorPartSummary) },
              orderIds: parts.map((p) => p.orderId),
            };
          },
        }),
        get_order: getOrder,
        search_catalog: catalog,
      }
    : {
        list_my_orders: define({
          description: 'Your orders, newest first, optionally only those in one status.',
          input: listOrdersInput,
          async run({ status, limit }) {
            const orders = (await reader.customerOrders(asker.id, { status, limit: limit ?? 10 }))
              .map((o) => viewOrderFor(o, caller))
              .filter((o): o is Order => o !== null);
            return {
              ok: true,
              content: { orders: orders.map(orderSummary) },
              orderIds: orders.map((o) => o.id),
            };
          },
        }),
        get_order: getOrder,
        search_catalog: catalog,
      };
  return {
    specs: Object.entries(definitions).map(([name, d]) => ({
      toolSpec: { name, description: d.description, inputSchema: { json: inputSchema(d.input) } },
    })) as Tool[],
    async run(name, input) {
      const definition = Object.hasOwn(definitions, name) ? definitions[name] : undefined;
      if (!definition) return { ok: false, message: `There is no tool named ${name}.` };
      const parsed = definition.input.safeParse(input ?? {});
      if (!parsed.success) return { ok: false, message: `Invalid input: ${z.prettifyError(parsed.error)}` };
      return definition.run(parsed.data);
    },
  };
}
