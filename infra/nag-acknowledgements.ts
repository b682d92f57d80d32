import { Aspects, Stack, Validations, type IAspect } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { createRequire } from 'node:module';

// cdk-nag names each IAM5 finding by the resource flattened with its own helper; reuse it so the ids match.
const { flattenCfnReference } = createRequire(import.meta.url)(
  'cdk-nag/lib/utils/flatten-cfn-reference.js',
) as {
  flattenCfnReference: (value: unknown) => string;
};

/** One acknowledged cdk-nag finding and why it is acceptable here. */
interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

function acknowledgeAll(scope: IConstruct, acknowledgements: readonly Acknowledgement[]): void {
  for (const a of acknowledgements) Validations.of(scope).acknowledge(a);
}

/**
 * The cdk-nag findings the stacks accept, each with its reason. Anything not listed fails the nag test.
 */
export function acknowledgeApiStackFindings(stack: Stack): void {
  acknowledgeAll(stack, [
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The AWS managed basic execution role only grants writing to the function’s own log streams.',
    },
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSAppSyncPushToCloudWatchLogs]',
      reason: 'AppSync’s documented managed policy for request logging; it only allows writing AppSync logs.',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords and dynamodb:ListStreams do not support resource-level permissions.',
    },
    {
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the project standardises on (Powertools and the local runtime are tested on it).',
    },
    {
      id: 'Serverless-LambdaLatestVersion',
      reason:
        'Node.js 22 is the runtime the project standardises on (Powertools and the local runtime are tested on it).',
    },
    {
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is a per-environment decision for a consumer marketplace; sign-in stays password-based by default.',
    },
    {
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus feature plan is billed per active user; threat protection is enabled per environment when needed.',
    },
    {
      id: 'AwsSolutions-ASC3',
      reason:
        'Request logging is on at ERROR level; verbose content is excluded on purpose so tokens and personal data in headers and variables are not logged.',
    },
    {
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'These queues are dead-letter queues themselves; a message that lands here is replayed by hand (npm run replay).',
    },
    {
      id: 'AwsSolutions-SQS3',
      reason:
        'The pipe’s dead-letter queue is a DLQ (DeadLetterConfig of the pipe), which cdk-nag cannot see through CfnPipe.',
    },
    {
      id: 'Serverless-LambdaDLQ',
      reason:
        'The stream enricher and the assistant are invoked synchronously (pipe enrichment, AppSync data source), where a DLQ never applies; consumers use an on-failure destination instead of a DLQ.',
    },
  ]);
}

/** Wildcard resources that CDK grants produce on our own resources, and why each is acceptable. */
const SCOPED_WILDCARDS: readonly { pattern: RegExp; reason: string }[] = [
  {
    pattern: /\/index\/\*$/,
    reason: 'CDK table grants cover the table’s own GSIs (<table>/index/*), which queries need.',
  },
  {
    pattern: /\.Arn>:\*$/,
    reason: 'CDK invoke grants cover the function’s own versions and aliases (<function>:*).',
  },
];

/** Acknowledges IAM5 findings whose wildcard is one of SCOPED_WILDCARDS; any other wildcard still fails. */
class AcknowledgeScopedWildcards implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof CfnPolicy)) return;
    const document = Stack.of(node).resolve(node.policyDocument) as {
      Statement?: { Effect?: string; Resource?: unknown }[];
    };
    for (const statement of document.Statement ?? []) {
      if (statement.Effect !== 'Allow') continue;
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      for (const resource of resources.map(flattenCfnReference)) {
        const match = SCOPED_WILDCARDS.find((w) => w.pattern.test(resource));
        if (match)
          Validations.of(node).acknowledge({
            id: `AwsSolutions-IAM5[Resource::${resource}]`,
            reason: match.reason,
          });
      }
    }
  }
}

/** Applies the scoped-wildcard acknowledgements to every IAM policy under scope. */
export function acknowledgeScopedWildcards(scope: IConstruct): void {
  Aspects.of(scope).add(new AcknowledgeScopedWildcards());
}
