/**
 * The cost meter: billable units per pricing dimension, with a breakdown by label (which mutation,
 * which function, which table or index) so a reader sees where the units come from. The services call
 * it through small hooks; it never changes what they do.
 */
import { chunks, EVENT_CHUNK_BYTES, gbSeconds, jsonBytes } from './units.js';
import type { Dimension } from './prices.js';

/** A reading of the meter: totals per dimension, and per `dimension label` for the breakdown. */
export interface MeterReading {
  readonly totals: Readonly<Partial<Record<Dimension, number>>>;
  readonly details: Readonly<Record<string, number>>;
}

/** What the meter needs to know of a function to price its duration and its logs. */
export interface MeteredFunction {
  readonly memoryMb: number;
  readonly architecture: 'arm64' | 'x86_64';
  /**
   * Whether Lambda sends the runtime's own START/END/REPORT lines to CloudWatch Logs: not when the
   * function logs in the JSON format with a system log level of WARN ("Log-level filtering", Lambda
   * developer guide: those are INFO system logs, sent at the default system level INFO).
   * @default true
   */
  readonly platformLines?: boolean;
}

/** The runtime's own lines around each invocation (runtime-worker.mjs writes them as Lambda does). */
const PLATFORM_LINE = /^(?:START|END|REPORT) RequestId: /;

/** Counts billable units as the local stack serves them. */
export class CostMeter {
  private totals: Partial<Record<Dimension, number>> = {};
  private details: Record<string, number> = {};

  /** @param functions memory and architecture per function name (from the assembly) */
  constructor(private readonly functions: ReadonlyMap<string, MeteredFunction> = new Map()) {}

  /** Adds `units` of a dimension, and to its `label` in the breakdown when given. */
  add(dimension: Dimension, units: number, label?: string): void {
    if (!(units > 0)) return;
    this.totals[dimension] = (this.totals[dimension] ?? 0) + units;
    const key = label ? `${dimension} ${label}` : dimension;
    this.details[key] = (this.details[key] ?? 0) + units;
  }

  /** Counts something worth showing that AWS bills by time rather than per order (idle stream polls). */
  note(label: string, count = 1): void {
    const key = `unpriced ${label}`;
    this.details[key] = (this.details[key] ?? 0) + count;
  }

  /** A copy of the counts so far. */
  read(): MeterReading {
    return { totals: { ...this.totals }, details: { ...this.details } };
  }

  /** Zeroes every count. */
  reset(): void {
    this.totals = {};
    this.details = {};
  }

  /** One Lambda execution (sync, async or a retry): a request and its GB-seconds at the function's size. */
  lambdaExecution(functionName: string, durationMs: number): void {
    const fn = this.functions.get(functionName) ?? { memoryMb: 128, architecture: 'x86_64' as const };
    this.add('lambda.request', 1, functionName);
    // Measured on this machine: shown next to the price so a reader can judge it against AWS's durations.
    this.note(`lambda.billedMs ${functionName}`, Math.ceil(durationMs));
    this.add(
      fn.architecture === 'arm64' ? 'lambda.gbSecondArm' : 'lambda.gbSecondX86',
      gbSeconds(fn.memoryMb, durationMs),
      functionName,
    );
  }

  /**
   * One line a function logged; CloudWatch Logs ingests its bytes (plus the newline), unless it is a
   * platform line that the function's log-level filtering keeps out of CloudWatch.
   */
  lambdaLog(functionName: string, line: string): void {
    const sent = this.functions.get(functionName)?.platformLines ?? true;
    if (!sent && PLATFORM_LINE.test(line)) return;
    this.add('logs.ingestedByte', Buffer.byteLength(line, 'utf8') + 1, functionName);
    const tokens = modelTokensOf(line);
    if (tokens) {
      this.add('bedrock.inputToken', tokens.inputTokens, functionName);
      this.add('bedrock.outputToken', tokens.outputTokens, functionName);
    }
  }

  /** One event a bus accepted, in 64 KB chunks. */
  busEvent(busName: string, event: unknown): void {
    this.add('eventbridge.event', chunks(jsonBytes(event), EVENT_CHUNK_BYTES), busName);
  }

  /**
   * One SNS publish request (a Publish of one message, a PublishBatch of up to 10), in 64 KB chunks of
   * its messages' aggregate size (./attach.ts, attachSnsMeter).
   */
  snsPublish(topicArn: string, messages: readonly string[]): void {
    const bytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m, 'utf8'), 0);
    this.add('sns.request', chunks(bytes, EVENT_CHUNK_BYTES), topicArn.split(':').pop());
  }
}

/** `after - before`, for the units of one scenario. */
export function diffReadings(after: MeterReading, before: MeterReading): MeterReading {
  const sub = <K extends string>(a: Partial<Record<K, number>>, b: Partial<Record<K, number>>) => {
    const out: Partial<Record<K, number>> = {};
    for (const [k, v] of Object.entries(a) as [K, number][]) {
      const d = v - (b[k] ?? 0);
      if (Math.abs(d) > 1e-12) out[k] = d;
    }
    return out;
  };
  return {
    totals: sub(after.totals, before.totals),
    details: sub(after.details, before.details) as Record<string, number>,
  };
}

/**
 * The model tokens one log line reports: the assistant logs the Converse response's `usage` on its
 * "assistant answered" line (functions/assistant/handler.ts), the way a metric filter would read it.
 */
export function modelTokensOf(line: string): { inputTokens: number; outputTokens: number } | undefined {
  if (!line.includes('"inputTokens"')) return undefined;
  try {
    const entry = JSON.parse(line) as { inputTokens?: unknown; outputTokens?: unknown };
    const input = Number(entry.inputTokens);
    const output = Number(entry.outputTokens);
    if (!Number.isFinite(input) || !Number.isFinite(output) || input + output <= 0) return undefined;
    return { inputTokens: input, outputTokens: output };
  } catch {
    return undefined;
  }
}
