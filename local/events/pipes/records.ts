import { LOCAL_REGION, parseArn } from '../../aws-ids.js';
import type { RawStreamRecord } from './streams-client.js';
import type { PipeConfig, PipeStreamRecord } from './types.js';

/**
 * The record Pipes hands on, from the GetRecords wire form: DynamoDB Local says region "ddblocal" and
 * omits eventSourceARN, while AWS gives the table's region and the stream ARN.
 */
export function toPipeRecord(raw: RawStreamRecord, streamArn: string): PipeStreamRecord {
  const region = parseArn(streamArn).region;
  const d = raw.dynamodb;
  return {
    eventID: raw.eventID,
    eventName: raw.eventName,
    eventVersion: raw.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: region && region !== 'ddblocal' ? region : LOCAL_REGION,
    dynamodb: {
      ApproximateCreationDateTime: d.ApproximateCreationDateTime,
      Keys: d.Keys,
      ...(d.NewImage ? { NewImage: d.NewImage } : {}),
      ...(d.OldImage ? { OldImage: d.OldImage } : {}),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType,
    },
    eventSourceARN: streamArn,
  };
}

/** Pipes filtering: a record passes when any pattern matches it; no patterns lets every record pass. */
export function passesFilters(
  record: PipeStreamRecord,
  config: PipeConfig,
  matches: (p: object, r: unknown) => boolean,
): boolean {
  return config.filters.length === 0 || config.filters.some((pattern) => matches(pattern, record));
}
