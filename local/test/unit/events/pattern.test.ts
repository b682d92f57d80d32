import { describe, expect, it } from 'vitest';
import { InvalidEventPatternError, matchesPattern, validatePattern } from '../../../events/pattern/index.js';

// The sample event used throughout "Amazon EventBridge event patterns" and the Event Ruler README.
const ec2Event = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

const withDetail = (detail: Record<string, unknown>) => ({ ...ec2Event, detail });

interface Row {
  readonly name: string;
  /** The doc (title / section) whose example the row checks. */
  readonly doc: string;
  readonly pattern: unknown;
  readonly event: unknown;
  readonly matches: boolean;
}

const EVENT_PATTERNS = 'Amazon EventBridge event patterns';
const CONTENT = 'Content filtering in Amazon EventBridge event patterns';
const OPERATORS = 'Comparison operators for use in event patterns';
const NULLS = 'Matching events on null values and empty strings';
const ARRAYS = 'Arrays in Amazon EventBridge event patterns';
const RULER = 'aws/event-ruler README (the matcher EventBridge uses)';

const rows: Row[] = [
  // Exact values, AND across fields, OR within a value array.
  {
    name: 'matches source, detail-type and detail.state',
    doc: `${EVENT_PATTERNS} / example`,
    pattern: {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['running'] },
    },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'treats a value array as OR',
    doc: `${EVENT_PATTERNS} / Matching event values`,
    pattern: { source: ['aws.ec2', 'aws.fargate'] },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'fails when one field of the AND differs',
    doc: `${EVENT_PATTERNS} / example`,
    pattern: { source: ['aws.ec2'], detail: { state: ['terminated'] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'fails when a pattern field is missing from the event',
    doc: `${EVENT_PATTERNS} / event must contain all field names`,
    pattern: { detail: { missing: ['x'] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'is case sensitive for exact strings',
    doc: `${EVENT_PATTERNS} / matching is exact`,
    pattern: { source: ['AWS.EC2'] },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'matches numbers by value',
    doc: `${CONTENT} / Numeric matching (3.018e2)`,
    pattern: { detail: { 'x-limit': [3.018e2] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'fails when a string pattern meets the same digits as a number',
    doc: `${EVENT_PATTERNS} / values must be JSON`,
    pattern: { detail: { 'c-count': ['5'] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'matches booleans literally',
    doc: `${EVENT_PATTERNS} / values are JSON`,
    pattern: { detail: { ok: [true] } },
    event: withDetail({ ok: true }),
    matches: true,
  },
  // Arrays in the event.
  {
    name: 'matches an event array when any element matches',
    doc: `${ARRAYS}`,
    pattern: { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000', 'arn:other'] },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'matches an event array that intersects the pattern array',
    doc: `${ARRAYS} / intersection`,
    pattern: { resources: ['a', 'b'] },
    event: { resources: ['c', 'b', 'd'] },
    matches: true,
  },
  {
    name: 'fails when an event array does not intersect the pattern array',
    doc: `${ARRAYS}`,
    pattern: { resources: ['a'] },
    event: { resources: ['c', 'd'] },
    matches: false,
  },
  {
    name: 'matches inside arrays of objects',
    doc: `${RULER} / JSON Array Matching`,
    pattern: { detail: { items: { sku: ['B'] } } },
    event: withDetail({ items: [{ sku: 'A' }, { sku: 'B' }] }),
    matches: true,
  },
  // null and "".
  {
    name: 'matches an empty string',
    doc: `${NULLS}`,
    pattern: { detail: { eventVersion: [''] } },
    event: withDetail({ eventVersion: '', responseElements: null }),
    matches: true,
  },
  {
    name: 'matches null',
    doc: `${NULLS}`,
    pattern: { detail: { responseElements: [null] } },
    event: withDetail({ eventVersion: '', responseElements: null }),
    matches: true,
  },
  {
    name: 'fails when an empty-string pattern meets null',
    doc: `${NULLS} / not interchangeable`,
    pattern: { detail: { responseElements: [''] } },
    event: withDetail({ responseElements: null }),
    matches: false,
  },
  {
    name: 'fails when a null pattern meets an empty string',
    doc: `${NULLS} / not interchangeable`,
    pattern: { detail: { eventVersion: [null] } },
    event: withDetail({ eventVersion: '' }),
    matches: false,
  },
  // prefix / suffix / equals-ignore-case.
  {
    name: 'matches a prefix',
    doc: `${CONTENT} / Prefix matching`,
    pattern: { time: [{ prefix: '2017-10-02' }] },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'fails when the prefix differs',
    doc: `${CONTENT} / Prefix matching`,
    pattern: { time: [{ prefix: '2018' }] },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'fails when prefix meets a number',
    doc: `${RULER} / prefix only on strings`,
    pattern: { detail: { 'c-count': [{ prefix: '5' }] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'matches a prefix ignoring case',
    doc: `${CONTENT} / Prefix matching while ignoring case`,
    pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
    event: withDetail({ service: 'eventbridge' }),
    matches: true,
  },
  {
    name: 'matches a suffix',
    doc: `${CONTENT} / Suffix matching`,
    pattern: { FileName: [{ suffix: '.png' }] },
    event: { FileName: 'photo.png' },
    matches: true,
  },
  {
    name: 'fails when a suffix differs only in case',
    doc: `${CONTENT} / Suffix matching`,
    pattern: { FileName: [{ suffix: '.png' }] },
    event: { FileName: 'photo.PNG' },
    matches: false,
  },
  {
    name: 'matches a suffix ignoring case',
    doc: `${CONTENT} / Suffix matching while ignoring case`,
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: withDetail({ FileName: 'PHOTO.PNG' }),
    matches: true,
  },
  {
    name: 'matches equals-ignore-case',
    doc: `${CONTENT} / Equals-ignore-case matching`,
    pattern: {
      detail: { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
    },
    event: withDetail({ 'detail-type': 'EC2 Instance State-change Notification' }),
    matches: true,
  },
  // wildcard.
  {
    name: 'matches a wildcard',
    doc: `${CONTENT} / Wildcard matching`,
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    event: { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders' },
    matches: true,
  },
  {
    name: 'fails when the wildcard does not cover the value',
    doc: `${CONTENT} / Wildcard matching`,
    pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
    event: { EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders' },
    matches: false,
  },
  {
    name: 'matches a wildcard in the middle of a file path',
    doc: `${CONTENT} / Wildcard matching`,
    pattern: { FilePath: [{ wildcard: 'dir/*.png' }] },
    event: { FilePath: 'dir/sub/a.png' },
    matches: true,
  },
  {
    name: 'matches an escaped asterisk literally',
    doc: `${RULER} / Wildcard matching (escape with backslash)`,
    pattern: { name: [{ wildcard: 'a\\*b' }] },
    event: { name: 'a*b' },
    matches: true,
  },
  {
    name: 'fails when an escaped asterisk meets other characters',
    doc: `${RULER} / Wildcard matching (escape with backslash)`,
    pattern: { name: [{ wildcard: 'a\\*b' }] },
    event: { name: 'axxb' },
    matches: false,
  },
  {
    name: 'treats regex characters in a wildcard literally',
    doc: `${CONTENT} / Wildcard matching`,
    pattern: { name: [{ wildcard: 'v1.(x)*' }] },
    event: { name: 'v1a(x)yz' },
    matches: false,
  },
  // anything-but.
  {
    name: 'matches anything-but a string',
    doc: `${CONTENT} / Anything-but matching`,
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'fails when the value is the anything-but string',
    doc: `${CONTENT} / Anything-but matching`,
    pattern: { detail: { state: [{ 'anything-but': 'running' }] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'matches anything-but a number',
    doc: `${CONTENT} / Anything-but matching`,
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'fails when the value is in the anything-but list of strings',
    doc: `${CONTENT} / Anything-but matching (list)`,
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'fails when the value is in the anything-but list of numbers',
    doc: `${CONTENT} / Anything-but matching (list)`,
    pattern: { detail: { 'c-count': [{ 'anything-but': [100, 5, 300] }] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'fails when the anything-but field is missing',
    doc: `${RULER} / Anything-but matching`,
    pattern: { detail: { nope: [{ 'anything-but': 'x' }] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'matches anything-but a prefix',
    doc: `${CONTENT} / Anything-but matching (prefix)`,
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'fails when the value has the anything-but prefix',
    doc: `${CONTENT} / Anything-but matching (prefix)`,
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: withDetail({ state: 'initializing' }),
    matches: false,
  },
  {
    name: 'matches anything-but a suffix',
    doc: `${CONTENT} / Anything-but matching (suffix)`,
    pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
    event: { FileName: 'a.txt' },
    matches: true,
  },
  {
    name: 'fails when the value has the anything-but suffix',
    doc: `${CONTENT} / Anything-but matching (suffix)`,
    pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
    event: { FileName: 'a.png' },
    matches: false,
  },
  {
    name: 'fails when the value matches the anything-but wildcard',
    doc: `${OPERATORS} / Anything-but using a wildcard`,
    pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
    event: { FilePath: 'src/lib/a.ts' },
    matches: false,
  },
  {
    name: 'matches anything-but a wildcard',
    doc: `${OPERATORS} / Anything-but using a wildcard`,
    pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
    event: { FilePath: 'src/bin/a.ts' },
    matches: true,
  },
  {
    name: 'fails when the value equals the anything-but string in another case',
    doc: `${OPERATORS} / Anything-but (ignore case)`,
    pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
    event: { state: 'INITIALIZING' },
    matches: false,
  },
  {
    name: 'matches anything-but an ignore-case list',
    doc: `${OPERATORS} / Anything-but (ignore case)`,
    pattern: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'Overloaded'] } }] },
    event: { state: 'running' },
    matches: true,
  },
  {
    name: 'fails when the value is in the anything-but ignore-case list',
    doc: `${OPERATORS} / Anything-but (ignore case)`,
    pattern: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'Overloaded'] } }] },
    event: { state: 'STOPPED' },
    matches: false,
  },
  // numeric.
  {
    name: 'matches numeric ranges on every field',
    doc: `${CONTENT} / Numeric matching`,
    pattern: {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'fails when a value is outside the numeric range',
    doc: `${CONTENT} / Numeric matching`,
    pattern: { detail: { 'c-count': [{ numeric: ['>', 5] }] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'matches an inclusive numeric bound',
    doc: `${CONTENT} / Numeric matching`,
    pattern: { detail: { 'c-count': [{ numeric: ['>=', 5, '<', 6] }] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'fails when numeric meets a string of digits',
    doc: `${CONTENT} / Numeric matching works with JSON numbers`,
    pattern: { detail: { qty: [{ numeric: ['>', 0] }] } },
    event: withDetail({ qty: '5' }),
    matches: false,
  },
  // exists.
  {
    name: 'matches exists true on a present leaf',
    doc: `${CONTENT} / Exists matching`,
    pattern: { detail: { state: [{ exists: true }] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'fails when exists true meets a missing field',
    doc: `${CONTENT} / Exists matching`,
    pattern: { detail: { nope: [{ exists: true }] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'fails when exists true meets an object, not a leaf',
    doc: `${CONTENT} / Exists matching (leaf nodes only)`,
    pattern: { detail: { state: [{ exists: true }] } },
    event: withDetail({ 'c-count': { c1: 100 } }),
    matches: false,
  },
  {
    name: 'matches exists false on a missing field',
    doc: `${CONTENT} / Exists matching`,
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: withDetail({ state: ['initializing', 'running'] }),
    matches: true,
  },
  {
    name: 'matches exists false when the field is an object, not a leaf',
    doc: `${CONTENT} / Exists matching (c-count is not a leaf)`,
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: withDetail({ state: ['initializing', 'running'], 'c-count': { c1: 100 } }),
    matches: true,
  },
  {
    name: 'fails when exists false meets a present leaf',
    doc: `${CONTENT} / Exists matching`,
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'matches exists false when the parent object is missing',
    doc: `${RULER} / Exists matching`,
    pattern: { detail: { deep: { x: [{ exists: false }] } } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'matches exists false on an empty event array',
    doc: `${ARRAYS} / an empty array has no values`,
    pattern: { tags: [{ exists: false }] },
    event: { tags: [] },
    matches: true,
  },
  // cidr.
  {
    name: 'matches an IPv4 address in a CIDR block',
    doc: `${CONTENT} / IP address matching`,
    pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'fails when an IPv4 address is outside the CIDR block',
    doc: `${CONTENT} / IP address matching`,
    pattern: { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'matches an IPv6 address in a CIDR block',
    doc: `${CONTENT} / IP address matching (IPv6)`,
    pattern: { ip: [{ cidr: '2001:db8::/32' }] },
    event: { ip: '2001:db8:1234::1' },
    matches: true,
  },
  {
    name: 'fails when an IPv6 address is outside the CIDR block',
    doc: `${CONTENT} / IP address matching (IPv6)`,
    pattern: { ip: [{ cidr: '2001:db8::/32' }] },
    event: { ip: '2001:db9::1' },
    matches: false,
  },
  {
    name: 'fails when cidr meets a value that is not an IP',
    doc: `${CONTENT} / IP address matching`,
    pattern: { ip: [{ cidr: '10.0.0.0/8' }] },
    event: { ip: 'hello' },
    matches: false,
  },
  // $or.
  {
    name: 'matches a top-level $or through its second branch',
    doc: `${CONTENT} / $or matching`,
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    event: { source: 'aws.cloudwatch', namespace: 'AWS/EC2' },
    matches: true,
  },
  {
    name: 'fails when no $or branch matches',
    doc: `${CONTENT} / $or matching`,
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
    },
    event: { source: 'aws.cloudwatch', namespace: 'AWS/RDS' },
    matches: false,
  },
  {
    name: 'fails when a $or branch matches but a sibling field does not',
    doc: `${CONTENT} / $or matching`,
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
    },
    event: { source: 'aws.ec2', namespace: 'AWS/EC2' },
    matches: false,
  },
  {
    name: 'matches a $or with only top-level alternatives',
    doc: `${CONTENT} / $or matching`,
    pattern: { $or: [{ source: ['a'] }, { 'detail-type': ['b'] }] },
    event: { source: 'x', 'detail-type': 'b' },
    matches: true,
  },
  {
    name: 'matches parallel $or at two levels',
    doc: `${RULER} / Parallel "Or"`,
    pattern: {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    },
    event: { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } },
    matches: true,
  },
  {
    name: 'matches a nested $or inside an AND branch',
    doc: `${RULER} / Nested "Or" and "And"`,
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
      ],
    },
    event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 },
    matches: true,
  },
  {
    name: 'fails when the nested $or inside an AND branch misses',
    doc: `${RULER} / Nested "Or" and "And"`,
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
      ],
    },
    event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1 },
    matches: false,
  },
  // Complex example.
  {
    name: 'matches the complex example combining operators',
    doc: `${CONTENT} / Complex example with multiple matching`,
    pattern: {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    },
    event: ec2Event,
    matches: true,
  },
  // Pipes filtering a DynamoDB stream record.
  {
    name: 'matches DynamoDB stream numbers as strings',
    doc: 'Event filtering in Amazon EventBridge Pipes / DynamoDB',
    pattern: { eventName: ['INSERT'], dynamodb: { NewImage: { qty: { N: ['5'] } } } },
    event: { eventName: 'INSERT', dynamodb: { NewImage: { qty: { N: '5' } } } },
    matches: true,
  },
  {
    name: 'fails when a DynamoDB string number meets a numeric pattern',
    doc: 'Event filtering in Amazon EventBridge Pipes / DynamoDB',
    pattern: { dynamodb: { NewImage: { qty: { N: [5] } } } },
    event: { dynamodb: { NewImage: { qty: { N: '5' } } } },
    matches: false,
  },
];

describe('matchesPattern', () => {
  it.each(rows)('$name ($doc)', ({ pattern, event, matches }) => {
    // Prepare
    validatePattern(pattern);
    // Act
    const result = matchesPattern(pattern, event);
    // Assess
    expect(result).toBe(matches);
  });
});

const invalid: { name: string; pattern: unknown; reason: RegExp }[] = [
  { name: 'rejects a pattern that is not an object', pattern: ['aws.ec2'], reason: /must be a JSON object/ },
  {
    name: 'rejects a bare string value',
    pattern: { source: 'aws.ec2' },
    reason: /source must be an object or an array/,
  },
  {
    name: 'rejects an unknown operator',
    pattern: { source: [{ contains: 'x' }] },
    reason: /unrecognized match type contains/,
  },
  {
    name: 'rejects two operators in one matcher',
    pattern: { source: [{ prefix: 'a', suffix: 'b' }] },
    reason: /exactly one operator/,
  },
  {
    name: 'rejects consecutive wildcard characters',
    pattern: { source: [{ wildcard: 'a**b' }] },
    reason: /consecutive wildcard/,
  },
  {
    name: 'rejects a backslash escaping a letter in a wildcard',
    pattern: { source: [{ wildcard: 'a\\b' }] },
    reason: /escapes a character/,
  },
  {
    name: 'rejects an anything-but list mixing strings and numbers',
    pattern: { x: [{ 'anything-but': ['a', 1] }] },
    reason: /only strings or only numbers/,
  },
  {
    name: 'rejects an anything-but prefix list',
    pattern: { x: [{ 'anything-but': { prefix: ['a', 'b'] } }] },
    reason: /anything-but at x/,
  },
  {
    name: 'rejects an unknown numeric operator',
    pattern: { x: [{ numeric: ['!=', 1] }] },
    reason: /not one of =, <, <=, >, >=/,
  },
  {
    name: 'rejects two lower numeric bounds',
    pattern: { x: [{ numeric: ['>', 1, '>=', 2] }] },
    reason: /two lower bounds/,
  },
  {
    name: 'rejects a non-boolean exists',
    pattern: { x: [{ exists: 'yes' }] },
    reason: /exists at x must be true or false/,
  },
  {
    name: 'rejects a malformed CIDR block',
    pattern: { x: [{ cidr: '10.0.0.0/33' }] },
    reason: /invalid prefix length/,
  },
  {
    name: 'rejects a $or with a single branch',
    pattern: { $or: [{ a: ['b'] }] },
    reason: /at least two pattern objects/,
  },
];

describe('validatePattern', () => {
  it.each(invalid)('$name', ({ pattern, reason }) => {
    // Prepare
    const act = () => validatePattern(pattern);
    // Act + Assess: the error names the exception EventBridge uses and says what is wrong.
    expect(act).toThrow(InvalidEventPatternError);
    expect(act).toThrow(reason);
  });

  it('reports the InvalidEventPatternException code the SDK raises', () => {
    // Prepare
    let caught: unknown;
    // Act
    try {
      validatePattern({ source: 'aws.ec2' });
    } catch (err) {
      caught = err;
    }
    // Assess
    expect((caught as InvalidEventPatternError).code).toBe('InvalidEventPatternException');
  });
});
