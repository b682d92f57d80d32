import type { Asker } from './question.js';
import type { orderDetail, orderSummary, ToolBox, vendorPartSummary } from './tools.js';

/**
 * The simple answer, for when the model is unavailable (no endpoint, throttled, timed out, access
 * denied): the question's intent from plain keywords, the same tools the model would call, and a
 * template per intent. It says that it is the simple answer.
 */

/** The first sentence of every simple answer. */
export const SIMPLE_ANSWER_NOTE =
  'This is the simple answer: the assistant model is not available right now.';

/** What the question is about, as far as keywords tell. */
export type Intent =
  | { kind: 'orderStatus'; orderId: string }
  | { kind: 'tracking'; orderId: string | null }
  | { kind: 'paymentFailure'; orderId: string | null }
  | { kind: 'recentOrders' }
  | { kind: 'openParts' };

/** A simple answer and the asker's order ids it is about. */
export interface SimpleAnswer {
  readonly text: string;
  readonly orderIds: readonly string[];
}

type OrderDetail = ReturnType<typeof orderDetail>;
type OrderSummary = ReturnType<typeof orderSummary>;
type PartSummary = ReturnType<typeof vendorPartSummary>;

// Order ids are 26 characters of Crockford's base 32: a SHA-256 prefix (placeOrder derives them), or a
// ULID for orders placed before ids were derived.
const ORDER_ID = /\b[0-9A-HJKMNP-TV-Z]{26}\b/i;
const TRACKING_WORDS = /\b(track\w*|where|ship\w*|deliver\w*|arriv\w*|parcel|package|carrier)\b/i;
const PAYMENT_WORDS = /\b(pay\w*|declin\w*|card|charg\w*|fail\w*|refund\w*)\b/i;

/** Reads the intent of a question; an order id in it makes the question about that order. */
export function intentOf(question: string, asker: Asker): Intent {
  const orderId = ORDER_ID.exec(question)?.[0].toUpperCase() ?? null;
  if (PAYMENT_WORDS.test(question) && asker.kind === 'customer') return { kind: 'paymentFailure', orderId };
  if (TRACKING_WORDS.test(question) && asker.kind === 'customer') return { kind: 'tracking', orderId };
  if (orderId) return { kind: 'orderStatus', orderId };
  return asker.kind === 'vendor' ? { kind: 'openParts' } : { kind: 'recentOrders' };
}

/** Answers the question from the tools with a plain template. */
export async function simpleAnswer(question: string, asker: Asker, tools: ToolBox): Promise<SimpleAnswer> {
  const body = await answerIntent(question, intentOf(question, asker), asker, tools);
  return { text: `${SIMPLE_ANSWER_NOTE} ${body.text}`, orderIds: body.orderIds };
}

async function answerIntent(
  question: string,
  intent: Intent,
  asker: Asker,
  tools: ToolBox,
): Promise<SimpleAnswer> {
  switch (intent.kind) {
    case 'orderStatus': {
      const order = await oneOrder(tools, intent.orderId);
      if (!order) return notFound(intent.orderId);
      return { text: statusSentence(order, asker), orderIds: [order.orderId] };
    }
    case 'tracking': {
      if (intent.orderId) {
        const order = await oneOrder(tools, intent.orderId);
        if (!order) return notFound(intent.orderId);
        return { text: trackingSentence(order), orderIds: [order.orderId] };
      }
      const orders = mentioning(await listOrders(tools, {}), question);
      const shipped = orders.filter((o) => o.vendorParts.some((p) => p.tracking !== null));
      if (shipped.length === 0) {
        const latest = orders[0];
        if (!latest) return { text: 'You have no orders yet.', orderIds: [] };
        return {
          text: `None of your recent orders has shipped yet. ${statusSentence(latest, asker)}`,
          orderIds: [latest.orderId],
        };
      }
      return {
        text: shipped.slice(0, 3).map(trackingSentence).join(' '),
        orderIds: shipped.slice(0, 3).map((o) => o.orderId),
      };
    }
    case 'paymentFailure': {
      const orderId =
        intent.orderId ?? (await listOrders(tools, { status: 'PAYMENT_FAILED', limit: 1 }))[0]?.orderId;
      if (!orderId) return { text: 'None of your orders has a failed payment.', orderIds: [] };
      const order = await oneOrder(tools, orderId);
      if (!order) return notFound(orderId);
      return { text: paymentSentence(order), orderIds: [order.orderId] };
    }
    case 'recentOrders': {
      const orders = await listOrders(tools, { limit: 5 });
      if (orders.length === 0) return { text: 'You have no orders yet.', orderIds: [] };
      const list = orders.map(
        (o) =>
          `${o.orderId}: ${o.status}, ${o.total}, placed ${o.placedAt.slice(0, 10)} (${o.items.join(', ')})`,
      );
      return { text: `Your latest orders: ${list.join('; ')}.`, orderIds: orders.map((o) => o.orderId) };
    }
    case 'openParts': {
      const parts = (await listParts(tools)).filter((p) => p.status === 'PENDING' || p.status === 'ACCEPTED');
      if (parts.length === 0)
        return {
          text: 'You have no open parts of orders: nothing waits to be accepted or shipped.',
          orderIds: [],
        };
      const list = parts.map(
        (p) =>
          `${p.orderId}: ${p.status === 'PENDING' ? 'PENDING, to accept' : 'ACCEPTED, to ship'} (${p.items.join(', ')})`,
      );
      return { text: `Your open parts: ${list.join('; ')}.`, orderIds: parts.map((p) => p.orderId) };
    }
  }
}

