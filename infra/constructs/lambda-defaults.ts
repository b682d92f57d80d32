import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join } from 'node:path';
import { ROOT } from '../bundling.js';

/** Props for an orderloop Lambda: the entry under functions/ plus any NodejsFunction overrides. */
export interface OrderloopFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'logGroup'> {
  /** Folder under functions/ that holds handler.ts. */
  readonly functionDir: string;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * The least verbose level this function may log at, whatever the `logLevel` context value says: for a
   * function whose INFO lines are records someone reads (the assistant's "assistant answered" line carries
   * the model's token usage, which a metric filter and the local cost meter read).
   * @default the `logLevel` context value
   */
  readonly logLevelAtMost?: ApplicationLogLevel;
}

/** The log levels the `logLevel` context value accepts. */
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/**
 * The functions' log level: the CDK context value `logLevel` (`cdk synth -c logLevel=DEBUG`), default
 * WARN. At INFO the functions logged about 15 KB per order (CloudWatch Logs ingestion, the largest line
 * after AppSync, DynamoDB and Lambda); WARN keeps warnings and errors.
 */
export function logLevelOf(scope: Construct): ApplicationLogLevel {
  const given = String(scope.node.tryGetContext('logLevel') ?? 'WARN').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(given)) {
    throw new Error(`logLevel must be one of ${LOG_LEVELS.join(', ')}, received ${given}`);
  }
  return given as ApplicationLogLevel;
}

/** The more verbose of two levels (DEBUG before INFO before WARN before ERROR). */
function moreVerbose(
  level: ApplicationLogLevel,
  floor: ApplicationLogLevel | undefined,
): ApplicationLogLevel {
  if (floor === undefined) return level;
  const rank = (l: ApplicationLogLevel) => (LOG_LEVELS as readonly string[]).indexOf(l);
  return rank(floor) < rank(level) ? floor : level;
}

/**
 * The one set of Lambda defaults: Node 22 on arm64, an ESM bundle with source maps and the AWS SDK
 * bundled in (so the code that runs locally is byte for byte the code that deploys), active tracing, and
 * an explicit log group with retention.
 */
export function orderloopFunction(
  scope: Construct,
  id: string,
  props: OrderloopFunctionProps,
): NodejsFunction {
  const { functionDir, logRetention, environment, bundling, logLevelAtMost, ...given } = props;
  // An explicit `undefined` must not override a default below.
  const rest = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as typeof given;
  const logLevel = moreVerbose(logLevelOf(scope), logLevelAtMost);
  const logGroup = new LogGroup(scope, `${id}Logs`, {
    retention: logRetention ?? RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return new NodejsFunction(scope, id, {
    entry: join(ROOT, 'functions', functionDir, 'handler.ts'),
    handler: 'handler',
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: 512,
    timeout: Duration.seconds(30),
    tracing: Tracing.ACTIVE,
    logGroup,
    // Lambda's log-level filtering ("Log-level filtering", Lambda developer guide) needs the JSON format;
    // the system level WARN also drops the START/REPORT lines Lambda writes at INFO.
    loggingFormat: LoggingFormat.JSON,
    applicationLogLevelV2: logLevel,
    systemLogLevelV2: logLevel === ApplicationLogLevel.DEBUG ? SystemLogLevel.DEBUG : SystemLogLevel.WARN,
    depsLockFilePath: join(ROOT, 'package-lock.json'),
    projectRoot: ROOT,
    ...rest,
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: functionDir,
      POWERTOOLS_METRICS_NAMESPACE: 'orderloop',
      // Powertools reads Lambda's AWS_LAMBDA_LOG_LEVEL first; this covers runtimes that do not set it.
      POWERTOOLS_LOG_LEVEL: logLevel,
      ...environment,
    },
    bundling: {
      format: OutputFormat.ESM,
      target: 'node22',
      sourceMap: true,
      minify: true,
      mainFields: ['module', 'main'],
      externalModules: [],
      // Some bundled CommonJS dependencies call require(); ESM has none unless we create it.
      banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      ...bundling,
    },
  });
}
