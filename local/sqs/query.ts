/**
 * SQS over the AWS query protocol (form-encoded `Action=...` requests, XML answers), which older SDKs
 * and Debian's AWS CLI v2 (2.9.x, botocore's `sqs` model with `"protocol": "query"`) speak. Each request
 * is translated to the JSON protocol's input, answered by the same service, and its output written as
 * the query protocol's XML, so both protocols share one implementation and cannot drift apart.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { queryProtocolCode, refuseUnsigned, type SigV4Options } from '../auth/sigv4.js';
import { AwsServiceError, type AwsJsonService } from '../aws-json.js';

const XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** The actions of the SQS API (2012-11-05), so a request without a signature can still be recognised. */
export const SQS_ACTIONS = new Set([
  'AddPermission',
  'CancelMessageMoveTask',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'CreateQueue',
  'DeleteMessage',
  'DeleteMessageBatch',
  'DeleteQueue',
  'GetQueueAttributes',
  'GetQueueUrl',
  'ListDeadLetterSourceQueues',
  'ListMessageMoveTasks',
  'ListQueueTags',
  'ListQueues',
  'PurgeQueue',
  'ReceiveMessage',
  'RemovePermission',
  'SendMessage',
  'SendMessageBatch',
  'SetQueueAttributes',
  'StartMessageMoveTask',
  'TagQueue',
  'UntagQueue',
]);

// The query protocol's error codes where they differ from the shape names (the `error.code` of each
// exception shape in botocore's sqs/2012-11-05/service-2.json, as Debian's awscli 2.9.19 ships it).
const QUERY_ERROR_CODES: Readonly<Record<string, string>> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  BatchRequestTooLong: 'AWS.SimpleQueueService.BatchRequestTooLong',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  PurgeQueueInProgress: 'AWS.SimpleQueueService.PurgeQueueInProgress',
  QueueDeletedRecently: 'AWS.SimpleQueueService.QueueDeletedRecently',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
};

// Flattened lists and maps of the request shapes: query name → JSON member name.
const LISTS: Readonly<Record<string, string>> = {
  AttributeName: 'AttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  TagKey: 'TagKeys',
  AWSAccountId: 'AWSAccountIds',
  ActionName: 'Actions',
};
const MAPS: Readonly<Record<string, { member: string; key: string; value: string }>> = {
  Attribute: { member: 'Attributes', key: 'Name', value: 'Value' },
  Tag: { member: 'tags', key: 'Key', value: 'Value' },
  MessageAttribute: { member: 'MessageAttributes', key: 'Name', value: 'Value' },
  MessageSystemAttribute: { member: 'MessageSystemAttributes', key: 'Name', value: 'Value' },
};
const VALUE_LISTS: Readonly<Record<string, string>> = {
  StringListValue: 'StringListValues',
  BinaryListValue: 'BinaryListValues',
};

type Json = Record<string, unknown>;

/** Groups `A.1.B=x` style keys by their first segment: { A: [['1','B'], 'x'] … }. */
function groupByHead(
  pairs: readonly (readonly [string[], string])[],
): Map<string, (readonly [string[], string])[]> {
  const groups = new Map<string, (readonly [string[], string])[]>();
  for (const [path, value] of pairs) {
    const [head, ...rest] = path;
    if (head === undefined) continue;
    const group = groups.get(head) ?? [];
    group.push([rest, value] as const);
    groups.set(head, group);
  }
  return groups;
}

/** The members of `N.rest` pairs in the order of N (1-based in the query protocol). */
function byIndex(pairs: readonly (readonly [string[], string])[]): (readonly [string[], string])[][] {
  const items = new Map<number, (readonly [string[], string])[]>();
  for (const [[index, ...rest], value] of pairs) {
    const n = Number(index);
    if (!Number.isInteger(n)) continue;
    const item = items.get(n) ?? [];
    item.push([rest, value] as const);
    items.set(n, item);
  }
  return [...items.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
}

/** A structure from its flattened members (`Entries`, message attribute values and the top level). */
function decodeStructure(pairs: readonly (readonly [string[], string])[]): Json {
  const out: Json = {};
  for (const [name, members] of groupByHead(pairs)) {
    const scalar = members.find(([rest]) => rest.length === 0);
    if (LISTS[name]) out[LISTS[name]] = byIndex(members).map((item) => item[0]?.[1] ?? '');
    else if (VALUE_LISTS[name]) out[VALUE_LISTS[name]] = byIndex(members).map((item) => item[0]?.[1] ?? '');
    else if (MAPS[name]) {
      const { member, key, value } = MAPS[name];
      const map: Json = {};
      for (const entry of byIndex(members)) {
        const fields = groupByHead(entry);
        const k = fields.get(key)?.find(([rest]) => rest.length === 0)?.[1];
        const v = fields.get(value) ?? [];
        if (k === undefined) continue;
        const plain = v.find(([rest]) => rest.length === 0);
        map[k] = plain ? plain[1] : decodeStructure(v);
      }
      out[member] = map;
    } else if (name.endsWith('RequestEntry')) {
      out.Entries = byIndex(members).map(decodeStructure);
    } else if (scalar) {
      out[name] = scalar[1];
    }
  }
  return out;
}

/** The JSON protocol's input for a query request's parameters. */
export function queryToJsonInput(params: URLSearchParams): { action: string; input: Json } {
  const pairs: [string[], string][] = [];
  for (const [key, value] of params)
    if (key !== 'Action' && key !== 'Version') pairs.push([key.split('.'), value]);
  return { action: params.get('Action') ?? '', input: decodeStructure(pairs) };
}

const escapeXml = (text: string) =>
  text.replace(
    /[<>&'"\r]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;', '\r': '&#xD;' })[c]!,
  );

