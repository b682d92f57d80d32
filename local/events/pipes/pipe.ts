import { SHARD_END } from './checkpoints.js';
import { deliverBatch, type DeliveryContext } from './delivery.js';
import { passesFilters, toPipeRecord } from './records.js';
import {
  StreamsApiError,
  StreamsClient,
  type StreamShard,
  type StreamsClientOptions,
} from './streams-client.js';
import type { PipeConfig, PipeHooks, PipePorts, PipeStreamRecord } from './types.js';

/** The stream operations the poller uses; StreamsClient by default, a fake in unit tests. */
export type StreamsApi = Pick<StreamsClient, 'listShards' | 'getShardIterator' | 'getRecords'>;

/** How a local pipe reaches DynamoDB Local and paces itself. */
export interface LocalPipeOptions extends StreamsClientOptions {
  /** Reads the stream. @default a StreamsClient on `endpoint` */
  readonly streams?: StreamsApi;
  /** Pause between polls of a caught-up stream. @default 200 */
  readonly pollIntervalMs?: number;
  /** How often the shard list is re-read, to find child shards. @default 2000 */
  readonly shardRefreshMs?: number;
  /** Backoff before retry `attempt` (1-based). @default 100 ms doubling, capped at 5 s */
  readonly retryDelayMs?: (attempt: number) => number;
  readonly hooks?: PipeHooks;
  /** @default Date.now */
  readonly now?: () => number;
}

interface Buffered {
  readonly record: PipeStreamRecord;
  readonly passes: boolean;
  readonly fetchedAt: number;
}

interface ShardState {
  readonly id: string;
  readonly parentId?: string;
  /** Present at the first start: only these may begin at LATEST; later (child) shards begin at TRIM_HORIZON. */
  readonly initial: boolean;
  readonly closedAtStart: boolean;
  iterator?: string;
  /** GetRecords returned no next iterator: the shard is closed and fully read. */
  ended: boolean;
  done: boolean;
  lastFetched?: string;
  buffer: Buffered[];
}

const defaultRetryDelay = (attempt: number) => Math.min(100 * 2 ** (attempt - 1), 5_000);
const GET_RECORDS_MAX = 1000;

/**
 * An EventBridge pipe with a DynamoDB stream source, run locally: it polls the stream shard by shard
 * (a child only after its parent is read to the end), filters, batches, enriches and delivers, and
 * checkpoints each shard past fully processed records only, so a restart resumes without loss.
 */
export class LocalPipe {
  private readonly client: StreamsApi;
  private readonly hooks: PipeHooks;
  private readonly now: () => number;
  private readonly shards = new Map<string, ShardState>();
  private loop: Promise<void> | undefined;
  private stopping = false;
  /** Ends every pending sleep (stop); `wakePoll` ends only the idle wait between polls (drain). */
  private readonly wakers = new Set<() => void>();
  private wakePoll: (() => void) | undefined;
  private lastRefresh = 0;
  private cycle = 0;
  private drainWaiters: { after: number; resolve: () => void }[] = [];

  constructor(
    readonly config: PipeConfig,
    private readonly ports: PipePorts,
    private readonly options: LocalPipeOptions,
  ) {
    if (!Number.isInteger(config.batchSize) || config.batchSize < 1 || config.batchSize > 10_000) {
      throw new Error(
        `pipe ${config.name}: batchSize must be between 1 and 10000, received ${config.batchSize}`,
      );
    }
    if (config.maximumBatchingWindowInSeconds < 0 || config.maximumBatchingWindowInSeconds > 300) {
      throw new Error(
        `pipe ${config.name}: maximumBatchingWindowInSeconds must be between 0 and 300, received ${config.maximumBatchingWindowInSeconds}`,
      );
    }
    this.client = options.streams ?? new StreamsClient(options);
    this.hooks = options.hooks ?? {};
    this.now = options.now ?? Date.now;
  }

  /** Reads the shard list and pins each shard's start position, then polls in the background. */
  async start(): Promise<void> {
    if (this.loop) return;
    this.stopping = false;
    await this.refreshShards();
    for (const shard of this.readyShards()) await this.openIterator(shard);
    this.loop = this.run();
  }

