import { describe, expect, it } from 'vitest';
import { intentOf, SIMPLE_ANSWER_NOTE, simpleAnswer } from '../../../functions/assistant/fallback.js';
import { answerQuestion } from '../../../functions/assistant/assistant.js';
import { toolsFor } from '../../../functions/assistant/tools.js';
import type { Order } from '../../../domain/generated/schema.js';
import {
  ADA,
  ADA_DECLINED,
  ADA_SHIPPED,
  AURORA,
  BOB,
  BOB_ORDER,
  demoOrders,
  memoryReader,
} from './assistant-fakes.js';

function ask(question: string, asker = ADA, orders: Order[] = demoOrders()) {
  const { reader } = memoryReader(orders);
  return simpleAnswer(question, asker, toolsFor(asker, reader));
}

describe('assistant simple answer (the model is unavailable)', () => {
  it('answers the status of one order named by id', async () => {
    // Act
    const answer = await ask(`What is the status of order ${ADA_DECLINED.toLowerCase()}?`);
    // Assess
    expect(answer.text).toBe(
      `${SIMPLE_ANSWER_NOTE} Order ${ADA_DECLINED} is PAYMENT_FAILED (placed 2026-11-20, 59.80 EUR: 1 × Aurora thermos).`,
    );
    expect(answer.orderIds).toEqual([ADA_DECLINED]);
  });

  it('lists the recent orders', async () => {
    // Act
    const answer = await ask('What did I order last week?');
    // Assess
    expect(answer.text).toBe(
      `${SIMPLE_ANSWER_NOTE} Your latest orders: ${ADA_SHIPPED}: SHIPPED, 59.80 EUR, placed 2026-11-20 (1 × Aurora headlamp, 1 × Borealis filter); ` +
        `${ADA_DECLINED}: PAYMENT_FAILED, 59.80 EUR, placed 2026-11-20 (1 × Aurora thermos).`,
    );
    expect(answer.orderIds).toEqual([ADA_SHIPPED, ADA_DECLINED]);
  });

  it('gives tracking numbers for shipped orders', async () => {
    // Act
    const answer = await ask('Where is my headlamp?');
    // Assess
    expect(answer.text).toBe(
      `${SIMPLE_ANSWER_NOTE} Order ${ADA_SHIPPED} is SHIPPED; tracking: Posten TRK-v-aurora (SHIPPED), Posten TRK-v-borealis (SHIPPED).`,
    );
    expect(answer.orderIds).toEqual([ADA_SHIPPED]);
  });

  it('picks the order whose items the question names', async () => {
    // Prepare: two shipped orders, one with the thermos
    const orders = demoOrders();
    const declined = orders.find((o) => o.id === ADA_DECLINED)!;
    declined.status = 'SHIPPED';
    declined.vendorOrders = declined.vendorOrders.map((v) => ({
      ...v,
      status: 'SHIPPED',
      tracking: { carrier: 'Bring', trackingNumber: 'TRK-thermos', url: null },
    }));
    // Act
    const answer = await ask('Where is my thermos?', ADA, orders);
    // Assess
    expect(answer.text).toBe(
      `${SIMPLE_ANSWER_NOTE} Order ${ADA_DECLINED} is SHIPPED; tracking: Bring TRK-thermos (SHIPPED).`,
    );
    expect(answer.orderIds).toEqual([ADA_DECLINED]);
  });

  it('says when nothing has shipped yet', async () => {
    // Prepare
    const orders = demoOrders().filter((o) => o.id === ADA_DECLINED);
    // Act
    const answer = await ask('Has my order shipped?', ADA, orders);
    // Assess
    expect(answer.text).toContain('None of your recent orders has shipped yet.');
    expect(answer.orderIds).toEqual([ADA_DECLINED]);
  });

  it('explains a failed payment with its reason', async () => {
    // Act
    const answer = await ask('Why was my payment declined?');
    // Assess
    expect(answer.text).toBe(
      `${SIMPLE_ANSWER_NOTE} The payment of 59.80 EUR for order ${ADA_DECLINED} was declined (attempt 1: card_declined). You can pay again or cancel the order.`,
    );
    expect(answer.orderIds).toEqual([ADA_DECLINED]);
  });

  it('lists a vendor’s open parts: to accept and to ship', async () => {
    // Act
    const answer = await ask('Which of my orders still need shipping?', AURORA);
    // Assess: Aurora's thermos part is PENDING (Ada's), its parka part ACCEPTED (Bob's); its shipped part is done
    expect(answer.text).toBe(
      `${SIMPLE_ANSWER_NOTE} Your open parts: ${ADA_DECLINED}: PENDING, to accept (1 × Aurora thermos); ${BOB_ORDER}: ACCEPTED, to ship (1 × Aurora parka).`,
    );
    expect(answer.orderIds).toEqual([ADA_DECLINED, BOB_ORDER]);
  });

  it('answers a vendor about its part of one order only', async () => {
    // Act
    const answer = await ask(`status of ${BOB_ORDER}`, AURORA);
    // Assess
    expect(answer.text).toBe(
      `${SIMPLE_ANSWER_NOTE} Your part of order ${BOB_ORDER} is ACCEPTED; the order is PAID.`,
    );
  });

  it("gives nothing of another customer's order named by id", async () => {
    // Act
    const answers = await Promise.all([
      ask(`What is the status of ${BOB_ORDER}?`),
      ask(`Where is order ${BOB_ORDER}?`),
      ask(`Why did the payment of ${BOB_ORDER} fail?`),
    ]);
    // Assess: the same words as for an order that does not exist
    for (const answer of answers) {
      expect(answer.text).toBe(`${SIMPLE_ANSWER_NOTE} I found no order ${BOB_ORDER} among yours.`);
      expect(answer.orderIds).toEqual([]);
    }
  });

  it('says so when the customer has no orders', async () => {
    // Act
    const answer = await ask('What did I order?', BOB, []);
    // Assess
    expect(answer).toEqual({ text: `${SIMPLE_ANSWER_NOTE} You have no orders yet.`, orderIds: [] });
  });

  it('answers with the simple answer when no model is configured', async () => {
    // Prepare
    const { reader } = memoryReader(demoOrders());
    // Act
    const { answer, report } = await answerQuestion(
      { question: 'Why was my payment declined?', asker: ADA },
      { reader },
    );
    // Assess
    expect(answer.fallback).toBe(true);
    expect(report).toMatchObject({
      source: 'fallback',
      reason: 'not_configured',
      usage: { inputTokens: 0, outputTokens: 0 },
    });
  });
});

describe('assistant intents', () => {
  it.each([
    ['Where is my parka?', ADA, { kind: 'tracking', orderId: null }],
    [`is ${ADA_SHIPPED} delivered yet`, ADA, { kind: 'tracking', orderId: ADA_SHIPPED }],
    ['Why was my card declined?', ADA, { kind: 'paymentFailure', orderId: null }],
    [`${ADA_SHIPPED}?`, ADA, { kind: 'orderStatus', orderId: ADA_SHIPPED }],
    ['What did I order last week?', ADA, { kind: 'recentOrders' }],
    ['Which of my orders still need shipping?', AURORA, { kind: 'openParts' }],
  ] as const)('reads "%s" as its intent', (question, asker, intent) => {
    // Assess
    expect(intentOf(question, asker)).toEqual(intent);
  });
});
