import { describe, expect, it } from 'vitest';
import type { PublishBatchCommand } from '@aws-sdk/client-sns';
import {
  MAX_BATCH_BYTES,
  entryBytes,
  mailBatches,
  topicPublisher,
  type SnsSender,
} from '../../../functions/lib/topic.js';

const notice = (i: number, text = 'x') => ({ id: `n${i}`, kind: 'ORDER_PAID', message: text });

/** An SNS client that keeps each PublishBatch input and answers the given failures. */
function fakeSns(failed: { Id: string; Code: string }[] = []) {
  const sent: PublishBatchCommand['input'][] = [];
  const sns: SnsSender = {
    async send(command) {
      sent.push(command.input);
      return { Failed: failed };
    },
  };
  return { sns, sent };
}

describe('mail topic publisher', () => {
  it('publishes the notices of a call in one PublishBatch request, each with its kind attribute', async () => {
    // Prepare
    const { sns, sent } = fakeSns();
    // Act
    await topicPublisher(sns, 'arn:topic')([notice(1), { ...notice(2), kind: 'VENDOR_ORDER_RECEIVED' }]);
    // Assess
    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual({
      TopicArn: 'arn:topic',
      PublishBatchRequestEntries: [
        {
          Id: 'n0',
          Message: JSON.stringify(notice(1)),
          MessageAttributes: { kind: { DataType: 'String', StringValue: 'ORDER_PAID' } },
        },
        {
          Id: 'n1',
          Message: JSON.stringify({ ...notice(2), kind: 'VENDOR_ORDER_RECEIVED' }),
          MessageAttributes: { kind: { DataType: 'String', StringValue: 'VENDOR_ORDER_RECEIVED' } },
        },
      ],
    });
  });

  it('splits the notices into requests of at most 10 entries and 256 KiB, in order', () => {
    // Prepare: 23 small notices, then 3 of 100 KB
    const small = Array.from({ length: 23 }, (_, i) => notice(i));
    const large = Array.from({ length: 3 }, (_, i) => notice(100 + i, 'x'.repeat(100_000)));
    // Act
    const batches = mailBatches([...small, ...large]);
    // Assess
    // the third request takes the last 3 small ones and 2 large ones (about 200 KB), the fourth the last
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5, 1]);
    for (const b of batches) {
      expect(b.reduce((sum, e) => sum + entryBytes(e), 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
      expect(new Set(b.map((e) => e.Id)).size).toBe(b.length);
    }
    const ids = batches.flat().map((e) => (JSON.parse(e.Message!) as { id: string }).id);
    expect(ids).toEqual([...small, ...large].map((n) => n.id));
  });

  it('fails when SNS lists an entry of the batch as failed, naming it', async () => {
    // Prepare
    const { sns } = fakeSns([{ Id: 'n1', Code: 'InternalError' }]);
    // Act
    const publishing = topicPublisher(sns, 'arn:topic')([notice(1), notice(2)]);
    // Assess
    await expect(publishing).rejects.toThrow('SNS did not publish 1 of 2 mails: n1 InternalError');
  });

  it('sends nothing for no notices', async () => {
    // Prepare
    const { sns, sent } = fakeSns();
    // Act
    await topicPublisher(sns, 'arn:topic')([]);
    // Assess
    expect(sent).toEqual([]);
  });
});