  /** Stops polling: waits for the batch in flight (not its retries), and leaves no timer behind. */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    for (const wake of [...this.wakers]) wake();
    await this.loop;
    this.loop = undefined;
    this.shards.clear();
    this.lastRefresh = 0;
    for (const waiter of this.drainWaiters.splice(0)) waiter.resolve();
  }

  /** Resolves once a poll that began after this call found nothing new and nothing is left in flight. */
  drain(timeoutMs = 20_000): Promise<void> {
    if (!this.loop) return Promise.reject(new Error(`pipe ${this.config.name} is not started`));
    return new Promise((resolve, reject) => {
      const waiter = {
        after: this.cycle,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.drainWaiters = this.drainWaiters.filter((w) => w !== waiter);
        reject(new Error(`pipe ${this.config.name} did not catch up within ${timeoutMs} ms`));
      }, timeoutMs);
      this.drainWaiters.push(waiter);
      this.wakePoll?.();
    });
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const cycle = ++this.cycle;
      let busy = false;
      try {
        if (this.now() - this.lastRefresh >= (this.options.shardRefreshMs ?? 2_000))
          await this.refreshShards();
        for (const shard of this.readyShards()) {
          if (this.stopping) break;
          busy = (await this.pollShard(shard)) || busy;
        }
      } catch (error) {
        busy = true;
        this.hooks.onPollError?.(error);
      }
      if (this.stopping) break;
      if (!busy) {
        const ready = this.drainWaiters.filter((w) => cycle > w.after);
        this.drainWaiters = this.drainWaiters.filter((w) => cycle <= w.after);
        for (const waiter of ready) waiter.resolve();
      }
      await this.sleep(this.pollDelay(), true);
    }
  }

  /** Polls sooner than the poll interval when a batching window is about to close. */
  private pollDelay(): number {
    const interval = this.options.pollIntervalMs ?? 200;
    const windowMs = this.config.maximumBatchingWindowInSeconds * 1000;
    let delay = interval;
    for (const shard of this.shards.values()) {
      const first = shard.buffer.find((b) => b.passes);
      if (first) delay = Math.min(delay, Math.max(0, first.fetchedAt + windowMs - this.now()));
    }
    return delay;
  }

  private sleep(ms: number, betweenPolls = false): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        if (this.wakePoll === done) this.wakePoll = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
      if (betweenPolls) this.wakePoll = done;
    });
  }

  private passes(record: PipeStreamRecord): boolean {
    try {
      return passesFilters(record, this.config, this.ports.matches);
    } catch (error) {
      this.hooks.onPollError?.(error);
      return false;
    }
  }

  private async refreshShards(): Promise<void> {
    const listed: StreamShard[] = await this.client.listShards(this.config.streamArn);
    const first = this.shards.size === 0 && this.lastRefresh === 0;
    for (const shard of listed) {
      if (this.shards.has(shard.ShardId)) continue;
      this.shards.set(shard.ShardId, {
        id: shard.ShardId,
        parentId: shard.ParentShardId,
        initial: first,
        closedAtStart: first && Boolean(shard.SequenceNumberRange?.EndingSequenceNumber),
        ended: false,
        done: false,
        buffer: [],
      });
    }
    this.lastRefresh = this.now();
  }

  /** Shards whose parent is read to the end (or gone from the stream), in listing order. */
  private readyShards(): ShardState[] {
    return [...this.shards.values()].filter((s) => {
      if (s.done) return false;
      const parent = s.parentId ? this.shards.get(s.parentId) : undefined;
      return !parent || parent.done;
    });
  }

  private async openIterator(shard: ShardState, fromSequence?: string): Promise<void> {
    const { streamArn } = this.config;
    const checkpoint = fromSequence ?? (await this.ports.checkpoints.get(shard.id));
    if (checkpoint === SHARD_END) {
      shard.done = true;
      return;
    }
    if (checkpoint) {
      try {
        shard.iterator = await this.client.getShardIterator(
          streamArn,
          shard.id,
          'AFTER_SEQUENCE_NUMBER',
          checkpoint,
        );
        return;
      } catch (error) {
        // The checkpointed record aged out of the stream (24 h): start from the oldest record left.
        if (!(error instanceof StreamsApiError && error.code === 'TrimmedDataAccessException')) throw error;
      }
    }
    if (shard.initial && this.config.startingPosition === 'LATEST') {
      if (shard.closedAtStart) {
        shard.done = true;
        return;
      }
      shard.iterator = await this.client.getShardIterator(streamArn, shard.id, 'LATEST');
      return;
    }
    shard.iterator = await this.client.getShardIterator(streamArn, shard.id, 'TRIM_HORIZON');
  }

  /** One poll of one shard, then every batch that is ready. Returns whether anything happened. */
  private async pollShard(shard: ShardState): Promise<boolean> {
    let busy = false;
    if (!shard.iterator && !shard.ended) await this.openIterator(shard, shard.lastFetched);
    if (shard.done) return true;
    const matching = shard.buffer.filter((b) => b.passes).length;
    if (shard.iterator && !shard.ended && matching < this.config.batchSize) {
      try {
        const limit = Math.min(GET_RECORDS_MAX, this.config.batchSize);
        const { records, nextShardIterator } = await this.client.getRecords(shard.iterator, limit);
        const fetchedAt = this.now();
        for (const raw of records) {
          const record = toPipeRecord(raw, this.config.streamArn);
          shard.buffer.push({
            record,
            passes: passesFilters(record, this.config, this.ports.matches),
            fetchedAt,
          });
          shard.lastFetched = record.dynamodb.SequenceNumber;
        }
        busy = records.length > 0;
        shard.iterator = nextShardIterator;
        if (!nextShardIterator) shard.ended = true;
      } catch (error) {
        // Iterators expire after 15 minutes; reopen after the last record already buffered.
        if (!(
          error instanceof StreamsApiError &&
          /ExpiredIterator|Invalid ShardIterator/i.test(`${error.code} ${error.message}`)
        )) {
          throw error;
        }
        shard.iterator = undefined;
        return true;
      }
    }
    busy = (await this.flush(shard)) || busy;
    if (shard.ended && shard.buffer.length === 0 && !this.stopping) {
      await this.ports.checkpoints.put(shard.id, SHARD_END);
      shard.done = true;
      busy = true;
    }
    return busy || shard.buffer.length > 0;
  }

  /** Delivers every ready batch of the shard's buffer, in order. */
  private async flush(shard: ShardState): Promise<boolean> {
    let busy = false;
    const { batchSize } = this.config;
    const windowMs = this.config.maximumBatchingWindowInSeconds * 1000;
    while (!this.stopping && shard.buffer.length > 0) {
      // Filtered-out records ahead of the next match are done as soon as they are seen.
      let skipped = 0;
      while (skipped < shard.buffer.length && !shard.buffer[skipped]!.passes) {
        this.hooks.onFiltered?.(shard.buffer[skipped]!.record);
        skipped++;
      }
      if (skipped > 0) {
        const lastSkipped = shard.buffer[skipped - 1]!.record;
        shard.buffer.splice(0, skipped);
        await this.ports.checkpoints.put(shard.id, lastSkipped.dynamodb.SequenceNumber);
        busy = true;
      }
      const head = shard.buffer[0];
      if (!head) break;
      const matching = shard.buffer.filter((b) => b.passes).length;
      const windowClosed = this.now() - head.fetchedAt >= windowMs;
      if (matching < batchSize && !windowClosed && !shard.ended) break;

      const batch: PipeStreamRecord[] = [];
      let taken = 0;
      while (taken < shard.buffer.length && batch.length < batchSize) {
        const entry = shard.buffer[taken]!;
        if (entry.passes) batch.push(entry.record);
        else this.hooks.onFiltered?.(entry.record);
        taken++;
      }
      const complete = await deliverBatch(batch, this.deliveryContext(shard.id));
      busy = true;
      if (!complete) break;
      // Filtered records taken after the batch's last match are done too: move the checkpoint past them.
      const lastTaken = shard.buffer[taken - 1];
      const lastDelivered = batch[batch.length - 1];
      if (lastTaken && lastTaken.record !== lastDelivered) {
        await this.ports.checkpoints.put(shard.id, lastTaken.record.dynamodb.SequenceNumber);
      }
      shard.buffer.splice(0, taken);
    }
    return busy;
  }

  private deliveryContext(shardId: string): DeliveryContext {
    return {
      config: this.config,
      ports: this.ports,
      hooks: this.hooks,
      shardId,
      now: this.now,
      sleep: (ms) => this.sleep(ms),
      retryDelayMs: this.options.retryDelayMs ?? defaultRetryDelay,
      isStopping: () => this.stopping,
      commit: (record) => this.ports.checkpoints.put(shardId, record.dynamodb.SequenceNumber),
    };
  }
}
