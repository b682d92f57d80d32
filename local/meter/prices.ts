/**
 * The one price table of the meter: us-east-1, on-demand, no free tier, no volume tiers. Each price
 * names the AWS page it comes from and the day it was read (through the stored copies of those pages
 * the project's search tool serves; `confirmed: false` marks a price whose figure that copy did not
 * show, taken from the issue or a secondary source instead: check it before relying on it).
 */

/** Every dimension the meter counts. */
export type Dimension =
  | 'appsync.query'
  | 'appsync.mutation'
  | 'appsync.realtimeUpdate'
  | 'appsync.connectionMinute'
  | 'dynamodb.writeRequestUnit'
  | 'dynamodb.readRequestUnit'
  | 'dynamodb.streamReadRequest'
  | 'pipes.request'
  | 'eventbridge.event'
  | 'lambda.request'
  | 'lambda.gbSecondArm'
  | 'lambda.gbSecondX86'
  | 'sqs.request'
  | 'sns.request'
  | 'logs.ingestedByte'
  | 'bedrock.inputToken'
  | 'bedrock.outputToken';

/** One price: dollars per `per` units of a dimension. */
export interface Price {
  readonly service: string;
  readonly unit: string;
  readonly dollars: number;
  readonly per: number;
  readonly source: string;
  readonly read: string;
  readonly confirmed: boolean;
  readonly note?: string;
}

const READ = '2026-12-01';

/** us-east-1 on-demand prices by dimension. */
export const PRICES: Readonly<Record<Dimension, Price>> = {
  'appsync.query': {
    service: 'AppSync',
    unit: 'query',
    dollars: 4.0,
    per: 1e6,
    source: 'https://aws.amazon.com/appsync/pricing/',
    read: READ,
    confirmed: false,
    note: 'query and data modification operations; figure from the issue and awsi.click, the stored AWS page cut it off',
  },
  'appsync.mutation': {
    service: 'AppSync',
    unit: 'mutation',
    dollars: 4.0,
    per: 1e6,
    source: 'https://aws.amazon.com/appsync/pricing/',
    read: READ,
    confirmed: false,
    note: 'same price as queries',
  },
  'appsync.realtimeUpdate': {
    service: 'AppSync',
    unit: 'real-time update (5 KB)',
    dollars: 2.0,
    per: 1e6,
    source: 'https://aws.amazon.com/appsync/pricing/',
    read: READ,
    confirmed: true,
    note: 'outbound messages broadcast; the page also counts WebSocket operations such as connects, which the hub does not meter',
  },
  'appsync.connectionMinute': {
    service: 'AppSync',
    unit: 'connection-minute',
    dollars: 0.08,
    per: 1e6,
    source: 'https://aws.amazon.com/appsync/pricing/',
    read: READ,
    confirmed: true,
  },
  'dynamodb.writeRequestUnit': {
    service: 'DynamoDB',
    unit: 'write request unit',
    dollars: 0.625,
    per: 1e6,
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    read: READ,
    confirmed: false,
    note: 'after the November 2024 cut; figure from the issue and airbyte.com, the stored AWS page showed the unit rules only',
  },
  'dynamodb.readRequestUnit': {
    service: 'DynamoDB',
    unit: 'read request unit',
    dollars: 0.125,
    per: 1e6,
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    read: READ,
    confirmed: false,
    note: 'after the November 2024 cut',
  },
  'dynamodb.streamReadRequest': {
    service: 'DynamoDB Streams',
    unit: 'GetRecords call',
    dollars: 0.02,
    per: 1e5,
    source:
      'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CostOptimization_StreamsUsage.html',
    read: READ,
    confirmed: false,
    note:
      'only Lambda triggers and global tables read free, so a pipe pays per GetRecords (first 2.5M a month free); ' +
      'the figure is from the DynamoDB pricing page as remembered, not from a stored copy',
  },
  'pipes.request': {
    service: 'EventBridge Pipes',
    unit: 'request (64 KB, after filtering)',
    dollars: 0.4,
    per: 1e6,
    source: 'https://aws.amazon.com/eventbridge/pricing/',
    read: READ,
    confirmed: false,
    note: 'figure from cloudburn.io and the issue',
  },
  'eventbridge.event': {
    service: 'EventBridge',
    unit: 'custom event (64 KB)',
    dollars: 1.0,
    per: 1e6,
    source: 'https://aws.amazon.com/eventbridge/pricing/',
    read: READ,
    confirmed: false,
    note: 'figure from cloudburn.io and the issue',
  },
  'lambda.request': {
    service: 'Lambda',
    unit: 'request',
    dollars: 0.2,
    per: 1e6,
    source: 'https://aws.amazon.com/lambda/pricing/',
    read: READ,
    confirmed: false,
    note: 'every execution counts, async retries included',
  },
  'lambda.gbSecondArm': {
    service: 'Lambda',
    unit: 'GB-second (arm64)',
    dollars: 0.0000133334,
    per: 1,
    source: 'https://aws.amazon.com/lambda/pricing/',
    read: READ,
    confirmed: false,
    note: 'first tier; duration rounded up to 1 ms (confirmed on the stored page)',
  },
  'lambda.gbSecondX86': {
    service: 'Lambda',
    unit: 'GB-second (x86_64)',
    dollars: 0.0000166667,
    per: 1,
    source: 'https://aws.amazon.com/lambda/pricing/',
    read: READ,
    confirmed: false,
    note: 'first tier',
  },
  'sqs.request': {
    service: 'SQS',
    unit: 'request (64 KB)',
    dollars: 0.4,
    per: 1e6,
    source: 'https://aws.amazon.com/sqs/pricing/',
    read: READ,
    confirmed: false,
    note: 'standard queues, first 100 billion a month; figure from cloudburn.io',
  },
  'sns.request': {
    service: 'SNS',
    unit: 'publish (64 KB)',
    dollars: 0.5,
    per: 1e6,
    source: 'https://aws.amazon.com/sns/pricing/',
    read: READ,
    confirmed: false,
    note: 'standard topics; figure from awsnegotiations.com',
  },
  'logs.ingestedByte': {
    service: 'CloudWatch Logs',
    unit: 'byte ingested',
    dollars: 0.5,
    per: 1024 ** 3,
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    read: READ,
    confirmed: false,
    note: 'standard class, first tier of Lambda (vended) logs since May 2025; figure from duckbillgroup.com',
  },
  'bedrock.inputToken': {
    service: 'Bedrock',
    unit: 'input token (Claude 3 Haiku)',
    dollars: 0.25,
    per: 1e6,
    source: 'https://aws.amazon.com/bedrock/pricing/',
    read: READ,
    confirmed: false,
    note: "the assistant's default model, on demand; figure from inventivehq.com, the stored AWS page cut the table off",
  },
  'bedrock.outputToken': {
    service: 'Bedrock',
    unit: 'output token (Claude 3 Haiku)',
    dollars: 1.25,
    per: 1e6,
    source: 'https://aws.amazon.com/bedrock/pricing/',
    read: READ,
    confirmed: false,
    note: 'as the input tokens',
  },
};

/** The dollars `units` of a dimension cost. */
export function dollarsOf(dimension: Dimension, units: number): number {
  const price = PRICES[dimension];
  return (units * price.dollars) / price.per;
}
