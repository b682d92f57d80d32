import { describe, expect, it } from 'vitest';
import { withDomainEvent, type HandlerTools } from '../../../functions/lib/events.js';
import type { Envelope } from '../../../domain/events/envelope.js';

function tools() {
  const calls: string[] = [];
  const t: HandlerTools = {
    logger: {
      appendKeys: (keys: Record<string, unknown>) => void calls.push(`append ${JSON.stringify(keys)}`),
      removeKeys: (keys: string[]) => void calls.push(`remove ${keys.join(',')}`),
    } as unknown as HandlerTools['logger'],
    metrics: {
      addMetric: (name: string) => void calls.push(`metric ${name}`),
      publishStoredMetrics: () => void calls.push('publish'),
    } as unknown as HandlerTools['metrics'],
  };
  return { calls, t };
}

const envelope = { type: 'payment.requested', id: 'e-1', correlationId: 'c-1' } as Envelope;

describe('withDomainEvent', () => {
  it('logs with the event keys, counts the event and flushes metrics around successful work', async () => {
    // Prepare
    const { calls, t } = tools();
    // Act
    const result = await withDomainEvent(envelope, t, async () => 'done');
    // Assess
    expect(result).toBe('done');
    expect(calls).toEqual([
      'append {"correlationId":"c-1","eventType":"payment.requested","eventId":"e-1"}',
      'metric payment.requested',
      'publish',
      'remove correlationId,eventType,eventId',
    ]);
  });

  it('fails when the work fails, without counting the event, and still flushes and clears the keys', async () => {
    // Prepare
    const { calls, t } = tools();
    // Act
    const run = withDomainEvent(envelope, t, async () => {
      throw new Error('boom');
    });
    // Assess
    await expect(run).rejects.toThrow('boom');
    expect(calls).not.toContain('metric payment.requested');
    expect(calls.slice(-2)).toEqual(['publish', 'remove correlationId,eventType,eventId']);
  });
});
