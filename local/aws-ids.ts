/**
 * Identifiers the local runtime gives AWS resources. Every local component uses these, so an ARN that
 * the assembly loader resolves (GetAtt Arn) is the same ARN the SQS, Lambda and EventBridge services
 * look up.
 */
export const LOCAL_REGION = 'us-east-1';
/** The account id every local ARN carries. */
export const LOCAL_ACCOUNT = '000000000000';

/** The local IAM credentials that Lambdas and clients sign with, and the local AppSync verifies. */
export const LOCAL_CREDENTIALS = {
  accessKeyId: 'AKIAORDERLOOPLOCAL00',
  secretAccessKey: 'orderloop-local-secret-access-key-do-not-use-in-aws',
} as const;

/** arn:aws:<service>:<region>:<account>:<resource> */
export function localArn(service: string, resource: string): string {
  return `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;
}

/** Parsed parts of an ARN; resource is everything after the fifth colon. */
export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** Splits an ARN into its parts; throws when the string is not an ARN. */
export function parseArn(arn: string): ParsedArn {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') throw new Error(`not an ARN: ${arn}`);
  const [, partition, service, region, account] = parts as [string, string, string, string, string];
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}

/** The local ARN of a Lambda function. */
export const functionArn = (name: string) => localArn('lambda', `function:${name}`);
/** The local ARN of an SQS queue. */
export const queueArn = (name: string) => localArn('sqs', name);
/** The local ARN of an EventBridge bus. */
export const eventBusArn = (name: string) => localArn('events', `event-bus/${name}`);
/** The local ARN of a DynamoDB table. */
export const tableArn = (name: string) => localArn('dynamodb', `table/${name}`);
/** The local ARN of an SNS topic. */
export const topicArn = (name: string) => localArn('sns', name);

/** The resource name at the end of an ARN (function:NAME, event-bus/NAME, table/NAME, or a plain name). */
export function nameFromArn(arn: string): string {
  const { resource } = parseArn(arn);
  const afterSlash = resource.includes('/') ? resource.slice(resource.indexOf('/') + 1) : resource;
  return afterSlash.startsWith('function:')
    ? afterSlash.slice('function:'.length)
    : afterSlash.split(':').pop()!;
}
