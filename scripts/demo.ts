/**
 * `npm run demo`: one two-vendor order through the running local stack (`npm start` in another
 * terminal), as its users would drive it: the customer watches its orders, places and pays, each vendor
 * accepts, ships and delivers, and every status change is printed as it arrives until COMPLETED.
 *
 * ORDERLOOP_ENDPOINTS points at another endpoints file (the e2e test runs the demo against its own stack).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LocalStackEndpoints } from '@orderloop/local/endpoints';
import { ENDPOINTS_FILE } from '@orderloop/local/endpoints';
import {
  OnMyOrdersChangedDocument,
  OnOrderPlacedDocument,
  type OnMyOrdersChangedSubscription,
  type VendorOrderStatus,
} from '../test/generated/graphql.js';
import { signIn, subscribe, type Session } from '../test/e2e/support/client.js';
import { line, moveVendorPart, pay, placedOrder } from '../test/e2e/support/orders.js';

/** How long the demo waits for any one status change before it gives up. */
const STEP_TIMEOUT_MS = 60_000;

type StatusEvent = NonNullable<OnMyOrdersChangedSubscription['onMyOrdersChanged']>;

/** A failure the demo explains itself; anything else is a failed step, whose message names it. */
class DemoError extends Error {}

function readEndpoints(): LocalStackEndpoints {
  const path = resolve(process.env.ORDERLOOP_ENDPOINTS ?? ENDPOINTS_FILE);
  if (!existsSync(path)) {
    throw new DemoError(
      `No running local stack: ${path} does not exist.\n` +
        'Start the stack with `npm start` in another terminal, wait for "ready", then run `npm run demo` again.',
    );
  }
  return JSON.parse(readFileSync(path, 'utf8')) as LocalStackEndpoints;
}

async function signInAs(
  endpoints: LocalStackEndpoints,
  pick: (u: LocalStackEndpoints['users'][number]) => boolean,
  role: string,
) {
  const user = endpoints.users.find(pick);
  if (!user)
    throw new DemoError(
      `The endpoints file lists no ${role}; was the stack started with the demo seed (npm start)?`,
    );
  try {
    return await signIn(endpoints, user.username, user.password);
  } catch (error) {
    throw new DemoError(
      `Could not sign in as ${user.username} at ${endpoints.cognito.endpoint}: ${(error as Error).message}\n` +
        'Is `npm start` still running?',
    );
  }
}

function print(
  event: Pick<StatusEvent, 'status' | 'version' | 'vendorId' | 'vendorStatus' | 'reason'>,
): void {
  const time = new Date().toISOString().slice(11, 23);
  const part = event.vendorId ? `  vendor ${event.vendorId}: ${event.vendorStatus ?? '?'}` : '';
  const reason = event.reason ? `  (${event.reason})` : '';
  process.stdout.write(`${time}  ${event.status.padEnd(15)} v${event.version}${part}${reason}\n`);
}

async function main(): Promise<void> {
  const endpoints = readEndpoints();
  const customer = await signInAs(endpoints, (u) => u.groups.includes('customer'), 'customer');
  const vendors: [Session, string][] = [];
  for (const vendorId of ['v-aurora', 'v-borealis']) {
    vendors.push([await signInAs(endpoints, (u) => u.vendorId === vendorId, `vendor ${vendorId}`), vendorId]);
  }
  process.stdout.write(`signed in as ${customer.username}, ${vendors.map(([s]) => s.username).join(', ')}\n`);

  // Subscribed before placing, so the first status (PLACED) cannot be missed; printed as it arrives.
  // PLACED is placeOrder's own answer, pushed through onOrderPlaced; every later status through onMyOrdersChanged.
  let orderId = '';
  let printed = 0;
  const printNew = () => {
    const mine = live.events.filter((e) => e.orderId === orderId);
    mine.slice(printed).forEach(print);
    printed = mine.length;
  };
  const live = subscribe(customer, OnMyOrdersChangedDocument, {}, { onEvent: () => orderId && printNew() });
  const placedLive = subscribe(customer, OnOrderPlacedDocument, {});
  await Promise.all([live.started, placedLive.started]);
  const next = (what: string, match: (e: StatusEvent) => boolean) =>
    live
      .waitFor((e) => e.orderId === orderId && match(e), STEP_TIMEOUT_MS)
      .catch(() => {
        throw new DemoError(`No ${what} within ${STEP_TIMEOUT_MS / 1000} s`);
      });

  try {
    const order = await placedOrder(customer, [
      line('v-aurora', 'p-headlamp', 1),
      line('v-borealis', 'p-espresso', 2),
    ]);
    orderId = order.id;
    const parts = order.vendorOrders.map((v) => `${v.vendorId} ${v.subtotal}`).join(', ');
    process.stdout.write(`placed order ${order.id}: ${order.total} ${order.currency} (${parts})\n`);
    const placed = await placedLive
      .waitFor((o) => o.id === orderId, STEP_TIMEOUT_MS)
      .catch(() => {
        throw new DemoError(`No PLACED within ${STEP_TIMEOUT_MS / 1000} s`);
      });
    print({
      status: placed.status,
      version: placed.version,
      vendorId: null,
      vendorStatus: null,
      reason: null,
    });
    printNew();

    await pay(customer, order.id, 'tok_success');
    process.stdout.write('paid with tok_success\n');
    await next('PAID', (e) => e.status === 'PAID' && !e.vendorId);

    const steps: VendorOrderStatus[] = ['ACCEPTED', 'SHIPPED', 'DELIVERED'];
    for (const [session, vendorId] of vendors) {
      for (const status of steps) {
        await moveVendorPart(session, order.id, vendorId, status);
        await next(`${vendorId} ${status}`, (e) => e.vendorId === vendorId && e.vendorStatus === status);
      }
    }
    await next('DELIVERED', (e) => e.status === 'DELIVERED' && !e.vendorId);
    await next('COMPLETED', (e) => e.status === 'COMPLETED');
    process.stdout.write(`order ${order.id} COMPLETED\n`);
  } finally {
    live.close();
    placedLive.close();
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`demo failed: ${message}\n`);
  process.exit(1);
}
