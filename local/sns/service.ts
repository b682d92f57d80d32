import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { topicArn as localTopicArn } from '../aws-ids.js';
import { queryProtocolCode, refuseUnsigned, type SigV4Options } from '../auth/sigv4.js';

/** Plain configuration of a topic, mapped from an AWS::SNS::Topic in cdk.out. */
export interface TopicConfig {
  readonly name: string;
  readonly arn: string;
}

/** One published message as the outbox keeps it. */
export interface OutboxMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly message: string;
  readonly subject?: string;
  readonly messageAttributes: Record<
    string,
    { DataType: string; StringValue?: string; BinaryValue?: string }
  >;
  readonly messageGroupId?: string;
  readonly publishedAt: string;
}

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

const escapeXml = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );

class SnsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Most entries of one PublishBatch request. */
const MAX_BATCH_ENTRIES = 10;
/** Most bytes of one PublishBatch request's messages and attributes (the default MaximumMessageSize). */
const MAX_BATCH_BYTES = 262_144;
/** A batch entry's Id: up to 80 alphanumeric characters, hyphens and underscores. */
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** The bytes SNS counts for a message: its body and each attribute's name, data type and value. */
function messageBytes(message: string, attributes: OutboxMessage['messageAttributes'] = {}): number {
  let bytes = Buffer.byteLength(message, 'utf8');
  for (const [name, value] of Object.entries(attributes))
    bytes +=
      Buffer.byteLength(name, 'utf8') +
      Buffer.byteLength(value.DataType, 'utf8') +
      Buffer.byteLength(value.StringValue ?? '', 'utf8') +
      Buffer.from(value.BinaryValue ?? '', 'base64').byteLength;
  return bytes;
}

/** What a PublishBatch answers: the entries published and those SNS refused on their own. */
export interface BatchResult {
  successful: { id: string; entry: OutboxMessage }[];
  failed: { id: string; code: string; message: string; senderFault: boolean }[];
}

/** Reads `Prefix.N.Field` members of a query-protocol list into objects, in index order. */
function members(params: URLSearchParams, prefix: string): Array<Record<string, string>> {
  const byIndex = new Map<number, Record<string, string>>();
  for (const [key, value] of params) {
    if (!key.startsWith(`${prefix}.`)) continue;
    const rest = key.slice(prefix.length + 1);
    const dot = rest.indexOf('.');
    const index = Number(dot === -1 ? rest : rest.slice(0, dot));
    const entry = byIndex.get(index) ?? {};
    entry[dot === -1 ? '' : rest.slice(dot + 1)] = value;
    byIndex.set(index, entry);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, v]) => v);
}

function attributesOf(params: URLSearchParams, prefix: string): OutboxMessage['messageAttributes'] {
  const out: OutboxMessage['messageAttributes'] = {};
  for (const entry of members(params, prefix)) {
    const name = entry.Name;
    if (!name) continue;
    out[name] = {
      DataType: entry['Value.DataType'] ?? 'String',
      ...(entry['Value.StringValue'] !== undefined ? { StringValue: entry['Value.StringValue'] } : {}),
      ...(entry['Value.BinaryValue'] !== undefined ? { BinaryValue: entry['Value.BinaryValue'] } : {}),
    };
  }
  return out;
}

/**
 * SNS as a local outbox: Publish and PublishBatch over the query protocol (form-encoded Action=...,
 * XML answers) so @aws-sdk/client-sns works with an endpoint override; messages are kept for listing
 * instead of being fanned out.
 */
export class SnsService {
  private readonly topics = new Map<string, TopicConfig>();
  private readonly outbox: OutboxMessage[] = [];

  /** @param sigv4 how signatures are checked; the service is always `sns`. @default the local IAM keys */
  constructor(
    topics: readonly TopicConfig[] = [],
    private readonly sigv4: Omit<SigV4Options, 'service'> = {},
  ) {
    for (const topic of topics) this.topics.set(topic.arn, topic);
  }

  /** Published messages, oldest first, optionally of one topic. */
  listOutbox(topicArn?: string): readonly OutboxMessage[] {
    return this.outbox.filter((m) => topicArn === undefined || m.topicArn === topicArn);
  }

  /** Publishes in process (for other local components); throws when the topic is unknown. */
  publish(
    topicArn: string,
    message: string,
    extra: Partial<Pick<OutboxMessage, 'subject' | 'messageAttributes' | 'messageGroupId'>> = {},
  ): OutboxMessage {
    if (!this.topics.has(topicArn)) throw new SnsError('NotFound', 'Topic does not exist', 404);
    if (!message) throw new SnsError('InvalidParameter', 'Invalid parameter: Empty message', 400);
    const entry: OutboxMessage = {
      messageId: randomUUID(),
      topicArn,
      message,
      messageAttributes: extra.messageAttributes ?? {},
      ...(extra.subject !== undefined ? { subject: extra.subject } : {}),
      ...(extra.messageGroupId !== undefined ? { messageGroupId: extra.messageGroupId } : {}),
      publishedAt: new Date().toISOString(),
    };
    this.outbox.push(entry);
    return entry;
  }

