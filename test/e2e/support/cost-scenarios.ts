/**
 * The named cost scenarios `npm run cost` measures, driven as users drive the stack (sign in, call the
 * API, watch the subscription). Each returns once the chain it started has gone quiet, so the meter
 * holds every unit the orders caused.
 */
import { OnOrderStatusChangedDocument } from '../../generated/graphql.js';
import type { LocalStack } from '@orderloop/local/stack';
import { subscribe } from './client.js';
import { line, moveVendorPart, pay, placedOrder, type DemoSessions } from './orders.js';

/** One scenario: what one order does; run it `orders` times to average. */
export interface CostScenario {
  readonly name: string;
  readonly description: string;
  /** Resolves with how many status events the subscriber received, once the chain is quiet. */
  run(stack: LocalStack, users: DemoSessions): Promise<{ readonly delivered: number }>;
}

/**
 * Three lines from two vendors, as the base scenario orders them, of the demo products with the
 * most stock (40 headlamps allow 19 measured orders per scenario after the warm-ups), so no order runs
 * into the low-stock path, which has a cost of its own.
 */
const LINES = [
  line('v-aurora', 'p-headlamp', 1),
  line('v-borealis', 'p-espresso', 1),
  line('v-borealis', 'p-filter', 1),
];

/** base: place → pay → PAID pushed to the one subscriber (the customer watching the order). */
export const BASE: CostScenario = {
  name: 'base',
  description: '3 lines from 2 vendors, place → pay → PAID pushed to 1 subscriber',
  async run(stack, { customer }) {
    const order = await placedOrder(customer, LINES);
    const watch = subscribe(customer, OnOrderStatusChangedDocument, { orderId: order.id });
    await watch.started;
    await pay(customer, order.id, 'tok_success');
    await watch.waitFor((e) => e.status === 'PAID' && e.vendorId === null);
    await closeAndSettle(stack, watch.close);
    return { delivered: watch.events.length };
  },
};

/** full: the same order to COMPLETED, each vendor accepting, shipping and delivering its part. */
export const FULL: CostScenario = {
  name: 'full',
  description: 'the base order to COMPLETED through both vendors, with its notifications',
  async run(stack, { customer, aurora, borealis }) {
    const order = await placedOrder(customer, LINES);
    const watch = subscribe(customer, OnOrderStatusChangedDocument, { orderId: order.id });
    await watch.started;
    await pay(customer, order.id, 'tok_success');
    await watch.waitFor((e) => e.status === 'PAID' && e.vendorId === null);
    for (const [vendor, vendorId] of [
      [aurora, 'v-aurora'],
      [borealis, 'v-borealis'],
    ] as const) {
      for (const status of ['ACCEPTED', 'SHIPPED', 'DELIVERED'] as const) {
        await moveVendorPart(vendor, order.id, vendorId, status);
        await watch.waitFor((e) => e.vendorId === vendorId && e.vendorStatus === status);
      }
    }
    await watch.waitFor((e) => e.status === 'COMPLETED');
    await closeAndSettle(stack, watch.close);
    return { delivered: watch.events.length };
  },
};

/** Every named scenario, in the order `npm run cost` runs them. */
export const COST_SCENARIOS: readonly CostScenario[] = [BASE, FULL];

/**
 * Closes the subscriber and waits for the stack to go quiet: the events chain idle, and the closed
 * connection's minutes on the meter (the hub records them when it sees the socket close).
 */
export async function closeAndSettle(stack: LocalStack, close: () => void): Promise<void> {
  const minutes = () => stack.meter.read().totals['appsync.connectionMinute'] ?? 0;
  const before = minutes();
  close();
  await stack.idle();
  await until(() => minutes() > before, 'the closed subscription to reach the meter');
  await stack.idle();
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
