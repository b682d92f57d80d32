import { PublishBatchCommand, type PublishBatchRequestEntry } from '@aws-sdk/client-sns';

/** Most entries of one PublishBatch request ("PublishBatch", Amazon SNS API Reference). */
export const MAX_BATCH_ENTRIES = 10;

/**
 * Most bytes of one PublishBatch request, its messages' bodies and attributes together (the topic's
 * default MaximumMessageSize, 256 KiB; "PublishBatch", Amazon SNS API Reference).
 */
export const MAX_BATCH_BYTES = 262_144;

/** A notice as the mail topic carries it: its JSON body, and its kind as the `kind` message attribute. */
export interface MailNotice {
  readonly kind: string;
}

/** The bytes SNS counts for one entry: the body, and each attribute's name, data type and value. */
export function entryBytes(entry: PublishBatchRequestEntry): number {
  let bytes = Buffer.byteLength(entry.Message ?? '', 'utf8');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {}))
    bytes +=
      Buffer.byteLength(name, 'utf8') +
      Buffer.byteLength(value.DataType ?? '', 'utf8') +
      Buffer.byteLength(value.StringValue ?? '', 'utf8') +
      (value.BinaryValue?.byteLength ?? 0);
  return bytes;
}

/**
 * The notices as PublishBatch entries, in as few requests as SNS allows: up to 10 entries and 256 KiB a
 * request, in order. Ids are the entry's place in its request, so they are unique within it.
 */
export function mailBatches(notices: readonly MailNotice[]): PublishBatchRequestEntry[][] {
  const batches: PublishBatchRequestEntry[][] = [];
  let current: PublishBatchRequestEntry[] = [];
  let bytes = 0;
  for (const notice of notices) {
    const entry: PublishBatchRequestEntry = {
      Id: '',
      Message: JSON.stringify(notice),
      MessageAttributes: { kind: { DataType: 'String', StringValue: notice.kind } },
    };
    const size = entryBytes(entry);
    if (current.length === MAX_BATCH_ENTRIES || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ ...entry, Id: `n${current.length}` });
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The slice of the SNS client the publisher needs, so unit tests pass a fake. */
export interface SnsSender {
  send(command: PublishBatchCommand): Promise<{ Failed?: { Id?: string; Code?: string }[] }>;
}

/**
 * Publishes notices to the mail topic in PublishBatch requests (one for up to 10 small notices, where
 * Publish took one each). SNS answers a batch with 200 even when some entries failed, so a failed entry
 * fails the call with the entries' codes; the callers' at-most-once rule then applies to the batch.
 */
export function topicPublisher(sns: SnsSender, topicArn: string) {
  return async (notices: readonly MailNotice[]): Promise<void> => {
    for (const entries of mailBatches(notices)) {
      const out = await sns.send(
        new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries }),
      );
      const failed = out.Failed ?? [];
      if (failed.length > 0)
        throw new Error(
          `SNS did not publish ${failed.length} of ${entries.length} mails: ` +
            failed.map((f) => `${f.Id ?? '?'} ${f.Code ?? 'unknown'}`).join(', '),
        );
    }
  };
}