  /**
   * One PublishBatch request, checked as SNS checks it ("PublishBatch", Amazon SNS API Reference): 1 to
   * 10 entries, distinct Ids of up to 80 letters, digits, hyphens and underscores, and at most 256 KiB of
   * messages and attributes together (the topic's default MaximumMessageSize); a request that breaks one
   * fails whole. An entry SNS would refuse on its own (an empty message) is listed as failed and the
   * others are published. A method of its own so the cost meter can bill the request as one
   * (../meter/attach.ts).
   */
  publishBatch(
    topicArn: string,
    entries: readonly ({ readonly id: string; readonly message: string } & Parameters<
      SnsService['publish']
    >[2])[],
  ): BatchResult {
    if (!this.topics.has(topicArn)) throw new SnsError('NotFound', 'Topic does not exist', 404);
    if (entries.length === 0)
      throw new SnsError('EmptyBatchRequest', "The batch request doesn't contain any entries.", 400);
    if (entries.length > MAX_BATCH_ENTRIES)
      throw new SnsError(
        'TooManyEntriesInBatchRequest',
        `The batch request contains more entries than permissible: ${entries.length}, at most ${MAX_BATCH_ENTRIES}.`,
        400,
      );
    const ids = new Set<string>();
    for (const entry of entries) {
      if (!BATCH_ENTRY_ID.test(entry.id))
        throw new SnsError(
          'InvalidBatchEntryId',
          `The Id of a batch entry in a batch request doesn't abide by the specification: ${JSON.stringify(entry.id)} (1 to 80 letters, digits, hyphens or underscores).`,
          400,
        );
      if (ids.has(entry.id))
        throw new SnsError(
          'BatchEntryIdsNotDistinct',
          `Two or more batch entries in the request have the same Id: ${entry.id}.`,
          400,
        );
      ids.add(entry.id);
    }
    const bytes = entries.reduce((sum, e) => sum + messageBytes(e.message, e.messageAttributes), 0);
    if (bytes > MAX_BATCH_BYTES)
      throw new SnsError(
        'BatchRequestTooLong',
        `The length of all the messages put together is more than the limit: ${bytes} bytes, at most ${MAX_BATCH_BYTES}.`,
        400,
      );
    const result: BatchResult = { successful: [], failed: [] };
    for (const { id, message, ...extra } of entries) {
      if (!message) {
        result.failed.push({
          id,
          code: 'InvalidParameter',
          message: 'Invalid parameter: Empty message',
          senderFault: true,
        });
        continue;
      }
      result.successful.push({ id, entry: this.publish(topicArn, message, extra) });
    }
    return result;
  }

  /** The HTTP handler; returns false when the request is not an SNS query-protocol call. */
  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'POST' || req.headers['x-amz-target']) return false;
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      return false;
    // Several query-protocol services may share one port; the SigV4 credential scope names the service.
    const auth = String(req.headers.authorization ?? '');
    if (auth && !auth.includes('/sns/aws4_request')) return false;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const params = new URLSearchParams(body);
    const action = params.get('Action') ?? '';
    const requestId = randomUUID();
    try {
      const refused = await refuseUnsigned(
        { method: req.method, url: req.url ?? '/', headers: req.headers, body },
        'sns',
        this.sigv4,
      );
      if (refused) throw new SnsError(queryProtocolCode(refused), refused.message, refused.status);
      const result = this.dispatch(action, params);
      res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(
        `<${action}Response xmlns="${XMLNS}"><${action}Result>${result}</${action}Result>` +
          `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
      );
    } catch (err) {
      const e = err instanceof SnsError ? err : new SnsError('InternalError', (err as Error).message, 500);
      res.writeHead(e.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(
        `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${e.status < 500 ? 'Sender' : 'Receiver'}</Type>` +
          `<Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    }
    return true;
  };

  private dispatch(action: string, params: URLSearchParams): string {
    switch (action) {
      case 'Publish': {
        const arn = params.get('TopicArn') ?? params.get('TargetArn') ?? '';
        const entry = this.publish(arn, params.get('Message') ?? '', {
          subject: params.get('Subject') ?? undefined,
          messageAttributes: attributesOf(params, 'MessageAttributes.entry'),
          messageGroupId: params.get('MessageGroupId') ?? undefined,
        });
        return `<MessageId>${entry.messageId}</MessageId>`;
      }
      case 'PublishBatch': {
        const arn = params.get('TopicArn') ?? '';
        const entries = members(params, 'PublishBatchRequestEntries.member');
        const result = this.publishBatch(
          arn,
          entries.map((e) => ({
            id: e.Id ?? '',
            message: e.Message ?? '',
            subject: e.Subject,
            messageAttributes: attributesOf(
              new URLSearchParams(Object.entries(e)),
              'MessageAttributes.entry',
            ),
            messageGroupId: e.MessageGroupId,
          })),
        );
        const ok = result.successful.map(
          ({ id, entry }) =>
            `<member><Id>${escapeXml(id)}</Id><MessageId>${entry.messageId}</MessageId></member>`,
        );
        const failed = result.failed.map(
          (f) =>
            `<member><Id>${escapeXml(f.id)}</Id><Code>${f.code}</Code><Message>${escapeXml(f.message)}</Message>` +
            `<SenderFault>${f.senderFault}</SenderFault></member>`,
        );
        return `<Successful>${ok.join('')}</Successful><Failed>${failed.join('')}</Failed>`;
      }
      case 'CreateTopic': {
        const name = params.get('Name') ?? '';
        const arn = localTopicArn(name);
        if (!this.topics.has(arn)) this.topics.set(arn, { name, arn });
        return `<TopicArn>${arn}</TopicArn>`;
      }
      case 'ListTopics':
        return `<Topics>${[...this.topics.keys()].map((a) => `<member><TopicArn>${a}</TopicArn></member>`).join('')}</Topics>`;
      default:
        throw new SnsError('InvalidAction', `The action ${action} is not valid for this endpoint.`, 400);
    }
  }
}
