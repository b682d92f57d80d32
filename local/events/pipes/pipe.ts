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

/** One record read from the shard and not yet done; entries stay in shard order until the checkpoint passes them. */
interface Entry {
  readonly record: PipeStreamRecord;
  readonly passes: boolean;
  readonly fetchedAt: number;
  /** Delivered, filtered out or dead-lettered: the checkpoint may move past it. */
  done: boolean;
}

/** One of the ParallelizationFactor batch slots of a shard: its batches go one at a time, in order. */
interface Lane {
  /** Matching records waiting for this lane's next batch, in shard order. */
  readonly queue: Entry[];
  running?: Promise<void>;
}

interface ShardState {
  readonly id: string;
  readonly parentId?: string;
  /**
   * Present at the first start: only these may begin at LATEST; later (child) shards begin at TRIM_HORIZON,
   * and so does a shard whose iterator was trimmed.
   */
  initial: boolean;
  readonly closedAtStart: boolean;
  iterator?: string;
  /** GetRecords returned no next iterator: the shard is closed and fully read. */
  ended: boolean;
  done: boolean;
  lastFetched?: string;
  /** Every record read and not yet behind the checkpoint, in shard order. */
  pending: Entry[];
  lanes: Lane[];
  /** The checkpoint to persist next, and the write under way (writes are coalesced, never reordered). */
  checkpoint?: string;
  persisting?: Promise<void>;
}

const defaultRetryDelay = (attempt: number) => Math.min(100 * 2 ** (attempt - 1), 5_000);
/** GetRecords returns at most 1000 records (DynamoDB Streams API reference, GetRecords Limit). */
const GET_RECORDS_MAX = 1000;

/** FNV-1a over the item's key: the same item always lands in the same lane, so its records stay in order. */
export function laneOf(record: PipeStreamRecord, lanes: number): number {
  if (lanes === 1) return 0;
  const key = JSON.stringify(record.dynamodb.Keys);
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % lanes;
}

/**
 * An EventBridge pipe with a DynamoDB stream source, run locally: it polls the stream shard by shard
 * (a child only after its parent is read to the end), filters, batches, enriches and delivers, and
 * checkpoints each shard past fully processed records only, so a restart resumes without loss.
 *
 * Pacing follows "Amazon EventBridge Pipes batching and concurrency" and Lambda's DynamoDB stream poller
 * ("Polling and batching streams"), whose semantics Pipes shares: a shard that returned records is read
 * again at once, and only a caught-up shard waits `pollIntervalMs`; a batch goes as soon as it holds
 * BatchSize records, and MaximumBatchingWindowInSeconds only bounds how long a partial batch waits.
 * ParallelizationFactor batches of one shard run at once, each item (partition and sort key) in one
 * lane, so records of one item are delivered in order; the checkpoint only passes a record once it and
 * every record before it are done.
 */
export class LocalPipe {
  private readonly client: StreamsApi;
  private readonly hooks: PipeHooks;
  private readonly now: () => number;
  private readonly lanes: number;
  private readonly shards = new Map<string, ShardState>();
  private loop: Promise<void> | undefined;
  private stopping = false;
  /** Ends every pending sleep (stop); `wakePoll` ends only the idle wait between polls (drain). */
  private readonly wakers = new Set<() => void>();
  private wakePoll: (() => void) | undefined;
  private lastRefresh = 0;
  private cycle = 0;
  /** Batches finished so far: a poll loop that saw one finish during its cycle polls again at once. */
  private batchesEnded = 0;
  /** The last error a poll cycle failed with, named when a drain gives up. */
  private lastPollError: unknown;
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
    // "Batching and concurrency", supported batchable targets: an event bus and an SQS queue take at most
    // 10, and "you can't configure a pipe with a larger batch size than the target supports".
    const targetMax = config.target.type === 'lambda' ? undefined : 10;
    if (targetMax !== undefined && config.batchSize > targetMax) {
      throw new Error(
        `pipe ${config.name}: batchSize must be at most ${targetMax} for an ${config.target.type === 'sqs' ? 'SQS queue' : 'event bus'} target, received ${config.batchSize}`,
      );
    }
    if (config.maximumBatchingWindowInSeconds < 0 || config.maximumBatchingWindowInSeconds > 300) {
      throw new Error(
        `pipe ${config.name}: maximumBatchingWindowInSeconds must be between 0 and 300, received ${config.maximumBatchingWindowInSeconds}`,
      );
    }
    const lanes = config.parallelizationFactor ?? 1;
    if (!Number.isInteger(lanes) || lanes < 1 || lanes > 10) {
      throw new Error(
        `pipe ${config.name}: parallelizationFactor must be between 1 and 10, received ${lanes}`,
      );
    }
    this.lanes = lanes;
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

