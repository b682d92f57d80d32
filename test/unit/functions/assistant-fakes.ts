/**
 * Fakes for the assistant's unit tests: orders as the table stores them, an in-memory OrderReader with
 * the table's partition semantics, and Converse responses in the shape Bedrock returns them
 * (Bedrock API reference, Converse: output.message, stopReason, usage, metrics).
 */
import type { ContentBlock, ConverseResponse } from '@aws-sdk/client-bedrock-runtime';
import type { OrderReader } from '../../../functions/assistant/reader.js';
import type { Asker } from '../../../functions/assistant/question.js';
import type { Order, OrderStatus, Payment, Product, VendorOrder } from '../../../domain/generated/schema.js';

/** The demo customer, another customer and a vendor, as the resolver sends them. */
export const ADA: Asker = { kind: 'customer', id: 'sub-ada', vendorId: null };
export const BOB: Asker = { kind: 'customer', id: 'sub-bob', vendorId: null };
export const AURORA: Asker = { kind: 'vendor', id: 'sub-aurora', vendorId: 'v-aurora' };

/** Order ids in the shape placeOrder gives them: 26 characters of Crockford's base 32. */
export const ADA_SHIPPED = '01JD8Z6M5Q9V3X4R7T2W1Y0ABC';
export const ADA_DECLINED = '01JD8Z6M5Q9V3X4R7T2W1Y0ABD';
export const BOB_ORDER = '01JD8Z6M5Q9V3X4R7T2W1Y0ABE';

function part(
  orderId: string,
  vendorId: string,
  status: VendorOrder['status'],
  name: string,
  price: number,
): VendorOrder {
  return {
    orderId,
    vendorId,
    status,
    lines: [
      {
        vendorId,
        productId: `p-${name.split(' ')[1] ?? name}`,
        name,
        quantity: 1,
        unitPrice: price,
        lineTotal: price,
      },
    ],
    subtotal: price,
    currency: 'EUR',
    tracking:
      status === 'SHIPPED' ? { carrier: 'Posten', trackingNumber: `TRK-${vendorId}`, url: null } : null,
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-21T10:00:00.000Z',
    version: 2,
  };
}

/** An order of two vendor parts, in the shape writeOrder stores it. */
export function storedOrder(
  id: string,
  customerId: string,
  status: OrderStatus,
  parts: VendorOrder[],
  payment: Payment | null = null,
): Order {
  return {
    id,
    customerId,
    status,
    lines: parts.flatMap((p) => p.lines),
    vendorOrders: parts,
    vendorIds: parts.map((p) => p.vendorId),
    total: parts.reduce((t, p) => t + p.subtotal, 0),
    currency: 'EUR',
    shippingAddress: {
      name: 'Ada',
      line1: '1 Harbour Street',
      line2: null,
      city: 'Tromsø',
      postalCode: '9008',
      country: 'NO',
    },
    payment,
    statusHistory: [
      {
        from: null,
        to: 'PLACED',
        vendorId: null,
        vendorStatus: null,
        actor: 'CUSTOMER',
        actorId: customerId,
        reason: null,
        at: '2026-11-20T10:00:00.000Z',
      },
    ],
    correlationId: 'corr-1',
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-21T10:00:00.000Z',
    version: 3,
  };
}

function payment(orderId: string, status: Payment['status'], failureReason: string | null): Payment {
  return {
    orderId,
    amount: 5980,
    currency: 'EUR',
    status,
    method: 'CARD',
    attempts: 1,
    failureReason,
    refundedAmount: 0,
    updatedAt: '2026-11-20T10:05:00.000Z',
  };
}

/** Ada's two orders and Bob's one; Bob's parka is what an attacker would want to read. */
export function demoOrders(): Order[] {
  return [
    storedOrder(
      ADA_SHIPPED,
      ADA.id,
      'SHIPPED',
      [
        part(ADA_SHIPPED, 'v-aurora', 'SHIPPED', 'Aurora headlamp', 3490),
        part(ADA_SHIPPED, 'v-borealis', 'SHIPPED', 'Borealis filter', 2490),
      ],
      payment(ADA_SHIPPED, 'SUCCEEDED', null),
    ),
    storedOrder(
      ADA_DECLINED,
      ADA.id,
      'PAYMENT_FAILED',
      [part(ADA_DECLINED, 'v-aurora', 'PENDING', 'Aurora thermos', 5980)],
      payment(ADA_DECLINED, 'DECLINED', 'card_declined'),
    ),
    storedOrder(
      BOB_ORDER,
      BOB.id,
      'PAID',
      [
        part(BOB_ORDER, 'v-aurora', 'ACCEPTED', 'Aurora parka', 19900),
        part(BOB_ORDER, 'v-borealis', 'PENDING', 'Borealis beans', 1290),
      ],
      payment(BOB_ORDER, 'SUCCEEDED', null),
    ),
  ];
}

/** The reads the fake reader was asked for, to show whose partition each tool read. */
export interface ReaderCall {
  readonly method: keyof OrderReader;
  readonly owner: string;
  readonly status?: string | undefined;
}

/** An OrderReader over an in-memory table, with the byCustomer/byVendor partition semantics. */
export function memoryReader(
  orders: Order[],
  products: Product[] = [],
): { reader: OrderReader; calls: ReaderCall[] } {
  const calls: ReaderCall[] = [];
  const reader: OrderReader = {
    async customerOrders(customerId, { status, limit }) {
      calls.push({ method: 'customerOrders', owner: customerId, status });
      return orders
        .filter((o) => o.customerId === customerId && (!status || o.status === status))
        .slice(0, limit);
    },
    async vendorParts(vendorId, { status, limit }) {
      calls.push({ method: 'vendorParts', owner: vendorId, status });
      return orders
        .flatMap((o) => o.vendorOrders)
        .filter((v) => v.vendorId === vendorId && (!status || v.status === status))
        .slice(0, limit);
    },
    async order(orderId) {
      calls.push({ method: 'order', owner: orderId });
      return orders.find((o) => o.id === orderId) ?? null;
    },
    async catalog(limit) {
      calls.push({ method: 'catalog', owner: 'CATALOG' });
      return products.slice(0, limit);
    },
  };
  return { reader, calls };
}

let toolUseCounter = 0;

/** A toolUse content block as Claude on Bedrock returns it. */
export function toolUse(name: string, input: Record<string, string | number>): ContentBlock {
  toolUseCounter += 1;
  return { toolUse: { toolUseId: `tooluse_${toolUseCounter}kZJMlvQmRJ6eAyJE5GIl`, name, input } };
}

/** A Converse response that asks for tools (stopReason tool_use), with a short thought before them. */
export function toolUseResponse(...uses: ContentBlock[]): ConverseResponse {
  return {
    output: { message: { role: 'assistant', content: [{ text: 'Let me look that up.' }, ...uses] } },
    stopReason: 'tool_use',
    usage: { inputTokens: 480, outputTokens: 62, totalTokens: 542 },
    metrics: { latencyMs: 812 },
  };
}

/** A final Converse response (stopReason end_turn). */
export function answerResponse(
  text: string,
  stopReason: ConverseResponse['stopReason'] = 'end_turn',
): ConverseResponse {
  return {
    output: { message: { role: 'assistant', content: [{ text }] } },
    stopReason,
    usage: { inputTokens: 730, outputTokens: 41, totalTokens: 771 },
    metrics: { latencyMs: 655 },
  };
}
