/**
 * Maps a loaded cloud assembly to the plain configuration of each events-side service (Lambda, SQS, SNS,
 * EventBridge, Pipes). Pure: it reads resolved properties and computes paths, it starts nothing. Whatever
 * it cannot run locally is returned in `ignored` with the reason, never dropped silently.
 */
import { join } from 'node:path';
import { eventBusArn, parseArn } from '../aws-ids.js';
import type { Assembly, LoadedResource } from '../assembly/index.js';
import type { AsyncInvokeConfig, FunctionConfig } from '../lambda/index.js';
import type { QueueConfig } from '../sqs/index.js';
import type { TopicConfig } from '../sns/index.js';
import type { BusConfig, RuleConfig, TargetConfig } from './eventbridge/index.js';
import type { PipeConfig, PipeTarget } from './pipes/index.js';

/** A function config, plus the source of a function whose code is inline (Code.ZipFile). */
export interface LocalFunctionConfig extends FunctionConfig {
  /** Inline code that must be written to `codeDir/index.js` before the function runs. */
  readonly inlineCode?: string;
}

/** A pipe config, plus the target input template the pipe applies to each item before the target. */
export interface LocalPipeConfig extends PipeConfig {
  readonly targetInputTemplate?: string;
}

/** A resource (or a property of one) the local runtime does not run, and why. */
export interface IgnoredResource {
  readonly type: string;
  readonly logicalId: string;
  readonly stack: string;
  readonly reason: string;
}

/** Everything the events half of the local runtime needs, from one assembly. */
export interface EventsConfig {
  readonly functions: readonly LocalFunctionConfig[];
  readonly queues: readonly QueueConfig[];
  readonly topics: readonly TopicConfig[];
  /** Always includes the implicit `default` bus every account has. */
  readonly buses: readonly BusConfig[];
  readonly rules: readonly RuleConfig[];
  readonly pipes: readonly LocalPipeConfig[];
  readonly ignored: readonly IgnoredResource[];
}

/** Where inline function code is materialised: next to the assets, so node_modules resolves as for them. */
export const INLINE_CODE_FOLDER = '.local-inline-code';

const MAPPED = new Set([
  'AWS::Lambda::Function',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::Events::EventBus',
  'AWS::Events::Rule',
  'AWS::Pipes::Pipe',
]);

/** Types other local components run, or that have no local behaviour; anything else is unsupported. */
const ELSEWHERE: readonly [RegExp, string][] = [
  [/^AWS::DynamoDB::(Global)?Table$/, 'created on DynamoDB Local by createTables'],
  [/^AWS::AppSync::/, 'served by the local AppSync runtime'],
  [/^AWS::Cognito::/, 'served by the local Cognito runtime'],
  [
    /^AWS::IAM::|::(Queue|Topic|EventBus)Policy$|^AWS::Lambda::Permission$/,
    'permissions are not enforced locally',
  ],
  [/^AWS::Logs::/, 'function logs go to stdout locally'],
  [/^AWS::CDK::Metadata$/, 'CDK metadata has no runtime behaviour'],
];

/* eslint-disable @typescript-eslint/no-explicit-any -- resolved CloudFormation properties are schemaless */
type Props = any;

const num = (v: unknown): number | undefined =>
  v === undefined || v === null || v === '' ? undefined : Number(v);
const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const jsonObject = (v: unknown): object | undefined =>
  typeof v === 'string' ? (JSON.parse(v) as object) : (v as object | undefined);
const serviceOf = (arn: string): string | undefined => {
  try {
    return parseArn(arn).service;
  } catch {
    return undefined;
  }
};
/** A bus named by name or ARN (`arn:…:event-bus/NAME`). */
const busName = (v: unknown): string => {
  const s = str(v) ?? 'default';
  return s.startsWith('arn:') ? s.slice(s.indexOf('/') + 1) : s;
};