  /** Stops polling: waits for the batches in flight (not their retries), and leaves no timer behind. */
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
        const last =
          this.lastPollError === undefined ? '' : `; last poll error: ${String(this.lastPollError)}`;
        const state = [...this.shards.values()]
          .map(
            (sh) =>
              `${sh.id} done=${sh.done} ended=${sh.ended} pending=${sh.pending.length} iterator=${Boolean(sh.iterator)}`,
          )
          .join(', ');
        reject(
          new Error(
            `pipe ${this.config.name} did not catch up within ${timeoutMs} ms (shards: ${state}${last})`,
          ),
        );
      }, timeoutMs);
      this.drainWaiters.push(waiter);
      this.wakePoll?.();
    });
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const cycle = ++this.cycle;
      const batchesEndedBefore = this.batchesEnded;
      let busy = false;
      let readAgain = false;
      try {
        if (this.now() - this.lastRefresh >= (this.options.shardRefreshMs ?? 2_000))
          await this.refreshShards();
        for (const shard of this.readyShards()) {
          if (this.stopping) break;
          const polled = await this.pollShard(shard);
          busy = polled.busy || busy;
          readAgain = (polled.fetched && shard.lanes.some((lane) => !lane.running)) || readAgain;
        }
      } catch (error) {
        busy = true;
        this.lastPollError = error;
        this.hooks.onPollError?.(error);
      }
      if (this.stopping) break;
      if (!busy) {
        const ready = this.drainWaiters.filter((w) => cycle > w.after);
        this.drainWaiters = this.drainWaiters.filter((w) => cycle <= w.after);
        for (const waiter of ready) waiter.resolve();
      }
      // A shard that just returned records may have more: read it again without waiting, while a lane is
      // free to deliver them. With every lane delivering, records read now would only wait in the lane:
      // the next poll comes when a batch ends (startLane wakes it), so a busy shard costs about one
      // GetRecords per batch instead of one per round trip (each one CPU of DynamoDB Local's).
      if (!readAgain && this.batchesEnded === batchesEndedBefore) await this.sleep(this.pollDelay(), true);
    }
    await this.settle();
  }

  /** Waits for every batch in flight and every checkpoint write, so stop leaves nothing running. */
  private async settle(): Promise<void> {
    const work = () =>
      [...this.shards.values()].flatMap((s) => [
        ...s.lanes.flatMap((l) => (l.running ? [l.running] : [])),
        ...(s.persisting ? [s.persisting] : []),
      ]);
    for (let running = work(); running.length > 0; running = work()) await Promise.allSettled(running);
  }

  /** The wait before the next poll of caught-up shards: the poll interval, or less when a batching window closes sooner. */
  private pollDelay(): number {
    const interval = this.options.pollIntervalMs ?? 200;
    const windowMs = this.config.maximumBatchingWindowInSeconds * 1000;
    let delay = interval;
    for (const shard of this.shards.values()) {
      for (const lane of shard.lanes) {
        const first = lane.queue[0];
        if (first && !lane.running)
          delay = Math.min(delay, Math.max(0, first.fetchedAt + windowMs - this.now()));
      }
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
        pending: [],
        lanes: Array.from({ length: this.lanes }, () => ({ queue: [] })),
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

  /**
   * One poll of one shard (when it has room for more records), then starts every batch that is ready.
   * `fetched` says records arrived; `busy` that anything is left to do on the shard.
   */
  private async pollShard(shard: ShardState): Promise<{ busy: boolean; fetched: boolean }> {
    let fetched = false;
    if (!shard.iterator && !shard.ended) await this.openIterator(shard, shard.lastFetched);
    if (shard.done) return { busy: true, fetched };
    const room = GET_RECORDS_MAX - shard.pending.length;
    if (shard.iterator && !shard.ended && room > 0) {
      try {
        const { records, nextShardIterator } = await this.client.getRecords(shard.iterator, room);
        const fetchedAt = this.now();
        for (const raw of records) {
          const record = toPipeRecord(raw, this.config.streamArn);
          const passes = this.passes(record);
          const entry: Entry = { record, passes, fetchedAt, done: !passes };
          shard.pending.push(entry);
          if (passes) shard.lanes[laneOf(record, this.lanes)]!.queue.push(entry);
          else this.hooks.onFiltered?.(record);
          shard.lastFetched = record.dynamodb.SequenceNumber;
        }
        fetched = records.length > 0;
        shard.iterator = nextShardIterator;
        if (!nextShardIterator) shard.ended = true;
      } catch (error) {
        // Iterators expire after 15 minutes, and one that points before the shard's trim horizon reads past
        // the oldest record left (TrimmedDataAccessException, DynamoDB Streams API reference, GetRecords):
        // reopen after the last record already buffered, or from the oldest record left (openIterator).
        if (!(
          error instanceof StreamsApiError &&
          /ExpiredIterator|Invalid ShardIterator|TrimmedDataAccess/i.test(`${error.code} ${error.message}`)
        )) {
          throw error;
        }
        // Every record left after a trim is newer than the lost position, so the pipe's starting position
        // (LATEST) no longer applies: it would skip them. DynamoDB Local answers this for an iterator at the
        // start of a shard that was empty when it was taken, once another table's stream has advanced the
        // engine-wide sequence numbers before the shard's first record (one engine shared by many stacks).
        if (error.code === 'TrimmedDataAccessException') shard.initial = false;
        shard.iterator = undefined;
        return { busy: true, fetched };
      }
    }
    // Filtered-out records need no delivery: the checkpoint may pass them at once.
    this.advance(shard);
    for (const lane of shard.lanes) this.startLane(shard, lane);
    const running = shard.lanes.some((l) => l.running) || shard.persisting !== undefined;
    if (shard.ended && shard.pending.length === 0 && !running && !this.stopping) {
      await this.ports.checkpoints.put(shard.id, SHARD_END);
      shard.done = true;
      return { busy: true, fetched };
    }
    return { busy: fetched || running || shard.pending.length > 0, fetched };
  }

  /** A lane's next batch may go: it is full, its batching window closed, or the shard has ended. */
  private laneReady(shard: ShardState, lane: Lane): boolean {
    const head = lane.queue[0];
    if (!head) return false;
    if (lane.queue.length >= this.config.batchSize || shard.ended) return true;
    return this.now() - head.fetchedAt >= this.config.maximumBatchingWindowInSeconds * 1000;
  }

  /** Runs the lane's ready batches one after another, unless it is running already. */
  private startLane(shard: ShardState, lane: Lane): void {
    if (lane.running || this.stopping || !this.laneReady(shard, lane)) return;
    lane.running = (async () => {
      try {
        while (!this.stopping && this.laneReady(shard, lane)) {
          const entries = lane.queue.slice(0, this.config.batchSize);
          const complete = await deliverBatch(
            entries.map((e) => e.record),
            this.deliveryContext(shard, entries),
          );
          if (!complete) break;
          lane.queue.splice(0, entries.length);
        }
      } catch (error) {
        this.hooks.onPollError?.(error);
      } finally {
        lane.running = undefined;
        this.batchesEnded++;
        // The poll loop decides what comes next (another batch, the window, drain, shard end).
        this.wakePoll?.();
      }
    })();
  }

  /** Drops the done prefix of the shard's records and persists the checkpoint past it. */
  private advance(shard: ShardState): void {
    let last: Entry | undefined;
    let count = 0;
    while (count < shard.pending.length && shard.pending[count]!.done) last = shard.pending[count++];
    if (!last) return;
    shard.pending.splice(0, count);
    this.persist(shard, last.record.dynamodb.SequenceNumber);
  }

  /** Writes the newest checkpoint; while a write is under way only the latest value waits for it. */
  private persist(shard: ShardState, sequenceNumber: string): void {
    shard.checkpoint = sequenceNumber;
    if (shard.persisting) return;
    shard.persisting = (async () => {
      try {
        while (shard.checkpoint !== undefined) {
          const next = shard.checkpoint;
          shard.checkpoint = undefined;
          await this.ports.checkpoints.put(shard.id, next);
        }
      } catch (error) {
        this.hooks.onPollError?.(error);
      } finally {
        shard.persisting = undefined;
        this.wakePoll?.();
      }
    })();
  }

  private deliveryContext(shard: ShardState, entries: readonly Entry[]): DeliveryContext {
    return {
      config: this.config,
      ports: this.ports,
      hooks: this.hooks,
      shardId: shard.id,
      now: this.now,
      sleep: (ms) => this.sleep(ms),
      retryDelayMs: this.options.retryDelayMs ?? defaultRetryDelay,
      isStopping: () => this.stopping,
      // deliverBatch commits prefixes of its batch: `record` and every record of the batch before it are done.
      commit: async (record) => {
        for (const entry of entries) {
          entry.done = true;
          if (entry.record === record) break;
        }
        this.advance(shard);
      },
    };
  }
}
