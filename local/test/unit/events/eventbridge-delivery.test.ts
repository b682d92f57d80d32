import { describe, expect, it } from 'vitest';
import {
  deliverToTarget,
  TargetDeliveryError,
  type EventBridgeEvent,
  type MessageAttribute,
  type TargetPorts,
} from '../../../events/eventbridge/index.js';

const event: EventBridgeEvent = {
  version: '0',
  id: 'e-1',
  'detail-type': 'OrderPlaced',
  source: 'orderloop.orders',
  account: '000000000000',
  time: '2024-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { orderId: 'o-1' },
};
const rule = {
  name: 'r',
  arn: 'arn:aws:events:us-east-1:000000000000:rule/r',
  busName: 'default',
  state: 'ENABLED' as const,
  targets: [],
};
const dlq = 'arn:aws:sqs:us-east-1:000000000000:dlq';

/** Ports whose Lambda hand-off always throws `error`, recording what reaches the DLQ. */
function failingPorts(error: Error) {
  const dead: Record<string, MessageAttribute>[] = [];
  let calls = 0;
  const ports: TargetPorts = {
    async invokeLambdaAsync() {
      calls++;
      throw error;
    },
    async sendToQueue(_arn, _body, attributes) {
      dead.push({ ...attributes });
    },
  };
  return { ports, dead, calls: () => calls };
}

describe('deliverToTarget', () => {
  it('stops retrying once the event is older than MaximumEventAgeInSeconds', async () => {
    // Prepare: every wait advances a fake clock by 30 s.
    const { ports, dead } = failingPorts(new Error('boom'));
    let clock = Date.parse('2024-01-01T00:00:00Z');
    const target = {
      id: 't',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:f',
      deadLetterArn: dlq,
      retryPolicy: { maximumEventAgeInSeconds: 60 },
    };
    // Act
    const outcome = await deliverToTarget(event, {
      rule,
      target,
      ports,
      ingestionTime: '2024-01-01T00:00:00Z',
      timing: { now: () => clock, sleep: async () => void (clock += 30_000), backoff: () => 0 },
    });
    // Assess: "Event retry policy and using dead-letter queues" — whichever limit is reached first.
    expect(outcome).toEqual({ type: 'dead-lettered', attempts: 3, errorCode: 'SDK_CLIENT_ERROR' });
    expect(dead[0]?.EXHAUSTED_RETRY_CONDITION?.StringValue).toBe('MaximumEventAgeExhausted');
  });

  it('sends a non-retryable failure straight to the DLQ', async () => {
    // Prepare
    const { ports, dead, calls } = failingPorts(
      new TargetDeliveryError('NO_RESOURCE', 'Function not found', false),
    );
    const target = {
      id: 't',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:gone',
      deadLetterArn: dlq,
    };
    // Act
    const outcome = await deliverToTarget(event, {
      rule,
      target,
      ports,
      ingestionTime: event.time,
      timing: { backoff: () => 0 },
    });
    // Assess: the docs — missing resources go to the DLQ without retry attempts.
    expect(calls()).toBe(1);
    expect(outcome.type).toBe('dead-lettered');
    expect(dead[0]?.ERROR_CODE?.StringValue).toBe('NO_RESOURCE');
    expect(dead[0]?.RETRY_ATTEMPTS?.StringValue).toBe('0');
  });

  it('drops the event when retries run out and the target has no DLQ', async () => {
    // Prepare
    const { ports, dead, calls } = failingPorts(new Error('boom'));
    const target = {
      id: 't',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:f',
      retryPolicy: { maximumRetryAttempts: 0 },
    };
    // Act
    const outcome = await deliverToTarget(event, {
      rule,
      target,
      ports,
      ingestionTime: event.time,
      timing: { backoff: () => 0 },
    });
    // Assess
    expect(calls()).toBe(1);
    expect(outcome).toEqual({ type: 'dropped', attempts: 1, errorCode: 'SDK_CLIENT_ERROR' });
    expect(dead).toEqual([]);
  });
});
