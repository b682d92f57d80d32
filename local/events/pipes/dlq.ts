import type { DeadLetterCondition, DeadLetterMessage, PipeStreamRecord } from './types.js';

const isoSeconds = (epochSeconds: number) =>
  new Date(Math.floor(epochSeconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The DLQ body of a pipe with a DynamoDB stream source. Like Lambda's on-failure record for streams it
 * carries where the records sit in the stream (DDBStreamBatchInfo), never the records themselves, so a
 * consumer re-reads them with GetShardIterator(AT_SEQUENCE_NUMBER) while the stream still holds them.
 * The shape and field order are those of messages recorded from AWS: `{ context: { partnerResourceArn,
 * condition }, version: '1.0', timestamp, DDBStreamBatchInfo: { shardId, startSequenceNumber,
 * endSequenceNumber, approximateArrivalOfFirstRecord, approximateArrivalOfLastRecord, batchSize,
 * streamArn } }` (the Kinesis twin has KinesisBatchInfo); the message carries no message attributes.
 * `npm run replay` re-reads and re-sends them (local/replay/pipe.ts).
 */
export function deadLetterMessage(
  records: readonly PipeStreamRecord[],
  info: { pipeArn: string; shardId: string; streamArn: string; condition: DeadLetterCondition; now: number },
): DeadLetterMessage {
  const first = records[0];
  const last = records[records.length - 1];
  if (!first || !last) throw new Error('a dead-letter message needs at least one record');
  return {
    context: { partnerResourceArn: info.pipeArn, condition: info.condition },
    version: '1.0',
    timestamp: new Date(info.now).toISOString(),
    DDBStreamBatchInfo: {
      shardId: info.shardId,
      startSequenceNumber: first.dynamodb.SequenceNumber,
      endSequenceNumber: last.dynamodb.SequenceNumber,
      approximateArrivalOfFirstRecord: isoSeconds(first.dynamodb.ApproximateCreationDateTime),
      approximateArrivalOfLastRecord: isoSeconds(last.dynamodb.ApproximateCreationDateTime),
      batchSize: records.length,
      streamArn: info.streamArn,
    },
  };
}
