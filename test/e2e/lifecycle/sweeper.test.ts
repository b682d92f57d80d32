import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnOrderStatusChangedDocument } from '../../generated/graphql.js';
import { subscribe } from '../support/client.js';
import { eventually, getOrder, getProduct, line, orderReaches, pay, placedOrder } from '../support/orders.js';
import { startScenarioStack, type ScenarioStack } from '../support/scenario-stack.js';

describe('the unpaid-order sweeper', () => {
  let ctx: ScenarioStack;

  beforeAll(async () => {
    // A zero TTL makes every unpaid order already expired when the schedule fires.
    ctx = await startScenarioStack({ unpaidOrderTtlMinutes: 0 });
  });

  afterAll(async () => {
    await ctx?.stack.stop();
  });

  it('cancels an expired unpaid order on its schedule, releases its stock, and leaves a paid order alone', async () => {
    // Prepare: given one order left unpaid and one paid
    const { customer } = ctx.users;
    const before = await getProduct(customer, 'v-aurora', 'p-parka');
    const unpaid = await placedOrder(customer, [line('v-aurora', 'p-parka', 2)]);
    const paid = await placedOrder(customer, [line('v-borealis', 'p-espresso', 1)]);
    await pay(customer, paid.id, 'tok_success');
    await orderReaches(customer, paid.id, 'PAID');
    const reserved = await getProduct(customer, 'v-aurora', 'p-parka');
    const watch = subscribe(customer, OnOrderStatusChangedDocument, { orderId: unpaid.id });
    await watch.started;

    // Act: when the sweeper's rate(5 minutes) rule fires
    await ctx.runSweeper();

    // Assess: the unpaid order is cancelled by the system, and subscribers hear it
    const cancelled = await watch.waitFor((e) => e.status === 'CANCELLED' && e.vendorId === null);
    expect(cancelled).toMatchObject({
      previousStatus: 'PLACED',
      actor: 'SYSTEM',
      reason: 'unpaid for more than 0 minutes',
    });
    const order = await getOrder(customer, unpaid.id);
    expect(order.status).toBe('CANCELLED');
    expect(order.vendorOrders.map((v) => v.status)).toEqual(['CANCELLED']);
    // its reservation went back to the catalog
    expect([reserved.available, reserved.reserved]).toEqual([before.available - 2, before.reserved + 2]);
    await eventually(
      () => getProduct(customer, 'v-aurora', 'p-parka'),
      (p) => p.available === before.available && p.reserved === before.reserved,
      20_000,
      'the parka reservation to be released',
    );
    // and the paid order was not touched
    expect((await getOrder(customer, paid.id)).status).toBe('PAID');
    watch.close();
  }, 60_000);
});
