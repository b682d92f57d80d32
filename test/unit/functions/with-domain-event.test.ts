import { describe, expect, it } from 'vitest';
import { withDomainEvent, type HandlerTools } from '../../../functions/lib/events.js';
import type { Envelope } from '../../../domain/events/envelope.js';

function tools() {
  const calls: string[] = [];
  const t: HandlerTools = {
    logger: {
      appendKeys: (keys: Record<string, unknown>) => void calls.push(`append ${JSON.stringify(keys)}`),
    } as unknown as HandlerTools['logger'],
    metrics: {
      addMetric: (name: string) => void calls.push(`metric ${name}`),
    } as unknown as HandlerTools['metrics'],
  };
  return { calls, t };
}

const envelope = { type: 'payment.requested', id: 'e-1', correlationId: 'c-1' } as Envelope;

describe('withDomainEvent', () => {
  // Dropping the keys and flushing the metrics is the middleware's part (powertools.test.ts).
  it('logs with the event keys and counts the event once the work succeeds', async () => {
    // Prepare
    const { calls, t } = tools();
    // Act
    const result = await withDomainEvent(envelope, t, async () => {
      calls.push('work');
      return 'done';
    });
    // Assess
    expect(result).toBe('done');
    expect(calls).toEqual([
      'append {"correlationId":"c-1","eventType":"payment.requested","eventId":"e-1"}',
      'work',
      'metric payment.requested',
    ]);
  });

  it('fails when the work fails, without counting the event', async () => {
    // Prepare
    const { calls, t } = tools();
    // Act
    const run = withDomainEvent(envelope, t, async () => {
      throw new Error('boom');
    });
    // Assess
    await expect(run).rejects.toThrow('boom');
    expect(calls).toEqual(['append {"correlationId":"c-1","eventType":"payment.requested","eventId":"e-1"}']);
  });
});
