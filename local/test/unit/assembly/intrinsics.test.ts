import { describe, expect, it } from 'vitest';
import { evaluate, evaluateCondition, NO_VALUE, type IntrinsicScope } from '../../../assembly/intrinsics.js';
import { generatedName } from '../../../assembly/physical-names.js';

/** A scope with a few fixed resources, parameters and conditions, so each intrinsic is tested alone. */
function scope(overrides: Partial<IntrinsicScope> = {}): IntrinsicScope {
  const conditions: Record<string, boolean> = { Yes: true, No: false };
  return {
    stack: 'Api',
    where: 'Res1',
    ref: (name) => ({ 'AWS::Region': 'us-east-1', Bucket: 'my-bucket', Env: 'dev' })[name] ?? `ref-${name}`,
    getAtt: (id, attr) => `${id}-${attr}`,
    importValue: (name) => `imported-${name}`,
    condition: (name) => {
      if (!(name in conditions)) throw new Error(`unknown condition ${name}`);
      return conditions[name]!;
    },
    findInMap: (map, a, b) => `${map}/${a}/${b}`,
    ...overrides,
  };
}

describe('CloudFormation intrinsics', () => {
  it('substitutes variables, pseudo parameters, Ref and GetAtt in Fn::Sub and keeps ${!Literal} literal', () => {
    // Prepare
    const value = {
      'Fn::Sub': ['${Bucket}/${Queue.Arn}/${AWS::Region}/${Custom}/${!Literal}', { Custom: { Ref: 'Env' } }],
    };
    // Act
    const result = evaluate(value, scope());
    // Assess
    // Intrinsic function reference, Fn::Sub: ${Res.Attr} is GetAtt, ${!Literal} renders as ${Literal}.
    expect(result).toBe('my-bucket/Queue-Arn/us-east-1/dev/${Literal}');
  });

  it('accepts the string form of Fn::Sub and of Fn::GetAtt', () => {
    // Act
    const results = [
      evaluate({ 'Fn::Sub': 'arn:${AWS::Region}' }, scope()),
      evaluate({ 'Fn::GetAtt': 'Table.StreamArn' }, scope()),
    ];
    // Assess
    expect(results).toEqual(['arn:us-east-1', 'Table-StreamArn']);
  });

  it('joins the list a nested Fn::Split returns and selects from it', () => {
    // Prepare
    const split = { 'Fn::Split': [',', { 'Fn::Join': [',', ['a', { Ref: 'Env' }, 'c']] }] };
    // Act
    const joined = evaluate({ 'Fn::Join': ['-', split] }, scope());
    const selected = evaluate({ 'Fn::Select': ['1', split] }, scope());
    // Assess
    expect([joined, selected]).toEqual(['a-dev-c', 'dev']);
  });

  it('drops AWS::NoValue from objects and lists', () => {
    // Prepare
    const noValue = { Ref: 'AWS::NoValue' };
    const value = {
      Keep: 1,
      Drop: { 'Fn::If': ['No', 'x', noValue] },
      List: ['a', { 'Fn::If': ['Yes', noValue, 'b'] }],
    };
    // Act
    const result = evaluate(value, scope({ ref: (n) => (n === 'AWS::NoValue' ? NO_VALUE : n) }));
    // Assess
    // Pseudo parameters reference, AWS::NoValue: removes the property it is returned for.
    expect(result).toStrictEqual({ Keep: 1, List: ['a'] });
  });

  it('evaluates Fn::And, Fn::Or, Fn::Not, Fn::Equals and named conditions', () => {
    // Prepare
    const expr = {
      'Fn::And': [
        { Condition: 'Yes' },
        { 'Fn::Not': [{ Condition: 'No' }] },
        { 'Fn::Or': [{ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] }, { 'Fn::Equals': ['a', 'a'] }] },
      ],
    };
    // Act
    const result = evaluateCondition(expr, scope());
    // Assess
    expect(result).toBe(true);
  });

  it('evaluates Fn::ImportValue, Fn::FindInMap, Fn::Base64 and Fn::GetAZs', () => {
    // Act
    const results = [
      evaluate({ 'Fn::ImportValue': { 'Fn::Sub': 'Stateful:${Env}' } }, scope()),
      evaluate({ 'Fn::FindInMap': ['Sizes', { Ref: 'AWS::Region' }, 'memory'] }, scope()),
      evaluate({ 'Fn::Base64': 'hello' }, scope()),
      evaluate({ 'Fn::GetAZs': '' }, scope()),
    ];
    // Assess
    expect(results).toEqual([
      'imported-Stateful:dev',
      'Sizes/us-east-1/memory',
      'aGVsbG8=',
      ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    ]);
  });

  it('leaves a Condition key of an IAM policy statement as data', () => {
    // Prepare
    const statement = {
      Effect: 'Allow',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::Region' } } },
    };
    // Act
    const result = evaluate(statement, scope());
    // Assess
    expect(result).toEqual({
      Effect: 'Allow',
      Condition: { StringEquals: { 'aws:SourceAccount': 'us-east-1' } },
    });
  });

  it('fails when an intrinsic is unknown, naming it, the stack and the logical id', () => {
    // Act & Assess
    expect(() => evaluate({ Prop: { 'Fn::Cidr': ['10.0.0.0/16', 6, 5] } }, scope())).toThrow(
      'unsupported intrinsic function Fn::Cidr (stack Api, Res1)',
    );
  });

  it('fails when Fn::Select is out of range', () => {
    // Act & Assess
    expect(() => evaluate({ 'Fn::Select': [3, ['a']] }, scope())).toThrow(/out of range.*stack Api, Res1/);
  });
});

describe('generated physical names', () => {
  it('is stack-logicalId when that fits', () => {
    // Act
    const name = generatedName('Api', 'Queue1234ABCD', { maxLength: 80 });
    // Assess
    expect(name).toBe('Api-Queue1234ABCD');
  });

  it('shortens a long name under the limit, keeps a required suffix, and stays unique and stable', () => {
    // Prepare
    const long = 'OrderloopStatelessStack';
    const id = 'PaymentProcessorConsumerDeadLetterQueueWithAVeryLongConstructPath';
    // Act
    const a = generatedName(long, `${id}A`, { maxLength: 80, suffix: '.fifo' });
    const b = generatedName(long, `${id}B`, { maxLength: 80, suffix: '.fifo' });
    // Assess
    // SQS CreateQueue: a queue name is at most 80 characters and a FIFO queue name ends in .fifo.
    expect(a.length).toBeLessThanOrEqual(80);
    expect(a.endsWith('.fifo')).toBe(true);
    expect(a).not.toBe(b);
    expect(generatedName(long, `${id}A`, { maxLength: 80, suffix: '.fifo' })).toBe(a);
  });
});
