import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LOCAL_CREDENTIALS, LOCAL_REGION, nameFromArn } from '../aws-ids.js';
import type { LocalPipeConfig } from '../events/config-from-assembly.js';
import { matchesPattern, type EventPattern } from '../events/pattern/index.js';
import { StreamsClient } from '../events/pipes/streams-client.js';
import { readDeadLetteredRecords, redeliverThroughPipe, type PipeReplayPorts } from './pipe.js';
import type { AuditLine, DlqMessage, ReplayPorts } from './replay.js';

/** The part of .orderloop/endpoints.json the replay reads. */
export interface ReplayEndpoints {
  readonly sqs?: string;
  readonly lambda?: string;
  readonly events?: string;
  /** DynamoDB Local, whose streams a pipe's dead letters point into. */
  readonly dynamodb?: string;
  /** DLQ ARN → function ARN or name, for Lambda DLQs (their messages do not name the function). */
  readonly lambdaDeadLetterQueues?: Readonly<Record<string, string>>;
  /** Pipe ARN → the pipe's filters, enrichment and target, to send re-read records through it again. */
  readonly pipes?: Readonly<Record<string, LocalPipeConfig>>;
}

/** Reads the endpoints file, or an empty object when the stack never wrote one. */
export async function readEndpoints(file: string): Promise<ReplayEndpoints> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ReplayEndpoints;
  } catch {
    return {};
  }
}

/** Ports that talk to the running local stack over HTTP with the AWS SDK. */
export function httpReplayPorts(endpoints: ReplayEndpoints, auditFile: string): ReplayPorts {
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const need = (url: string | undefined, service: string) => {
    if (!url)
      throw new Error(
        `no ${service} endpoint: start the local stack (npm start) or pass --endpoint ${service}=URL`,
      );
    return url;
  };
  let sqs: SQSClient | undefined;
  let lambdaClient: LambdaClient | undefined;
  let eventsClient: EventBridgeClient | undefined;
  const lambda = () =>
    (lambdaClient ??= new LambdaClient({ ...common, endpoint: need(endpoints.lambda, 'lambda') }));
  const events = () =>
    (eventsClient ??= new EventBridgeClient({ ...common, endpoint: need(endpoints.events, 'events') }));
  const sqsClient = () => (sqs ??= new SQSClient({ ...common, endpoint: need(endpoints.sqs, 'sqs') }));
  const urlOf = async (arn: string) =>
    (await sqsClient().send(new GetQueueUrlCommand({ QueueName: nameFromArn(arn) }))).QueueUrl!;

  return {
    async readMessages(queueArn, { peek }) {
      const QueueUrl = await urlOf(queueArn);
      const seen = new Map<string, DlqMessage>();
      for (;;) {
        const out = await sqsClient().send(
          new ReceiveMessageCommand({
            QueueUrl,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: peek ? 0 : 120,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        const fresh = (out.Messages ?? []).filter((m) => !seen.has(m.MessageId!));
        if (fresh.length === 0) break;
        for (const m of fresh) {
          seen.set(m.MessageId!, {
            messageId: m.MessageId!,
            receiptHandle: m.ReceiptHandle!,
            body: m.Body ?? '',
            attributes: (m.Attributes ?? {}) as Record<string, string>,
            messageAttributes: Object.fromEntries(
              Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
                k,
                { DataType: v.DataType ?? 'String', StringValue: v.StringValue },
              ]),
            ),
          });
        }
      }
      return [...seen.values()];
    },
    async deleteMessage(queueArn, receiptHandle) {
      await sqsClient().send(
        new DeleteMessageCommand({ QueueUrl: await urlOf(queueArn), ReceiptHandle: receiptHandle }),
      );
    },
    async sendToQueue(queueArn, body, messageAttributes) {
      await sqsClient().send(
        new SendMessageCommand({
          QueueUrl: await urlOf(queueArn),
          MessageBody: body,
          MessageAttributes: messageAttributes,
        }),
      );
    },
    async invokeAsync(functionArn, payload) {
      await lambda().send(
        new InvokeCommand({
          FunctionName: functionArn,
          InvocationType: 'Event',
          Payload: JSON.stringify(payload),
        }),
      );
    },
    async putEvent(busArn, event) {
      const e = event as { source?: string; 'detail-type'?: string; detail?: unknown };
      await events().send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: busArn,
              Source: e.source,
              DetailType: e['detail-type'],
              Detail: JSON.stringify(e.detail ?? {}),
            },
          ],
        }),
      );
    },
    async findRedriveSource(dlqArn) {
      const { QueueUrls = [] } = await sqsClient().send(new ListQueuesCommand({}));
      for (const QueueUrl of QueueUrls) {
        const { Attributes = {} } = await sqsClient().send(
          new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['RedrivePolicy', 'QueueArn'] }),
        );
        if (
          Attributes.RedrivePolicy &&
          (JSON.parse(Attributes.RedrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn ===
            dlqArn
        ) {
          return Attributes.QueueArn;
        }
      }
      return undefined;
    },
    async redrivePipe(message) {
      const pipeArn = message.context.partnerResourceArn;
      const pipe = endpoints.pipes?.[pipeArn];
      if (!pipe) throw new Error(`pipe ${pipeArn} is not part of the running stack`);
      const streams = new StreamsClient({ endpoint: need(endpoints.dynamodb, 'dynamodb') });
      const records = await readDeadLetteredRecords(streams, message);
      const ports: PipeReplayPorts = {
        matches: (pattern, record) => matchesPattern(pattern as EventPattern, record),
        async invokeLambdaSync(functionArn, payload) {
          const out = await lambda().send(
            new InvokeCommand({
              FunctionName: functionArn,
              InvocationType: 'RequestResponse',
              Payload: JSON.stringify(payload),
            }),
          );
          const text = out.Payload ? new TextDecoder().decode(out.Payload) : 'null';
          return {
            payload: JSON.parse(text || 'null') as unknown,
            ...(out.FunctionError ? { functionError: out.FunctionError } : {}),
          };
        },
        async putEvents(busArn, entries) {
          const out = await events().send(
            new PutEventsCommand({
              Entries: entries.map((e) => ({
                ...e,
                Resources: [...(e.Resources ?? [])],
                EventBusName: busArn,
              })),
            }),
          );
          return {
            FailedEntryCount: out.FailedEntryCount ?? 0,
            Entries: (out.Entries ?? []).map((e) => ({
              ...(e.EventId ? { EventId: e.EventId } : {}),
              ...(e.ErrorCode ? { ErrorCode: e.ErrorCode, ErrorMessage: e.ErrorMessage ?? '' } : {}),
            })),
          };
        },
        async sendToQueue(queueArn, body) {
          await sqsClient().send(
            new SendMessageCommand({ QueueUrl: await urlOf(queueArn), MessageBody: body }),
          );
        },
      };
      await redeliverThroughPipe(records, pipe, ports);
    },
    async lambdaDlqOwner(dlqArn) {
      return endpoints.lambdaDeadLetterQueues?.[dlqArn];
    },
    async appendAudit(line: AuditLine) {
      await mkdir(dirname(auditFile), { recursive: true });
      await appendFile(auditFile, `${JSON.stringify(line)}\n`);
    },
  };
}