/** Builds every service's configuration from the assembly (after createTables, for real stream ARNs). */
export function eventsConfigFromAssembly(assembly: Assembly): EventsConfig {
  const ignored: IgnoredResource[] = [];
  const ignore = (r: LoadedResource, reason: string) =>
    ignored.push({ type: r.type, logicalId: r.logicalId, stack: r.stack, reason });

  for (const r of assembly.resources()) {
    if (MAPPED.has(r.type)) continue;
    const known = ELSEWHERE.find(([pattern]) => pattern.test(r.type));
    ignore(r, known ? known[1] : `${r.type} is not supported by the local runtime`);
  }

  const functions = mapFunctions(assembly, ignore);
  const queues = assembly.resources('AWS::SQS::Queue').map(toQueue);
  const topics = assembly
    .resources('AWS::SNS::Topic')
    .map((r): TopicConfig => ({ name: r.physicalName, arn: r.arn! }));
  const buses = assembly
    .resources('AWS::Events::EventBus')
    .map((r): BusConfig => ({ name: r.physicalName, arn: r.arn! }));
  if (!buses.some((b) => b.name === 'default')) buses.push({ name: 'default', arn: eventBusArn('default') });
  const rules = assembly.resources('AWS::Events::Rule').map((r) => toRule(r, ignore));
  const pipes = assembly.resources('AWS::Pipes::Pipe').flatMap((r) => toPipe(r, ignore) ?? []);
  return { functions, queues, topics, buses, rules, pipes, ignored };
}

function mapFunctions(
  assembly: Assembly,
  ignore: (r: LoadedResource, reason: string) => void,
): LocalFunctionConfig[] {
  const invokeConfigs = new Map<string, Props>();
  for (const r of assembly.resources('AWS::Lambda::EventInvokeConfig')) {
    const p: Props = r.properties;
    const qualifier = str(p.Qualifier) ?? '$LATEST';
    // Only unpublished code runs locally, so configs of versions and aliases do not apply.
    if (qualifier !== '$LATEST') ignore(r, `qualifier ${qualifier}: only $LATEST runs locally`);
    else invokeConfigs.set(nameOf(str(p.FunctionName) ?? ''), p);
  }
  const out: LocalFunctionConfig[] = [];
  for (const r of assembly.resources('AWS::Lambda::Function')) {
    const p: Props = r.properties;
    const runtime = str(p.Runtime);
    if (p.PackageType === 'Image' || (runtime !== undefined && !runtime.startsWith('nodejs'))) {
      ignore(r, `runtime ${runtime ?? 'container image'}: only Node.js zip functions run locally`);
      continue;
    }
    const code: Props = p.Code ?? {};
    let codeDir: string;
    let inlineCode: string | undefined;
    if (typeof code.ZipFile === 'string') {
      inlineCode = code.ZipFile;
      codeDir = join(assembly.directory, INLINE_CODE_FOLDER, r.physicalName);
    } else if (code.S3Key !== undefined) {
      codeDir = assembly.assetPath(code);
    } else {
      ignore(r, 'Code is neither an asset in cdk.out nor inline ZipFile');
      continue;
    }
    const variables: Record<string, unknown> = p.Environment?.Variables ?? {};
    const invoke: Props = invokeConfigs.get(r.physicalName);
    const asyncConfig: AsyncInvokeConfig = {
      ...(num(invoke?.MaximumRetryAttempts) !== undefined
        ? { maximumRetryAttempts: num(invoke.MaximumRetryAttempts) }
        : {}),
      ...(num(invoke?.MaximumEventAgeInSeconds) !== undefined
        ? { maximumEventAgeInSeconds: num(invoke.MaximumEventAgeInSeconds) }
        : {}),
      ...(str(invoke?.DestinationConfig?.OnFailure?.Destination)
        ? { onFailureArn: str(invoke.DestinationConfig.OnFailure.Destination) }
        : {}),
      ...(str(p.DeadLetterConfig?.TargetArn) ? { deadLetterArn: str(p.DeadLetterConfig.TargetArn) } : {}),
    };
    if (str(invoke?.DestinationConfig?.OnSuccess?.Destination))
      ignore(r, 'DestinationConfig.OnSuccess is not delivered locally');
    out.push({
      name: r.physicalName,
      arn: r.arn!,
      handler: str(p.Handler) ?? 'index.handler',
      codeDir,
      environment: Object.fromEntries(
        Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      ),
      // AWS::Lambda::Function: Timeout defaults to 3 seconds, MemorySize to 128 MB.
      timeoutSeconds: num(p.Timeout) ?? 3,
      memoryMb: num(p.MemorySize) ?? 128,
      ...(num(p.ReservedConcurrentExecutions) !== undefined
        ? { reservedConcurrency: num(p.ReservedConcurrentExecutions) }
        : {}),
      ...(Object.keys(asyncConfig).length ? { asyncConfig } : {}),
      ...(inlineCode !== undefined ? { inlineCode } : {}),
      ...(runtime ? { runtime } : {}),
      ...(Array.isArray(p.Architectures)
        ? { architectures: (p.Architectures as unknown[]).map(String) }
        : {}),
      ...(str(p.Description) ? { description: str(p.Description) } : {}),
      ...(str(p.TracingConfig?.Mode) ? { tracingMode: str(p.TracingConfig.Mode) } : {}),
      ...(str(p.Role) ? { roleArn: str(p.Role) } : {}),
    });
  }
  return out;
}

