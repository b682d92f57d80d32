import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBusArn, functionArn, queueArn, tableArn } from '../../../aws-ids.js';
import { loadAssembly, type Assembly, type LoadedResource } from '../../../assembly/index.js';
import {
  ASSET_RESOLVER_CODE,
  HANDLER_CODE,
  INLINE_RESOLVER_CODE,
  SAMPLE_SCHEMA,
  synthSampleApp,
  type SampleApp,
} from './sample-app.js';

describe('loadAssembly', () => {
  let sample: SampleApp;
  let assembly: Assembly;
  const byPath = (path: string): LoadedResource => {
    const found = assembly.findByPath(path);
    if (!found) throw new Error(`no resource at ${path}`);
    return found;
  };

  beforeAll(() => {
    sample = synthSampleApp();
    assembly = loadAssembly(sample.outdir);
  });
  afterAll(() => sample?.cleanup());

  it('lists the stacks in dependency order with their templates', () => {
    // Act
    const stacks = assembly.stacks;
    // Assess
    expect(stacks.map((s) => s.name)).toEqual(['SampleStateful', 'SampleApi']);
    expect(stacks.every((s) => existsSync(s.templatePath))).toBe(true);
    expect(Object.keys(stacks[1]!.template.Resources ?? {})).toContain(
      byPath('SampleApi/Processor').logicalId,
    );
  });

  it('uses the explicit name property, and a stable stack-logicalId name when there is none', () => {
    // Prepare
    const again = loadAssembly(sample.outdir);
    // Act
    const named = byPath('SampleStateful/Idempotency');
    const unnamed = byPath('SampleStateful/Orders');
    // Assess
    expect(named.physicalName).toBe('sample-idempotency');
    expect(unnamed.physicalName).toBe(`SampleStateful-${unnamed.logicalId}`);
    expect(again.get('SampleStateful', unnamed.logicalId).physicalName).toBe(unnamed.physicalName);
  });

  it('resolves Ref the way each resource type documents it', () => {
    // Prepare
    const table = byPath('SampleStateful/Orders');
    const queue = byPath('SampleApi/Consumer');
    const fn = byPath('SampleApi/Processor');
    const bus = byPath('SampleApi/Bus');
    const rule = byPath('SampleApi/OrderPlaced');
    const api = byPath('SampleApi/Graphql');
    const pool = byPath('SampleApi/Users');
    const client = byPath('SampleApi/Users/WebClient');
    // Act
    const refs = [table, queue, fn, bus, rule, api, pool, client].map((r) => r.ref);
    // Assess
    // CloudFormation template reference, "Return values" of each type: Table → name, Queue → URL,
    // Function → name, EventBus → name, Rule on a custom bus → "bus|rule", GraphQLApi → ARN,
    // UserPool → pool id, UserPoolClient → client id.
    expect(refs).toEqual([
      table.physicalName,
      `https://sqs.us-east-1.amazonaws.com/000000000000/sample-consumer`,
      fn.physicalName,
      'sample-bus',
      `sample-bus|${rule.physicalName}`,
      api.arn,
      pool.attributes.UserPoolId,
      client.attributes.ClientId,
    ]);
    expect(api.ref).toMatch(/^arn:aws:appsync:us-east-1:000000000000:apis\/[a-z0-9]{26}$/);
    expect(pool.ref).toMatch(/^us-east-1_[A-Za-z0-9]{9}$/);
    expect(pool.physicalName).toBe('sample-users');
  });

  it('resolves references inside properties to the referenced resources’ local values', () => {
    // Prepare
    const fn = byPath('SampleApi/Processor');
    const queue = byPath('SampleApi/Consumer');
    const dlq = byPath('SampleApi/ConsumerDlq');
    // Act
    const env = fn.properties.Environment.Variables;
    const redrive = queue.properties.RedrivePolicy;
    const target = byPath('SampleApi/OrderPlaced').properties.Targets[0];
    const group = byPath('SampleApi/Vendors').properties;
    // Assess
    expect(env.QUEUE_URL).toBe(queue.attributes.QueueUrl);
    expect(env.STACK_REGION).toBe('SampleApi/us-east-1');
    expect(redrive.deadLetterTargetArn).toBe(queueArn(dlq.physicalName));
    expect(target.Arn).toBe(functionArn(fn.physicalName));
    expect(group.UserPoolId).toBe(byPath('SampleApi/Users').ref);
    expect(fn.properties.Role).toBe(byPath('SampleApi/Processor/ServiceRole').arn);
    expect(fn.rawProperties.Environment.Variables.QUEUE_URL).toEqual({ Ref: queue.logicalId });
  });

  it('resolves Fn::ImportValue across stacks to the exporting stack’s values', () => {
    // Prepare
    const table = byPath('SampleStateful/Orders');
    // Act
    const fnEnv = byPath('SampleApi/Processor').properties.Environment.Variables;
    const dataSource = byPath('SampleApi/Graphql/OrdersSource').properties;
    const pipe = byPath('SampleApi/OrdersPipe').properties;
    // Assess
    expect(byPath('SampleApi/Processor').rawProperties.Environment.Variables.TABLE_NAME).toHaveProperty(
      'Fn::ImportValue',
    );
    expect(fnEnv.TABLE_NAME).toBe(table.physicalName);
    expect(dataSource.DynamoDBConfig.TableName).toBe(table.physicalName);
    expect(pipe.Source).toBe(table.attributes.StreamArn);
    expect(pipe.Target).toBe(eventBusArn('sample-bus'));
    expect(table.arn).toBe(tableArn(table.physicalName));
  });

  it('puts tableNamePrefix in front of every table name, named or generated, and of the Refs and ARNs across stacks', () => {
    // Prepare
    const prefixed = loadAssembly(sample.outdir, { tableNamePrefix: 'run1-' });
    const find = (path: string) => prefixed.findByPath(path)!;
    // Act
    const named = find('SampleStateful/Idempotency');
    const unnamed = find('SampleStateful/Orders');
    const fnEnv = find('SampleApi/Processor').properties.Environment.Variables;
    const dataSource = find('SampleApi/Graphql/OrdersSource').properties;
    // Assess: only the tables move; the function keeps its name
    expect(named.physicalName).toBe('run1-sample-idempotency');
    expect(unnamed.physicalName).toBe(`run1-${byPath('SampleStateful/Orders').physicalName}`);
    expect(unnamed.arn).toBe(tableArn(unnamed.physicalName));
    expect(fnEnv.TABLE_NAME).toBe(unnamed.physicalName);
    expect(dataSource.DynamoDBConfig.TableName).toBe(unnamed.physicalName);
    expect(find('SampleApi/Processor').physicalName).toBe(byPath('SampleApi/Processor').physicalName);
  });

  it('evaluates Sub, Join, Select, Split, Base64, GetAZs, FindInMap and If', () => {
    // Act
    const outputs = assembly.outputs('SampleApi');
    // Assess
    expect(outputs).toMatchObject({
      Region: 'local',
      Memory: '256',
      ArnPart: 'event-bus/sample-bus',
      FirstAz: 'us-east-1a',
      Encoded: Buffer.from('sample-consumer').toString('base64'),
      // Fn::Sub: ${!Literal} is written out as ${Literal} (intrinsic function reference, Fn::Sub)
      SubForms: 'sample-consumer/us-east-1/${Literal}',
      Joined: 'sample-bus:sample-consumer',
    });
  });

  it('leaves out resources whose Condition is false and keeps those whose Condition holds', () => {
    // Act
    const types = assembly.resources().map((r) => `${r.stack}/${r.logicalId}`);
    // Assess
    expect(types).not.toContain('SampleApi/Skipped');
    expect(types).toContain('SampleApi/CDKMetadata');
    expect(assembly.resources('AWS::SQS::Queue').map((r) => r.physicalName)).toEqual([
      byPath('SampleApi/ConsumerDlq').physicalName,
      'sample-consumer',
    ]);
  });

  it('maps a Lambda Code.S3Key back to the asset folder that holds the handler', () => {
    // Prepare
    const fn = byPath('SampleApi/Processor');
    // Act
    const dir = assembly.assetPath(fn.properties.Code);
    // Assess
    expect(fn.properties.Code.S3Bucket).toBe('cdk-hnb659fds-assets-000000000000-us-east-1');
    expect(dir.startsWith(join(sample.outdir, 'asset.'))).toBe(true);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).toBe(HANDLER_CODE);
  });

  it('reads resolver code whether inline (Code) or an asset (CodeS3Location)', () => {
    // Prepare
    const inline = byPath('SampleApi/Graphql/GetOrder');
    const fromAsset = byPath('SampleApi/Graphql/PlaceOrder');
    // Act
    const codes = [assembly.readSource(inline, 'Code'), assembly.readSource(fromAsset, 'Code')];
    // Assess
    expect(fromAsset.properties.CodeS3Location).toMatch(
      /^s3:\/\/cdk-hnb659fds-assets-000000000000-us-east-1\//,
    );
    expect(codes).toEqual([INLINE_RESOLVER_CODE, ASSET_RESOLVER_CODE]);
  });

  it('reads the schema definition whether inline (Definition) or an asset (DefinitionS3Location)', () => {
    // Prepare
    const [inline, fromAsset] = ['SampleApi/Graphql/Schema', 'SampleApi/RawSchema'].map(byPath);
    // Act
    const definitions = [
      assembly.readSource(inline!, 'Definition'),
      assembly.readSource(fromAsset!, 'Definition'),
    ];
    // Assess
    expect(fromAsset!.rawProperties.DefinitionS3Location).toBeDefined();
    expect(definitions).toEqual([SAMPLE_SCHEMA, SAMPLE_SCHEMA]);
    expect(fromAsset!.properties.ApiId).toBe(byPath('SampleApi/RawApi').attributes.ApiId);
  });

  it('returns undefined from readSource when a resource has neither the inline nor the S3 property', () => {
    // Act
    const source = assembly.readSource(byPath('SampleApi/Consumer'), 'Code');
    // Assess
    expect(source).toBeUndefined();
  });

  it('shows a patched StreamArn to every resource that references it, even across stacks', () => {
    // Prepare
    const local = loadAssembly(sample.outdir);
    const pipe = local.findByPath('SampleApi/OrdersPipe')!;
    const table = local.findByPath('SampleStateful/Orders')!;
    const before = pipe.properties.Source;
    const streamArn = 'arn:aws:dynamodb:ddblocal:000000000000:table/x/stream/2024-01-01T00:00:00.000';
    // Act
    local.setAttribute('SampleStateful', table.logicalId, 'StreamArn', streamArn);
    // Assess
    expect(before).not.toBe(streamArn);
    expect(pipe.properties.Source).toBe(streamArn);
    expect(table.attributes.StreamArn).toBe(streamArn);
  });

  it('resolves GraphQLUrl, RealtimeUrl and queue URLs to the local endpoints once they are known', () => {
    // Prepare
    const local = loadAssembly(sample.outdir);
    const queue = local.findByPath('SampleApi/Consumer')!;
    // Act
    local.setEndpoints({
      graphqlUrl: 'http://127.0.0.1:4000/graphql',
      realtimeUrl: 'ws://127.0.0.1:4000/graphql/realtime',
      awsEndpoint: 'http://127.0.0.1:4566',
    });
    // Assess
    expect(local.outputs('SampleApi')).toMatchObject({
      GraphqlUrl: 'http://127.0.0.1:4000/graphql',
      RealtimeUrl: 'ws://127.0.0.1:4000/graphql/realtime',
    });
    expect(queue.ref).toBe('http://127.0.0.1:4566/000000000000/sample-consumer');
    expect(local.findByPath('SampleApi/Processor')!.properties.Environment.Variables.QUEUE_URL).toBe(
      queue.ref,
    );
  });

  it('takes endpoints given at load time', () => {
    // Act
    const local = loadAssembly(sample.outdir, { endpoints: { graphqlUrl: 'http://127.0.0.1:9/graphql' } });
    // Assess
    expect(local.findByPath('SampleApi/Graphql')!.attributes.GraphQLUrl).toBe('http://127.0.0.1:9/graphql');
  });

  it('keeps the construct path of each resource', () => {
    // Act
    const fn = byPath('SampleApi/Processor');
    // Assess
    expect(fn.cdkPath).toBe('SampleApi/Processor/Resource');
    expect(fn.metadata?.['aws:cdk:path']).toBe('SampleApi/Processor/Resource');
  });

  it('fails when a stack or logical id is unknown, naming what exists', () => {
    // Act & Assess
    expect(() => assembly.get('SampleApi', 'Nope')).toThrow(/no resource Nope/);
    expect(() => assembly.get('Nope', 'X')).toThrow(/no stack Nope.*SampleStateful, SampleApi/);
  });

  it('fails when an S3 location is not an asset of the assembly', () => {
    // Act & Assess
    expect(() => assembly.assetPath('s3://bucket/unknown.zip')).toThrow(/no asset in cdk.out/);
  });

  it('fails when the folder holds no cloud assembly', () => {
    // Prepare
    const empty = mkdtempSync(join(tmpdir(), 'orderloop-empty-'));
    try {
      // Act & Assess
      expect(() => loadAssembly(empty)).toThrow(/manifest.json is missing.*cdk synth/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
