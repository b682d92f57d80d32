import {
  isRecord,
  mappingError,
  type DataSourceDeps,
  type DataSourceOutcome,
  type PutEventsEntry,
} from './types.js';

function toEntry(event: unknown, i: number, busArn: string): PutEventsEntry | string {
  if (!isRecord(event)) return `events[${i}] must be an object`;
  const { source, detailType, detail, resources, time } = event;
  if (typeof source !== 'string') return `events[${i}].source must be a string`;
  if (typeof detailType !== 'string') return `events[${i}].detailType must be a string`;
  if (!isRecord(detail)) return `events[${i}].detail must be an object`;
  if (
    resources !== undefined &&
    !(Array.isArray(resources) && resources.every((r) => typeof r === 'string'))
  ) {
    return `events[${i}].resources must be a list of strings`;
  }
  if (time !== undefined && (typeof time !== 'string' || Number.isNaN(Date.parse(time)))) {
    return `events[${i}].time must be an ISO-8601 timestamp`;
  }
  return {
    Source: source,
    DetailType: detailType,
    Detail: JSON.stringify(detail),
    EventBusName: busArn,
    ...(resources ? { Resources: resources as string[] } : {}),
    ...(time ? { Time: new Date(time) } : {}),
  };
}

/**
 * Runs an EventBridge request object ("JavaScript resolver function reference for EventBridge data
 * source"): `PutEvents` puts every event on the data source's bus and ctx.result is PutEvents' own
 * answer, `{ Entries, FailedEntryCount }`, so per-entry failures are data for the response handler.
 */
export async function executeEventBridge(
  eventBusArn: string,
  request: unknown,
  putEvents: DataSourceDeps['putEvents'],
): Promise<DataSourceOutcome> {
  if (!isRecord(request))
    return mappingError('The request object of an EventBridge data source must be an object');
  if (request.operation !== 'PutEvents') {
    return mappingError(
      `Unsupported operation '${String(request.operation)}'. Supported operations: PutEvents`,
    );
  }
  if (!Array.isArray(request.events) || request.events.length === 0) {
    return mappingError('events is required and must hold at least one event');
  }
  const entries: PutEventsEntry[] = [];
  for (const [i, event] of request.events.entries()) {
    const entry = toEntry(event, i, eventBusArn);
    if (typeof entry === 'string') return mappingError(entry);
    entries.push(entry);
  }
  try {
    const out = await putEvents(eventBusArn, entries);
    return { result: { Entries: out.Entries, FailedEntryCount: out.FailedEntryCount } };
  } catch (err) {
    const name = err instanceof Error && err.name !== 'Error' ? err.name : 'ServiceException';
    return {
      error: { type: `EventBridge:${name}`, message: err instanceof Error ? err.message : String(err) },
    };
  }
}