/** EventInvokeConfig.FunctionName may be a name, a partial or a full ARN. */
function nameOf(nameOrArn: string): string {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn.split(':')[0] ?? nameOrArn;
  return parseArn(nameOrArn).resource.split(':')[1] ?? nameOrArn;
}

function toQueue(r: LoadedResource): QueueConfig {
  const p: Props = r.properties;
  const redrive = jsonObject(p.RedrivePolicy) as
    { deadLetterTargetArn?: string; maxReceiveCount?: number | string } | undefined;
  const fifo = p.FifoQueue === true || p.FifoQueue === 'true';
  return {
    name: r.physicalName,
    arn: r.arn!,
    ...(num(p.VisibilityTimeout) !== undefined ? { visibilityTimeoutSeconds: num(p.VisibilityTimeout) } : {}),
    ...(num(p.MessageRetentionPeriod) !== undefined
      ? { messageRetentionSeconds: num(p.MessageRetentionPeriod) }
      : {}),
    ...(num(p.DelaySeconds) !== undefined ? { delaySeconds: num(p.DelaySeconds) } : {}),
    ...(redrive?.deadLetterTargetArn
      ? {
          redrivePolicy: {
            deadLetterTargetArn: redrive.deadLetterTargetArn,
            maxReceiveCount: Number(redrive.maxReceiveCount ?? 10),
          },
        }
      : {}),
    ...(fifo ? { fifo: true } : {}),
    ...(p.ContentBasedDeduplication === true || p.ContentBasedDeduplication === 'true'
      ? { contentBasedDeduplication: true }
      : {}),
  };
}

function toRule(r: LoadedResource, ignore: (r: LoadedResource, reason: string) => void): RuleConfig {
  const p: Props = r.properties;
  const targets = ((p.Targets ?? []) as Props[]).map((t): TargetConfig => {
    const arn = String(t.Arn);
    const service = serviceOf(arn);
    if (service !== 'lambda' && service !== 'sqs' && service !== 'events') {
      ignore(
        r,
        `target ${String(t.Id)} (${arn}): only Lambda, SQS and event bus targets are delivered locally`,
      );
    }
    return {
      id: String(t.Id),
      arn,
      ...(t.Input !== undefined ? { input: String(t.Input) } : {}),
      ...(t.InputPath !== undefined ? { inputPath: String(t.InputPath) } : {}),
      ...(t.InputTransformer
        ? {
            inputTransformer: {
              inputTemplate: String(t.InputTransformer.InputTemplate),
              ...(t.InputTransformer.InputPathsMap
                ? { inputPathsMap: t.InputTransformer.InputPathsMap as Record<string, string> }
                : {}),
            },
          }
        : {}),
      ...(t.RetryPolicy
        ? {
            retryPolicy: {
              ...(num(t.RetryPolicy.MaximumRetryAttempts) !== undefined
                ? { maximumRetryAttempts: num(t.RetryPolicy.MaximumRetryAttempts) }
                : {}),
              ...(num(t.RetryPolicy.MaximumEventAgeInSeconds) !== undefined
                ? { maximumEventAgeInSeconds: num(t.RetryPolicy.MaximumEventAgeInSeconds) }
                : {}),
            },
          }
        : {}),
      ...(str(t.DeadLetterConfig?.Arn) ? { deadLetterArn: str(t.DeadLetterConfig.Arn) } : {}),
    };
  });
  const state = str(p.State) ?? 'ENABLED';
  return {
    name: r.physicalName,
    arn: r.arn!,
    busName: busName(p.EventBusName),
    ...(p.EventPattern !== undefined ? { eventPattern: jsonObject(p.EventPattern) } : {}),
    ...(p.ScheduleExpression !== undefined ? { scheduleExpression: String(p.ScheduleExpression) } : {}),
    // AWS::Events::Rule State: ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS is an enabled rule too.
    state: state === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    ...(p.Description !== undefined ? { description: String(p.Description) } : {}),
    targets,
  };
}

