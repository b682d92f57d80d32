/**
 * The steps of the order-lifecycle scenarios, as a customer, a vendor or an admin takes them. Each step
 * is one API call through the user-level client; the scenarios read as given / when / then on top.
 */
import { randomUUID } from 'node:crypto';
import {
  GetOrderDocument,
  GetProductDocument,
  PlaceOrderDocument,
  ProcessPaymentDocument,
  UpdateVendorOrderStatusDocument,
  type GetOrderQuery,
  type GetProductQuery,
  type OrderLineInput,
  type OrderStatus,
  type PlaceOrderMutation,
  type VendorOrderStatus,
} from '../../generated/graphql.js';
import { graphql, signIn, type ClientEndpoints, type GraphQLResult, type Session } from './client.js';

/** The seeded demo users (local/seed.ts), by role. */
export interface DemoSessions {
  readonly customer: Session;
  readonly customer2: Session;
  readonly aurora: Session;
  readonly borealis: Session;
  readonly admin: Session;
}

/** A user as the endpoints file lists it. */
export interface ListedUser {
  readonly username: string;
  readonly password: string;
}

/** Signs in every demo user the endpoints file lists; fails naming the one that is missing. */
export async function signInDemoUsers(
  endpoints: ClientEndpoints & { users: readonly ListedUser[] },
): Promise<DemoSessions> {
  const as = (username: string) => {
    const user = endpoints.users.find((u) => u.username === username);
    if (!user)
      throw new Error(`the endpoints list no demo user ${username}; start the stack with seed: true`);
    return signIn(endpoints, user.username, user.password);
  };
  const [customer, customer2, aurora, borealis, admin] = await Promise.all([
    as('customer@orderloop.local'),
    as('customer2@orderloop.local'),
    as('aurora@orderloop.local'),
    as('borealis@orderloop.local'),
    as('admin@orderloop.local'),
  ]);
  return { customer, customer2, aurora, borealis, admin };
}

/** A delivery address that passes validation. */
export const SHIPPING_ADDRESS = {
  name: 'Ada Customer',
  line1: '1 Harbour Street',
  city: 'Tromsø',
  postalCode: '9008',
  country: 'NO',
} as const;

/** An order line of `quantity` units of a seeded product. */
export function line(vendorId: string, productId: string, quantity = 1): OrderLineInput {
  return { vendorId, productId, quantity };
}

/** Fails with the call's errors when a step that must succeed did not. */
export function expectData<T>(result: GraphQLResult<T>, what: string): T {
  if (result.errors?.length || !result.data) {
    throw new Error(`${what} failed (HTTP ${result.status}): ${JSON.stringify(result.errors ?? result)}`);
  }
  return result.data;
}

/** The customer places an order; the answer is returned as is so failures can be asserted. */
export function placeOrder(
  customer: Session,
  lines: readonly OrderLineInput[],
  idempotencyKey: string = randomUUID(),
): Promise<GraphQLResult<PlaceOrderMutation>> {
  return graphql(customer, PlaceOrderDocument, {
    input: { lines: [...lines], shippingAddress: SHIPPING_ADDRESS },
    idempotencyKey,
  });
}

/** The customer places an order that must succeed, and gets it back. */
export async function placedOrder(
  customer: Session,
  lines: readonly OrderLineInput[],
): Promise<PlaceOrderMutation['placeOrder']> {
  return expectData(await placeOrder(customer, lines), 'placeOrder').placeOrder;
}

/** The customer pays with one of the simulator's test tokens (schema.graphql, ProcessPaymentInput). */
export async function pay(customer: Session, orderId: string, paymentToken: string): Promise<void> {
  expectData(
    await graphql(customer, ProcessPaymentDocument, {
      input: { orderId, paymentToken, method: 'CARD' },
      idempotencyKey: randomUUID(),
    }),
    `processPayment(${paymentToken})`,
  );
}

/** A vendor moves its part of an order; SHIPPED carries tracking, as the schema requires. */
export async function moveVendorPart(
  vendor: Session,
  orderId: string,
  vendorId: string,
  status: VendorOrderStatus,
  reason?: string,
): Promise<void> {
  const tracking =
    status === 'SHIPPED'
      ? { carrier: 'Posten', trackingNumber: `TRK-${vendorId}-${orderId.slice(-6)}` }
      : undefined;
  const input = {
    orderId,
    vendorId,
    status,
    ...(tracking ? { tracking } : {}),
    ...(reason ? { reason } : {}),
  };
  // ConcurrentModification is documented as "retry the call" (schema.graphql): another writer (a refund
  // of another vendor's part, say) changed the order between the read and the write, as a client must
  // expect in AWS too. Retry it a few times, like a client; any other error fails at once.
  let result = await graphql(vendor, UpdateVendorOrderStatusDocument, { input });
  for (let attempt = 1; attempt < 3 && isConcurrentModification(result); attempt++)
    result = await graphql(vendor, UpdateVendorOrderStatusDocument, { input });
  expectData(result, `updateVendorOrderStatus(${vendorId} → ${status})`);
}

function isConcurrentModification(result: GraphQLResult<unknown>): boolean {
  return (result.errors ?? []).some(
    (e) => (e as { errorType?: string }).errorType === 'ConcurrentModification',
  );
}

/** The order as the caller sees it. */
export async function getOrder(
  session: Session,
  id: string,
): Promise<NonNullable<GetOrderQuery['getOrder']>> {
  const order = expectData(await graphql(session, GetOrderDocument, { id }), `getOrder(${id})`).getOrder;
  if (!order) throw new Error(`getOrder(${id}) answered null`);
  return order;
}

/** A product's stock and price as the catalog shows it. */
export async function getProduct(
  session: Session,
  vendorId: string,
  productId: string,
): Promise<NonNullable<GetProductQuery['getProduct']>> {
  const product = expectData(
    await graphql(session, GetProductDocument, { vendorId, productId }),
    'getProduct',
  ).getProduct;
  if (!product) throw new Error(`product ${vendorId}/${productId} not found`);
  return product;
}

/**
 * Polls `read` until `done` holds, for state that the asynchronous consumers set (the pipe → bus →
 * Lambda chain). Fails with the last value seen, so a stuck scenario says where it stopped.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
  what = 'the condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}

/** Waits until the order reaches `status`, polling getOrder as the given user. */
export function orderReaches(session: Session, orderId: string, status: OrderStatus, timeoutMs?: number) {
  return eventually(
    () => getOrder(session, orderId),
    (o) => o.status === status,
    timeoutMs,
    `order ${orderId} to be ${status}`,
  );
}
