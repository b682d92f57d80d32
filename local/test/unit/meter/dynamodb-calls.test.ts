import { describe, expect, it } from 'vitest';
import { CostMeter, streamsAnswerMeter } from '../../../meter/index.js';

describe('the stream meter on the pipes’ in-process StreamsClient answers', () => {
  it('bills a GetRecords that returned records, notes an empty one, and ignores the other operations', () => {
    // Prepare
    const meter = new CostMeter();
    const onAnswer = streamsAnswerMeter(meter);
    // Act
    onAnswer('GetRecords', { Records: [{}, {}], NextShardIterator: 'i' });
    onAnswer('GetRecords', { Records: [], NextShardIterator: 'i' });
    onAnswer('DescribeStream', { StreamDescription: { Shards: [] } });
    onAnswer('GetShardIterator', { ShardIterator: 'i' });
    // Assess: one stream read request unit per GetRecords with records (DynamoDB Streams pricing)
    const reading = meter.read();
    expect(reading.totals).toEqual({ 'dynamodb.streamReadRequest': 1 });
    expect(reading.details).toEqual({
      'dynamodb.streamReadRequest GetRecords with records': 1,
      'unpriced dynamodb.streamReadRequest empty GetRecords (idle polling, billed by time)': 1,
    });
  });
});