function pipeTarget(arn: string, p: Props): PipeTarget | undefined {
  switch (serviceOf(arn)) {
    case 'lambda':
      return { type: 'lambda', functionArn: arn };
    case 'sqs':
      return { type: 'sqs', queueArn: arn };
    case 'events': {
      const bus: Props = p.TargetParameters?.EventBridgeEventBusParameters ?? {};
      return {
        type: 'eventbridge',
        busArn: arn,
        ...(bus.DetailType !== undefined ? { detailType: String(bus.DetailType) } : {}),
        ...(bus.Source !== undefined ? { source: String(bus.Source) } : {}),
      };
    }
    default:
      return undefined;
  }
}

function toPipe(
  r: LoadedResource,
  ignore: (r: LoadedResource, reason: string) => void,
): LocalPipeConfig | undefined {
  const p: Props = r.properties;
  const source = String(p.Source ?? '');
  const stream: Props = p.SourceParameters?.DynamoDBStreamParameters;
  if (serviceOf(source) !== 'dynamodb' || !source.includes('/stream/') || !stream) {
    ignore(r, `source ${source}: only DynamoDB stream sources run locally`);
    return undefined;
  }
  const target = pipeTarget(String(p.Target ?? ''), p);
  if (!target) {
    ignore(r, `target ${String(p.Target)}: only Lambda, SQS and event bus targets run locally`);
    return undefined;
  }
  const enrichment = str(p.Enrichment);
  if (enrichment && serviceOf(enrichment) !== 'lambda') {
    ignore(r, `enrichment ${enrichment}: only Lambda enrichment runs locally`);
    return undefined;
  }
  if (p.DesiredState === 'STOPPED') {
    ignore(r, 'DesiredState is STOPPED');
    return undefined;
  }
  const filters = ((p.SourceParameters?.FilterCriteria?.Filters ?? []) as Props[]).map(
    (f) => JSON.parse(String(f.Pattern)) as object,
  );
  const enrichmentTemplate = str(p.EnrichmentParameters?.InputTemplate);
  const targetTemplate = str(p.TargetParameters?.InputTemplate);
  return {
    name: r.physicalName,
    arn: r.arn!,
    streamArn: source,
    startingPosition: stream.StartingPosition === 'TRIM_HORIZON' ? 'TRIM_HORIZON' : 'LATEST',
    batchSize: num(stream.BatchSize) ?? 1,
    maximumBatchingWindowInSeconds: num(stream.MaximumBatchingWindowInSeconds) ?? 0,
    ...(num(stream.ParallelizationFactor) !== undefined
      ? { parallelizationFactor: num(stream.ParallelizationFactor) }
      : {}),
    filters,
    // PipeSourceDynamoDBStreamParameters: both default to -1 (infinite).
    maximumRetryAttempts: num(stream.MaximumRetryAttempts) ?? -1,
    maximumRecordAgeInSeconds: num(stream.MaximumRecordAgeInSeconds) ?? -1,
    ...(stream.OnPartialBatchItemFailure === 'AUTOMATIC_BISECT'
      ? { onPartialBatchItemFailure: 'AUTOMATIC_BISECT' as const }
      : {}),
    ...(str(stream.DeadLetterConfig?.Arn) ? { deadLetterArn: str(stream.DeadLetterConfig.Arn) } : {}),
    ...(enrichment
      ? {
          enrichment: {
            functionArn: enrichment,
            ...(enrichmentTemplate !== undefined ? { inputTemplate: enrichmentTemplate } : {}),
          },
        }
      : {}),
    target,
    ...(targetTemplate !== undefined ? { targetInputTemplate: targetTemplate } : {}),
  };
}