const element = (name: string, value: unknown): string =>
  value === undefined || value === null ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;

/** A flattened map: one `<name><Name>k</Name><Value>v</Value></name>` per entry. */
function xmlMap(name: string, map: unknown): string {
  return Object.entries((map ?? {}) as Json)
    .map(([key, value]) => {
      const inner =
        typeof value === 'object' && value !== null
          ? `<Value>${Object.entries(value as Json)
              .map(([k, v]) =>
                Array.isArray(v) ? v.map((x) => element(k.replace(/s$/, ''), x)).join('') : element(k, v),
              )
              .join('')}</Value>`
          : element('Value', value);
      return `<${name}>${element('Name', key)}${inner}</${name}>`;
    })
    .join('');
}

function xmlStructure(value: Json): string {
  return Object.entries(value)
    .map(([key, v]) => {
      if (key === 'Attributes') return xmlMap('Attribute', v);
      if (key === 'MessageAttributes') return xmlMap('MessageAttribute', v);
      return element(key, v);
    })
    .join('');
}

/** The `<Action>Result` body for a JSON protocol output, with the query protocol's flattened names. */
export function jsonOutputToXml(action: string, output: Json): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(output)) {
    if (key === 'QueueUrls') parts.push(...(value as string[]).map((url) => element('QueueUrl', url)));
    else if (key === 'Messages')
      parts.push(...(value as Json[]).map((m) => `<Message>${xmlStructure(m)}</Message>`));
    else if (key === 'Successful')
      parts.push(
        ...(value as Json[]).map((e) => `<${action}ResultEntry>${xmlStructure(e)}</${action}ResultEntry>`),
      );
    else if (key === 'Failed')
      parts.push(
        ...(value as Json[]).map((e) => `<BatchResultErrorEntry>${xmlStructure(e)}</BatchResultErrorEntry>`),
      );
    else if (key === 'Attributes') parts.push(xmlMap('Attribute', value));
    else if (key === 'Tags') parts.push(xmlMap('Tag', value));
    else if (Array.isArray(value)) parts.push(...value.map((v) => element(key.replace(/s$/, ''), v)));
    else parts.push(element(key, value));
  }
  return parts.join('');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// A queue URL's path: /<account id>/<queue name>.
const QUEUE_PATH = /^\/\d{12}\/[\w-]+(\.fifo)?$/;

/**
 * Whether a request is an SQS query-protocol call: the SigV4 credential scope names the service, and an
 * unsigned one is SQS's when sent to a queue URL. An unsigned form posted to / is left to SNS, which
 * refuses it with the same MissingAuthenticationToken.
 */
function isSqsQuery(req: IncomingMessage): boolean {
  if (req.headers['x-amz-target']) return false;
  const authorization = req.headers.authorization;
  if (!authorization) return QUEUE_PATH.test((req.url ?? '/').split('?')[0] ?? '/');
  return authorization.includes('/sqs/aws4_request');
}

/**
 * The gateway handler for SQS's query protocol over `service` (the JSON protocol implementation).
 * Returns false for requests that are not SQS query calls.
 */
export function createSqsQueryHandler(
  service: AwsJsonService,
  options: { readonly sigv4?: Omit<SigV4Options, 'service'> } = {},
) {
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (!isSqsQuery(req)) return false;
    const url = new URL(req.url ?? '/', 'http://local');
    const body = req.method === 'POST' ? await readBody(req) : '';
    const params = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
    const { action, input } = queryToJsonInput(params);
    // A request sent to a queue URL names its queue by the path (the query protocol allows both).
    if (input.QueueUrl === undefined && url.pathname !== '/')
      input.QueueUrl = `http://${req.headers.host ?? 'localhost'}${url.pathname}`;
    const requestId = randomUUID();
    const respond = (status: number, xml: string) =>
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }).end(xml);
    try {
      const refused = await refuseUnsigned(
        { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body },
        'sqs',
        options.sigv4,
      );
      if (refused) throw new AwsServiceError(queryProtocolCode(refused), refused.message, refused.status);
      if (!SQS_ACTIONS.has(action))
        throw new AwsServiceError(
          'InvalidAction',
          `The action ${action || '(none)'} is not valid for this endpoint.`,
        );
      const output = (await service.handle(action, input, {
        headers: req.headers,
        host: String(req.headers.host ?? 'localhost'),
      })) as Json;
      respond(
        200,
        `<?xml version="1.0"?><${action}Response xmlns="${XMLNS}"><${action}Result>${jsonOutputToXml(action, output ?? {})}</${action}Result>` +
          `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
      );
    } catch (err) {
      const error =
        err instanceof AwsServiceError
          ? err
          : new AwsServiceError('InternalError', (err as Error).message, 500);
      const shape = error.code.split('#').pop() ?? error.code;
      const code = QUERY_ERROR_CODES[shape] ?? shape;
      respond(
        error.statusCode,
        `<?xml version="1.0"?><ErrorResponse xmlns="${XMLNS}"><Error><Type>${error.statusCode < 500 ? 'Sender' : 'Receiver'}</Type>` +
          `${element('Code', code)}${element('Message', error.message)}<Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    }
    return true;
  };
}
