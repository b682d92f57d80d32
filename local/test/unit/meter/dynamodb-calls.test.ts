import { describe, expect, it } from 'vitest';
import { CostMeter, streamsAnswerMeter } from '../../../meter/index.js';
import { recordDynamoDbCall } from '../../../meter/dynamodb-calls.js';

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

describe('the DynamoDB meter on a transaction', () => {
  it('bills at least two units per item of a transaction, whatever DynamoDB Local reports', () => {
    // Prepare
    const meter = new CostMeter();
    const put = { Put: { TableName: 't', Item: {} } };
    const update = { Update: { TableName: 't', Key: {} } };
    // Act: three items, reported as 4 table units and 2 index units
    recordDynamoDbCall(meter, 'TransactWriteItems', { TransactItems: [put, update, update] }, 200, {
      ConsumedCapacity: [
        {
          TableName: 't',
          CapacityUnits: 6,
          Table: { CapacityUnits: 4 },
          GlobalSecondaryIndexes: { g: { CapacityUnits: 2 } },
        },
      ],
    });
    // Assess
    expect(meter.read().details['dynamodb.writeRequestUnit t TransactWriteItems']).toBe(6);
    expect(meter.read().details['dynamodb.writeRequestUnit t/g TransactWriteItems']).toBe(2);
  });
});
