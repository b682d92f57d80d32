/**
 * What `npm start` prints while it runs: one short line per request and per event hop (who, what,
 * status, ms), errors in full, and nothing else unless asked. Each function's own output (its JSON
 * logs, metrics and the runtime's START/END/REPORT lines) goes to `<logDir>/<function>.log`, the way
 * Lambda sends it to the function's log group rather than to the caller.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { EventBridgeActivity } from './events/eventbridge/index.js';
import type { FunctionLogEntry } from './lambda/types.js';

/** Options of {@link ActivityLog}. */
export interface ActivityLogOptions {
  /** Where console lines go. */
  readonly write: (line: string) => void;
  /** Also print every function line on the console. @default false */
  readonly verbose?: boolean;
  /** One `<function>.log` per function here. @default function output is not kept */
  readonly logDir?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

// The largest response body read for a summary; bigger GraphQL answers are summarised by status only.
const MAX_CAPTURE = 256 * 1024;
const REPORT = /^REPORT RequestId: (\S+)\tDuration: ([\d.]+) ms/;

/** Whether a function's line is an error: the runtime's tab format, or a Powertools JSON log entry. */
export function isErrorLine(line: string): boolean {
  if (/^\S+\t\S+\t(ERROR|FATAL)\t/.test(line)) return true;
  if (!line.startsWith('{')) return false;
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return level === 'ERROR' || level === 'CRITICAL';
  } catch {
    return false;
  }
}

/** Who sent a request, for display only: the token's user, the IAM key, the API key, or nobody. */
export function callerOf(headers: IncomingMessage['headers']): string {
  const authorization = String(headers.authorization ?? '');
  if (authorization.startsWith('AWS4-HMAC-SHA256')) {
    const key = /Credential=([^/]+)\//.exec(authorization)?.[1];
    return `iam:${key ?? '?'}`;
  }
  const token = authorization.replace(/^Bearer /i, '');
  const payload = token.split('.')[1];
  if (payload) {
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      const name = claims['email'] ?? claims['cognito:username'] ?? claims['username'] ?? claims['sub'];
      if (typeof name === 'string') return name;
    } catch {
      // not a JWT; fall through
    }
  }
  if (headers['x-api-key']) return 'api-key';
  return 'anonymous';
}

/** What a request asked for: the GraphQL root fields it got, or the AWS service and operation. */
function whatOf(req: IncomingMessage, status: number, body: string | undefined): string {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix = '', operation = ''] = target.split('.');
    return `${serviceOfTarget(prefix)} ${operation}`;
  }
  if (path.endsWith('/graphql') && body !== undefined) {
    try {
      const answer = JSON.parse(body) as { data?: Record<string, unknown> | null; errors?: unknown[] };
      const fields = Object.keys(answer.data ?? {}).join(',') || 'graphql';
      const errors = (answer.errors ?? []) as { errorType?: string; message?: string }[];
      return errors.length === 0
        ? fields
        : `${fields} errors: ${errors.map((e) => `${e.errorType ?? 'Error'}: ${e.message ?? ''}`).join('; ')}`;
    } catch {
      return 'graphql';
    }
  }
  const action = body && /^(?:<\?xml[^>]*>)?<(\w+)Response\b/.exec(body)?.[1];
  const scope = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
  if (action) return `${scope ?? 'aws'} ${action}`;
  return `${req.method ?? ''} ${path}${status >= 400 && body ? ` ${body.slice(0, 500)}` : ''}`;
}

function serviceOfTarget(prefix: string): string {
  if (prefix.startsWith('DynamoDBStreams')) return 'dynamodb-streams';
  if (prefix.startsWith('DynamoDB')) return 'dynamodb';
  if (prefix === 'AmazonSQS') return 'sqs';
  if (prefix === 'AWSEvents') return 'events';
  if (prefix.startsWith('AWSCognitoIdentityProvider')) return 'cognito-idp';
  return prefix;
}

/** The console and the per-function log files of one running stack. */
export class ActivityLog {
  private readonly files = new Map<string, WriteStream>();
  private readonly failed = new Set<string>();
  private readonly pending = new Map<string, { source: string; type: string; rules: string[] }>();
  private readonly now: () => Date;

  constructor(private readonly options: ActivityLogOptions) {
    this.now = options.now ?? (() => new Date());
    if (options.logDir) mkdirSync(options.logDir, { recursive: true });
  }

  /** The directory of the function logs, if kept. */
  get logDir(): string | undefined {
    return this.options.logDir;
  }

  /** A line that is not a summary (pipes, retries, the runtime's own warnings): printed with the time. */
  line(text: string): void {
    this.options.write(`${this.time()} ${text}`);
  }

