import type { LocalPipeConfig } from '../events/config-from-assembly.js';
import { withTargetTemplate } from '../events/pipes/target-template.js';
import { invokeEnrichmentAndTarget } from '../events/pipes/invoke.js';
import { passesFilters, toPipeRecord } from '../events/pipes/records.js';
import type { StreamsClient } from '../events/pipes/streams-client.js';
import type { DeadLetterMessage, PipePorts, PipeStreamRecord } from '../events/pipes/types.js';

/** The dead-letter message of a pipe with a DynamoDB stream source, when `body` is one. */
export function pipeDeadLetterOf(body: unknown): DeadLetterMessage | undefined {
  const m = body as Partial<DeadLetterMessage> | undefined;
  const info = m?.DDBStreamBatchInfo;
  if (typeof m?.context?.partnerResourceArn !== 'string' || !m.context.partnerResourceArn.includes(':pipes:'))
    return undefined;
  if (!info || typeof info.shardId !== 'string' || typeof info.streamArn !== 'string') return undefined;
  if (typeof info.startSequenceNumber !== 'string' || typeof info.endSequenceNumber !== 'string')
    return undefined;
  return m as DeadLetterMessage;
}

const seq = (s: string) => BigInt(s);

/**
 * Re-reads the records a pipe dead letter points at: GetShardIterator AT_SEQUENCE_NUMBER at the start
 * sequence, then GetRecords up to the end sequence, as AWS documents for stream DLQs (the message holds
 * the batch's position, not its records). Fails when the stream no longer holds them all.
 */
export async function readDeadLetteredRecords(
  streams: Pick<StreamsClient, 'getShardIterator' | 'getRecords'>,
  message: DeadLetterMessage,
): Promise<PipeStreamRecord[]> {
  const info = message.DDBStreamBatchInfo;
  const end = seq(info.endSequenceNumber);
  let iterator = await streams.getShardIterator(
    info.streamArn,
    info.shardId,
    'AT_SEQUENCE_NUMBER',
    info.startSequenceNumber,
  );
  const records: PipeStreamRecord[] = [];
  while (iterator) {
    const page = await streams.getRecords(iterator, 1000);
    for (const raw of page.records) {
      if (seq(raw.dynamodb.SequenceNumber) > end) return checked(records, info.batchSize);
      records.push(toPipeRecord(raw, info.streamArn));
    }
    if (records.length > 0 && seq(records[records.length - 1]!.dynamodb.SequenceNumber) >= end) break;
    if (page.records.length === 0) break;
    iterator = page.nextShardIterator;
  }
  return checked(records, info.batchSize);
}

function checked(records: PipeStreamRecord[], batchSize: number): PipeStreamRecord[] {
  if (records.length !== batchSize) {
    throw new Error(
      `the stream holds ${records.length} of the ${batchSize} dead-lettered record(s); the rest were trimmed`,
    );
  }
  return records;
}

/** The services a pipe's enrichment and target reach, as seen from outside the stack. */
export type PipeReplayPorts = Omit<PipePorts, 'checkpoints'>;

/**
 * Sends re-read records through the pipe again, as its poller would: filters, enrichment, the target
 * input template, then the target. Throws when the target does not take every record, so the dead
 * letter stays in the queue.
 */
export async function redeliverThroughPipe(
  records: readonly PipeStreamRecord[],
  pipe: LocalPipeConfig,
  ports: PipeReplayPorts,
  now: () => number = Date.now,
): Promise<void> {
  const passing = records.filter((r) => passesFilters(r, pipe, ports.matches));
  if (passing.length === 0) return;
  // The same shaping the running pipe applies just before its target (local/events/runtime.ts).
  const shaped: PipePorts = {
    matches: ports.matches,
    ...withTargetTemplate(pipe, ports, now),
    checkpoints: { get: async () => undefined, put: async () => undefined },
  };
  const outcome = await invokeEnrichmentAndTarget(passing, pipe, shaped, now);
  if (outcome.kind === 'failed') throw new Error(outcome.error);
  if (outcome.kind === 'partial')
    throw new Error(`${outcome.error}; records from position ${outcome.firstFailed} were not delivered`);
}
