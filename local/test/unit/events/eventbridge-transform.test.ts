import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../../aws-json.js';
import { targetInput, validateTargetInput } from '../../../events/eventbridge/transform.js';
import type { EventBridgeEvent } from '../../../events/eventbridge/types.js';

// The Amazon EC2 event from "Amazon EventBridge input transformation" / Input transform examples.
const event: EventBridgeEvent = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
};

const ctx = {
  ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example',
  ruleName: 'example',
  ingestionTime: '2015-11-11T21:29:55Z',
};

const inputPathsMap = { timestamp: '$.time', instance: '$.detail.instance-id', state: '$.detail.state' };
const transform = (inputTemplate: string, paths: Record<string, string> = inputPathsMap) =>
  targetInput(event, { inputTransformer: { inputPathsMap: paths, inputTemplate } }, ctx);

describe('targetInput with an InputTransformer', () => {
  // Each row is one row of the examples table in "Amazon EventBridge input transformation".
  it.each([
    ['a simple string', '"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'],
    [
      'a string with escaped quotes',
      '"instance \\"<instance>\\" is in <state>"',
      '"instance \\"i-0123456789\\" is in RUNNING"',
    ],
    [
      'simple JSON',
      '{\n  "instance" : <instance>,\n  "state": <state>\n}',
      '{"instance":"i-0123456789","state":"RUNNING"}',
    ],
    [
      'JSON with strings and variables',
      '{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}',
      '{"instance":"i-0123456789","state":"RUNNING","instanceStatus":"instance \\"i-0123456789\\" is in RUNNING"}',
    ],
    [
      'JSON with a mix of variables and static information',
      '{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}',
      '{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}',
    ],
    ['reserved variables in a string', '"<aws.events.rule-name> triggered"', '"example triggered"'],
  ])('renders %s', (_name, template, expected) => {
    // Prepare (table row)
    // Act
    const out = transform(template);
    // Assess
    expect(out).toBe(expected);
  });

  it('includes reserved variables in JSON, with the original event without its detail', () => {
    // Prepare
    const template =
      '{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, "at": <aws.events.event.ingestion-time>, "originalEvent": <aws.events.event>, "full": <aws.events.event.json>}';
    // Act
    const out = JSON.parse(transform(template)) as Record<string, Record<string, unknown>>;
    // Assess: "Predefined variables" — aws.events.event has no detail, aws.events.event.json does.
    expect(out.ruleArn).toBe(ctx.ruleArn);
    expect(out.ruleName).toBe('example');
    expect(out.at).toBe(ctx.ingestionTime);
    expect(out.originalEvent).toEqual({ ...event, detail: undefined });
    expect(out.originalEvent).not.toHaveProperty('detail');
    expect(out.full).toEqual(event);
  });

  it('passes numbers and objects as JSON values', () => {
    // Prepare
    const paths = { detail: '$.detail', first: '$.resources[0]' };
    // Act
    const out = JSON.parse(transform('{"d": <detail>, "r": "<first>"}', paths)) as unknown;
    // Assess
    expect(out).toEqual({ d: event.detail, r: event.resources[0] });
  });

  it('leaves out a variable whose path does not exist in the event', () => {
    // Prepare: "Common issues" — the variable isn't created and won't appear in the output.
    const paths = { missing: '$.detail.nope' };
    // Act
    const out = transform('{"a": <missing>, "b": "x<missing>y"}', paths);
    // Assess
    expect(JSON.parse(out)).toEqual({ a: null, b: 'xy' });
  });
});

describe('targetInput without a transformer', () => {
  it('sends the whole event by default', () => {
    // Act
    const out = targetInput(event, {}, ctx);
    // Assess
    expect(JSON.parse(out)).toEqual(event);
  });

  it('sends the constant Input unchanged', () => {
    // Act
    const out = targetInput(event, { input: '{"fixed":true}' }, ctx);
    // Assess
    expect(out).toBe('{"fixed":true}');
  });

  it('sends only the part of the event InputPath selects', () => {
    // Act
    const out = targetInput(event, { inputPath: '$.detail' }, ctx);
    // Assess
    expect(JSON.parse(out)).toEqual(event.detail);
  });

  it('selects every match of a wildcard path', () => {
    // Act
    const out = targetInput(event, { inputPath: '$.detail.*' }, ctx);
    // Assess
    expect(JSON.parse(out)).toEqual(['i-0123456789', 'RUNNING']);
  });
});

describe('validateTargetInput', () => {
  it.each([
    ['rejects Input together with InputPath', { input: '{}', inputPath: '$.detail' }, /Only one of/],
    [
      'rejects an InputPath outside the supported JSONPath subset',
      { inputPath: '$..detail' },
      /not supported/,
    ],
    [
      'rejects a reserved variable name',
      { inputTransformer: { inputPathsMap: { 'aws.events.rule-name': '$.x' }, inputTemplate: '"x"' } },
      /reserved/,
    ],
    ['rejects an Input that is not JSON', { input: 'not json' }, /valid JSON/],
  ])('%s', (_name, config, reason) => {
    // Act
    const act = () => validateTargetInput(config);
    // Assess
    expect(act).toThrow(AwsServiceError);
    expect(act).toThrow(reason);
  });
});
