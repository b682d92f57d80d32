import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { completeDeliveredOrder, type SweeperDeps } from '../../../functions/sweeper/logic.js';

function order(status: string) {
  return {
    PK: 'ORDER#o-1',
    SK: 'ORDER',
    id: 'o-1',
    customerId: 'c-1',
    status,
    version: 7,
    vendorOrders: [{ vendorId: 'v-1', status: 'DELIVERED' }],
    statusHistory: [],
  };
}

function fakeDeps(stored: ReturnType<typeof order> | undefined) {
  const writes: UpdateCommand[] = [];
  const deps: SweeperDeps = {
    doc: {
      send: (async (command: unknown) => {
        if (command instanceof GetCommand) return { Item: stored };
        if (command instanceof UpdateCommand) {
          writes.push(command);
          return {};
        }
        throw new Error(`unexpected command ${String(command)}`);
      }) as SweeperDeps['doc']['send'],
    },
    tableName: 'orders',
    logger: { info: () => undefined, warn: () => undefined },
    clock: () => new Date('2026-11-22T10:00:00.000Z'),
    unpaidTtlMinutes: 30,
  };
  return { deps, writes };
}

describe('completing a delivered order', () => {
  it('moves a DELIVERED order to COMPLETED in one UpdateItem conditional on its status and version', async () => {
    // Prepare
    const { deps, writes } = fakeDeps(order('DELIVERED'));
    // Act
    const completed = await completeDeliveredOrder('o-1', deps);
    // Assess
    expect(completed).toBe(true);
    expect(writes).toHaveLength(1);
    const update = writes[0]!.input;
    expect(update.Key).toEqual({ PK: 'ORDER#o-1', SK: 'ORDER' });
    expect(Object.values(update.ExpressionAttributeValues ?? {})).toEqual(
      expect.arrayContaining(['COMPLETED', 'DELIVERED', 7]),
    );
    expect(update.ConditionExpression).toBeTruthy();
  });

  it('changes nothing when the order is no longer DELIVERED, so a redelivered event is harmless', async () => {
    // Prepare
    const { deps, writes } = fakeDeps(order('COMPLETED'));
    // Act
    const completed = await completeDeliveredOrder('o-1', deps);
    // Assess
    expect(completed).toBe(false);
    expect(writes).toHaveLength(0);
  });

  it('changes nothing when the order does not exist', async () => {
    const { deps, writes } = fakeDeps(undefined);
    expect(await completeDeliveredOrder('o-1', deps)).toBe(false);
    expect(writes).toHaveLength(0);
  });
});
