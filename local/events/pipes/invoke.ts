import { applyInputTemplate } from './input-template.js';
import type { PipeConfig, PipePorts, PipeStreamRecord } from './types.js';

/**
 * One pass of a batch through enrichment and target. The outcome says how far the batch got, in source
 * order, because a stream source may only checkpoint past records that are fully processed.
 */
export type InvokeOutcome =
  | { readonly kind: 'ok' }
  /** Records before `firstFailed` are done; the rest must be retried (Pipes partial batch failure). */
  | { readonly kind: 'partial'; readonly firstFailed: number; readonly error: string }
  | { readonly kind: 'failed'; readonly error: string };

/**
 * The most events an event bus target takes in one invocation (PutEvents' 10 entries). "Amazon
 * EventBridge Pipes batching and concurrency": an enrichment may answer a longer or shorter array than
 * the batch, "however, if the array is larger than the batch size the target supports, the pipe won't
 * invoke the target" — so such a batch fails (and is retried, bisected, dead-lettered as configured).
 */
const PUT_EVENTS_MAX = 10;

const failed = (error: string): InvokeOutcome => ({ kind: 'failed', error });

function lambdaError(functionError: string, payload: unknown): string {
  const message = (payload as { errorMessage?: unknown } | null)?.errorMessage;
  return typeof message === 'string' ? `${functionError}: ${message}` : functionError;
}

/**
 * Maps a target's `batchItemFailures` to the first failed source record. Per the Pipes docs
 * ("Partial batch failure") itemIdentifier is the record's eventID; an identifier that matches nothing
 * fails the whole batch, as Lambda does for a malformed response.
 */
function fromBatchItemFailures(payload: unknown, records: readonly PipeStreamRecord[]): InvokeOutcome {
  const failures = (payload as { batchItemFailures?: unknown } | null)?.batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return { kind: 'ok' };
  let first = records.length;
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index = records.findIndex((r) => r.eventID === id);
    if (index < 0) return failed(`batchItemFailures names an unknown itemIdentifier: ${JSON.stringify(id)}`);
    first = Math.min(first, index);
  }
  return { kind: 'partial', firstFailed: first, error: `target reported ${failures.length} failed item(s)` };
}

/** Turns "item i of the target input failed" into a source position, when items map 1:1 to records. */
function itemFailure(
  index: number,
  itemCount: number,
  records: readonly PipeStreamRecord[],
  error: string,
): InvokeOutcome {
  if (itemCount !== records.length) return failed(error);
  return index === 0 ? failed(error) : { kind: 'partial', firstFailed: index, error };
}

const asBody = (item: unknown) => (typeof item === 'string' ? item : JSON.stringify(item));

/** Runs the batch through the optional enrichment and then the target. Never throws. */
export async function invokeEnrichmentAndTarget(
  records: readonly PipeStreamRecord[],
  config: PipeConfig,
  ports: PipePorts,
  now: () => number,
): Promise<InvokeOutcome> {
  let items: unknown[] = [...records];
  try {
    if (config.enrichment) {
      const { functionArn, inputTemplate } = config.enrichment;
      const vars = {
        pipeArn: config.arn,
        pipeName: config.name,
        ingestionTime: new Date(now()).toISOString(),
      };
      const input = inputTemplate ? records.map((r) => applyInputTemplate(inputTemplate, r, vars)) : records;
      const result = await ports.invokeLambdaSync(functionArn, input);
      // Partial failures are not supported for enrichment (Pipes docs), so any error fails the batch.
      if (result.functionError)
        return failed(`enrichment ${lambdaError(result.functionError, result.payload)}`);
      const out = result.payload;
      items = Array.isArray(out) ? out : out === null || out === undefined ? [] : [out];
      if (items.length === 0) return { kind: 'ok' };
    }
  } catch (error) {
    return failed(`enrichment failed: ${String(error)}`);
  }

  const target = config.target;
  switch (target.type) {
    case 'lambda': {
      try {
        // Pipes hands Lambda the bare array, not { Records }.
        const result = await ports.invokeLambdaSync(target.functionArn, items);
        if (result.functionError) return failed(lambdaError(result.functionError, result.payload));
        return fromBatchItemFailures(result.payload, records);
      } catch (error) {
        return failed(`target invoke failed: ${String(error)}`);
      }
    }
    case 'eventbridge': {
      if (items.length > PUT_EVENTS_MAX)
        return failed(
          `the enrichment answered ${items.length} events, more than the ${PUT_EVENTS_MAX} an event bus target takes: the target was not invoked`,
        );
      const source = target.source ?? `Pipe ${config.name}`;
      const detailType = target.detailType ?? 'Event from aws:dynamodb';
      // One PutEvents call: the target takes the whole (at most 10-event) answer or batch at once.
      const entries = items.map((item) => ({
        Source: source,
        DetailType: detailType,
        Detail: asBody(item),
        Resources: [],
      }));
      try {
        const result = await ports.putEvents(target.busArn, entries);
        const bad = result.Entries.findIndex((e) => e.ErrorCode);
        if (result.FailedEntryCount > 0 || bad >= 0) {
          const at = bad >= 0 ? bad : 0;
          const entry = result.Entries[at];
          return itemFailure(
            at,
            items.length,
            records,
            `PutEvents entry failed: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim(),
          );
        }
      } catch (error) {
        return itemFailure(0, items.length, records, `PutEvents failed: ${String(error)}`);
      }
      return { kind: 'ok' };
    }
    case 'sqs': {
      for (let i = 0; i < items.length; i++) {
        try {
          await ports.sendToQueue(target.queueArn, asBody(items[i]));
        } catch (error) {
          return itemFailure(i, items.length, records, `SendMessage failed: ${String(error)}`);
        }
      }
      return { kind: 'ok' };
    }
  }
}
