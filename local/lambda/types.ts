/** Plain configuration of one Lambda function, mapped from an AWS::Lambda::Function in cdk.out. */
export interface FunctionConfig {
  readonly name: string;
  readonly arn: string;
  /** `file.export`, for example 'index.handler'. */
  readonly handler: string;
  /** The bundled asset directory in cdk.out (holds index.mjs or index.js). */
  readonly codeDir: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** At most this many executions at once; 0 disables the function (AWS semantics). */
  readonly reservedConcurrency?: number;
  readonly asyncConfig?: AsyncInvokeConfig;
  /** What GetFunction and ListFunctions report, from the template. @default 'nodejs22.x' */
  readonly runtime?: string;
  /** @default ['x86_64'] */
  readonly architectures?: readonly string[];
  readonly description?: string;
  /** TracingConfig.Mode. @default 'PassThrough' */
  readonly tracingMode?: string;
  readonly roleArn?: string;
}

/** EventInvokeConfig plus the DeadLetterConfig of a function. */
export interface AsyncInvokeConfig {
  /** @default 2 */
  readonly maximumRetryAttempts?: number;
  /** @default 21600 */
  readonly maximumEventAgeInSeconds?: number;
  readonly onFailureArn?: string;
  readonly deadLetterArn?: string;
}

/** An SQS message attribute, in the shape SendMessage takes. */
export interface QueueMessageAttribute {
  readonly DataType: 'String' | 'Number' | 'Binary' | string;
  readonly StringValue?: string;
  readonly BinaryValue?: Uint8Array;
}

/** Port: deliver a message to an SQS queue (the local SQS service in process, or a fake in tests). */
export type SendToQueue = (
  queueArn: string,
  body: string,
  attributes: Record<string, QueueMessageAttribute>,
) => Promise<void>;

/** What a synchronous invoke returns; payload is the parsed JSON response. */
export interface InvokeResult {
  readonly requestId: string;
  readonly payload: unknown;
  readonly functionError?: 'Unhandled';
  /** The function's log lines for this request, as the LogType Tail of Invoke would carry them. */
  readonly logs?: string;
}

/** One log line a function wrote. */
export interface FunctionLogEntry {
  readonly functionName: string;
  /** Absent for output written outside an invocation (module init, stray timers). */
  readonly requestId?: string;
  readonly line: string;
}

/** The invocation record Lambda sends to an on-failure destination (see "Capturing records of Lambda asynchronous invocations"). */
export interface InvocationRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetriesExhausted' | 'EventAgeExceeded';
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError?: string;
  };
  readonly responsePayload: unknown;
}

/** One answered DynamoDB call of a function, as the worker's meter saw it on the wire (../meter). */
export interface DynamoDbCallRecord {
  /** The operation, from X-Amz-Target (PutItem, TransactWriteItems, …). */
  readonly operation: string;
  /** What the meter reads of the request: TableName, the PartiQL statement, the transaction's items. */
  readonly input: Readonly<Record<string, unknown>>;
  readonly status: number;
  /** What the meter reads of the answer: ConsumedCapacity (asked with INDEXES) or the error's __type. */
  readonly output: Readonly<Record<string, unknown>>;
  /** A TransactWriteItems' items just before and after it, when the host read them (TransactionItemsReader). */
  readonly images?: { readonly before: TransactionItems; readonly after: TransactionItems };
}

/** Each TransactItem's item (DynamoDB JSON), undefined where there is none. */
export type TransactionItems = readonly (Readonly<Record<string, object>> | undefined)[];

/**
 * Reads the items a TransactWriteItems input touches, for the meter to size them (the meter's
 * createTransactionImageReader); undefined when they cannot be read.
 */
export type TransactionItemsReader = (
  input: Readonly<Record<string, unknown>>,
) => Promise<TransactionItems | undefined>;