  /** One line a function wrote: to its file, and to the console if it is an error, a REPORT or verbose. */
  functionLine(entry: FunctionLogEntry): void {
    this.fileOf(entry.functionName)?.write(`${entry.line}\n`);
    const report = REPORT.exec(entry.line);
    if (this.options.verbose) this.options.write(`[${entry.functionName}] ${entry.line}`);
    else if (isErrorLine(entry.line))
      this.options.write(`${this.time()} [${entry.functionName}] ${entry.line}`);
    if (entry.line.includes('\tERROR\tInvoke Error ') && entry.requestId) this.failed.add(entry.requestId);
    if (report) {
      const [, requestId = '', ms = '0'] = report;
      const status = this.failed.delete(requestId) ? 'error' : 'ok';
      this.summary('λ', shortName(entry.functionName), 'invoke', status, Number(ms));
    }
  }

  /**
   * One event on a bus: a line naming the rules it matched (written once the bus has matched them all,
   * which it does as it accepts the event), and a line for each target that failed or gave up. A
   * delivered Lambda target shows as its own invocation line.
   */
  busActivity(activity: EventBridgeActivity): void {
    if (activity.type === 'accepted') {
      const { event } = activity;
      const type = (event.detail as { type?: unknown } | undefined)?.type;
      this.pending.set(event.id, {
        source: event.source,
        type: typeof type === 'string' ? `${event['detail-type']} ${type}` : event['detail-type'],
        rules: [],
      });
      setImmediate(() => this.flushEvent(event.id));
    } else if (activity.type === 'matched') {
      this.pending.get(activity.event.id)?.rules.push(shortName(activity.rule.name));
    } else if (activity.type === 'attempt-failed') {
      this.options.write(
        `${this.time()} event ${activity.event['detail-type']} → ${shortName(activity.rule.name)} → ` +
          `${shortName(lastSegment(activity.target.arn))}: attempt ${activity.attempt} failed: ${activity.error.message}`,
      );
    } else if (activity.outcome.type !== 'delivered') {
      this.summary(
        'event',
        activity.event.source,
        `${activity.event['detail-type']} → ${shortName(activity.rule.name)} → ${shortName(lastSegment(activity.target.arn))}`,
        `${activity.outcome.type} (${activity.outcome.errorCode})`,
      );
    }
  }

  private flushEvent(id: string): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    this.summary('event', entry.source, `${entry.type} → ${entry.rules.join(', ') || 'no rule'}`, 'accepted');
  }

  /** Watches one HTTP request and prints its summary when the answer is sent. */
  httpRequest(req: IncomingMessage, res: ServerResponse): void {
    const started = this.now().getTime();
    const chunks: Buffer[] = [];
    let captured = 0;
    const capture = (chunk: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function' || captured > MAX_CAPTURE)
        return;
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      captured += buffer.length;
      if (captured <= MAX_CAPTURE) chunks.push(buffer);
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((...args: unknown[]) => {
      capture(args[0]);
      return write(...args);
    }) as ServerResponse['write'];
    res.end = ((...args: unknown[]) => {
      capture(args[0]);
      return end(...args);
    }) as ServerResponse['end'];
    res.once('finish', () => {
      const body = captured <= MAX_CAPTURE ? Buffer.concat(chunks).toString('utf8') : undefined;
      const ms = this.now().getTime() - started;
      this.summary('http', callerOf(req.headers), whatOf(req, res.statusCode, body), res.statusCode, ms);
    });
  }

  /** Closes the log files. */
  async close(): Promise<void> {
    const files = [...this.files.values()];
    this.files.clear();
    await Promise.all(files.map((f) => new Promise<void>((done) => f.end(() => done()))));
  }

  private summary(kind: string, who: string, what: string, status: string | number, ms?: number): void {
    const duration = ms === undefined ? '' : ` ${Math.round(ms)} ms`;
    this.options.write(`${this.time()} ${kind.padEnd(5)} ${who}  ${what}  ${status}${duration}`);
  }

  private time(): string {
    return this.now().toISOString().slice(11, 23);
  }

  private fileOf(functionName: string): WriteStream | undefined {
    if (!this.options.logDir) return undefined;
    let file = this.files.get(functionName);
    if (!file) {
      file = createWriteStream(join(this.options.logDir, `${functionName}.log`), { flags: 'a' });
      this.files.set(functionName, file);
    }
    return file;
  }
}

/**
 * A resource name without CloudFormation's decoration: `OrderloopApi-PaymentConsumerFunction5BC1E827`
 * reads `PaymentConsumerFunction` (the stack prefix and the logical id's hash go).
 */
export function shortName(physicalName: string): string {
  return /^[A-Za-z][A-Za-z0-9]*-(.+?)[0-9A-F]{8}$/.exec(physicalName)?.[1] ?? physicalName;
}

/** The name at the end of an ARN (function:NAME, queue NAME, …). */
function lastSegment(arn: string): string {
  return arn.split(/[:/]/).pop() ?? arn;
}