/** The orders with an item the question names ("where is my parka?"), or all of them when it names none. */
function mentioning(orders: OrderSummary[], question: string): OrderSummary[] {
  const words = question
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 4);
  const named = orders.filter((o) =>
    o.items.some((item) => words.some((w) => item.toLowerCase().includes(w))),
  );
  return named.length > 0 ? named : orders;
}

function notFound(orderId: string): SimpleAnswer {
  return { text: `I found no order ${orderId} among yours.`, orderIds: [] };
}

function statusSentence(order: OrderSummary, asker: Asker): string {
  if (asker.kind === 'vendor') {
    const part = order.vendorParts[0];
    return `Your part of order ${order.orderId} is ${part?.status ?? 'unknown'}; the order is ${order.status}.`;
  }
  return `Order ${order.orderId} is ${order.status} (placed ${order.placedAt.slice(0, 10)}, ${order.total}: ${order.items.join(', ')}).`;
}

function trackingSentence(order: OrderSummary): string {
  const tracked = order.vendorParts.filter((p) => p.tracking !== null);
  if (tracked.length === 0)
    return `Order ${order.orderId} is ${order.status} and has no tracking number yet.`;
  const numbers = tracked.map(
    (p) => `${p.tracking?.carrier ?? ''} ${p.tracking?.trackingNumber ?? ''} (${p.status})`,
  );
  return `Order ${order.orderId} is ${order.status}; tracking: ${numbers.join(', ')}.`;
}

function paymentSentence(order: OrderDetail): string {
  const payment = order.payment;
  if (!payment) return `Order ${order.orderId} is ${order.status} and has no payment yet.`;
  if (payment.status === 'DECLINED' || payment.status === 'FAILED') {
    const why = payment.failureReason ? `: ${payment.failureReason}` : '';
    return `The payment of ${payment.amount} for order ${order.orderId} ${payment.status === 'DECLINED' ? 'was declined' : 'failed'} (attempt ${payment.attempts}${why}). You can pay again or cancel the order.`;
  }
  return `The payment of ${payment.amount} for order ${order.orderId} is ${payment.status}; the order is ${order.status}.`;
}

async function oneOrder(tools: ToolBox, orderId: string): Promise<OrderDetail | null> {
  const outcome = await tools.run('get_order', { orderId });
  return outcome.ok ? (outcome.content['order'] as OrderDetail) : null;
}

async function listOrders(
  tools: ToolBox,
  input: { status?: string; limit?: number },
): Promise<OrderSummary[]> {
  const outcome = await tools.run('list_my_orders', input);
  return outcome.ok ? (outcome.content['orders'] as OrderSummary[]) : [];
}

async function listParts(tools: ToolBox): Promise<PartSummary[]> {
  const outcome = await tools.run('list_my_vendor_orders', { limit: 20 });
  return outcome.ok ? (outcome.content['vendorOrders'] as PartSummary[]) : [];
}
