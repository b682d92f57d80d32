import { deadLetterMessage } from './dlq.js';
import { invokeEnrichmentAndTarget } from './invoke.js';
import type { DeadLetterCondition, PipeConfig, PipeHooks, PipePorts, PipeStreamRecord } from './types.js';

/** What delivering one batch needs from the pipe that polls the shard. */
export interface DeliveryContext {
  readonly config: PipeConfig;
  readonly ports: PipePorts;
  readonly hooks: PipeHooks;
  readonly shardId: string;
  now(): number;
  /** Waits between retries; resolves early when the pipe stops. */
  sleep(ms: number): Promise<void>;
  retryDelayMs(attempt: number): number;
  isStopping(): boolean;
  /** Moves the shard's checkpoint past `record`: it and everything before it are done. */
  commit(record: PipeStreamRecord): Promise<void>;
}

const last = <T>(items: readonly T[]): T => items[items.length - 1] as T;

function isExpired(record: PipeStreamRecord, ctx: DeliveryContext): boolean {
  const maxAge = ctx.config.maximumRecordAgeInSeconds;
  return maxAge >= 0 && ctx.now() - record.dynamodb.ApproximateCreationDateTime * 1000 > maxAge * 1000;
}

/** Gives up on records: sends their position to the DLQ (when one is configured) and moves past them. */
async function giveUp(
  records: readonly PipeStreamRecord[],
  condition: DeadLetterCondition,
  ctx: DeliveryContext,
): Promise<boolean> {
  const { config } = ctx;
  const message = config.deadLetterArn
    ? deadLetterMessage(records, {
        pipeArn: config.arn,
        shardId: ctx.shardId,
        streamArn: config.streamArn,
        condition,
        now: ctx.now(),
      })
    : undefined;
  if (config.deadLetterArn && message) {
    // The DLQ write must land before the checkpoint moves, or the records would vanish without a trace.
    for (let attempt = 1; ; attempt++) {
      try {
        await ctx.ports.sendToQueue(config.deadLetterArn, JSON.stringify(message));
        break;
      } catch (error) {
        ctx.hooks.onPollError?.(error);
        if (ctx.isStopping()) return false;
        await ctx.sleep(ctx.retryDelayMs(attempt));
      }
    }
  }
  ctx.hooks.onDeadLettered?.(records, condition, message);
  await ctx.commit(last(records));
  return true;
}

/**
 * Delivers one batch with the stream-source failure semantics of Pipes ("Error handling and
 * troubleshooting", "Batching and concurrency"): retry until MaximumRetryAttempts or MaximumRecordAge,
 * retry only from the first failed record on a partial failure, halve a failing batch with
 * AUTOMATIC_BISECT, then dead-letter and move on. Records stay in shard order throughout.
 * Resolves true when every record is done, false when the pipe stopped first (nothing past the last
 * commit counts as processed, so a restart delivers the rest again).
 */
export async function deliverBatch(
  records: readonly PipeStreamRecord[],
  ctx: DeliveryContext,
): Promise<boolean> {
  const { config, hooks } = ctx;
  let pending = records;
  let attempts = 0;
  while (pending.length > 0) {
    const expired = pending.filter((r) => isExpired(r, ctx));
    if (expired.length > 0) {
      // Older records come first in a shard, so the expired ones are a prefix; keep order anyway.
      const cut = pending.indexOf(last(expired)) + 1;
      if (!(await giveUp(pending.slice(0, cut), 'RecordAgeExceeded', ctx))) return false;
      pending = pending.slice(cut);
      continue;
    }

    const outcome = await invokeEnrichmentAndTarget(pending, config, ctx.ports, () => ctx.now());
    if (outcome.kind === 'ok') {
      hooks.onDelivered?.(pending);
      await ctx.commit(last(pending));
      return true;
    }
    attempts++;
    if (outcome.kind === 'partial') {
      const done = pending.slice(0, outcome.firstFailed);
      if (done.length > 0) {
        hooks.onDelivered?.(done);
        await ctx.commit(last(done));
      }
      pending = pending.slice(outcome.firstFailed);
      hooks.onFailed?.(pending, outcome.error, attempts);
    } else {
      hooks.onFailed?.(pending, outcome.error, attempts);
      if (config.onPartialBatchItemFailure === 'AUTOMATIC_BISECT' && pending.length > 1) {
        // Each half is delivered (with its own retries) before the next, which keeps shard order.
        const middle = Math.ceil(pending.length / 2);
        for (const half of [pending.slice(0, middle), pending.slice(middle)]) {
          if (!(await deliverBatch(half, ctx))) return false;
        }
        return true;
      }
    }
    if (config.maximumRetryAttempts >= 0 && attempts > config.maximumRetryAttempts) {
      return giveUp(pending, 'RetryAttemptsExhausted', ctx);
    }
    if (ctx.isStopping()) return false;
    await ctx.sleep(ctx.retryDelayMs(attempts));
    if (ctx.isStopping()) return false;
  }
  return true;
}
