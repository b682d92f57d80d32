import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../aws-ids.js';

/**
 * A tiny client for the DynamoDB Streams API (the `DynamoDBStreams_20120810` JSON protocol), because
 * @aws-sdk/client-dynamodb-streams is not a dependency. DynamoDB Local serves it on its one endpoint.
 */

/** One shard as DescribeStream lists it. */
export interface StreamShard {
  readonly ShardId: string;
  readonly ParentShardId?: string;
  readonly SequenceNumberRange?: {
    readonly StartingSequenceNumber?: string;
    readonly EndingSequenceNumber?: string;
  };
}

/** A stream record in the wire form GetRecords returns. */
export interface RawStreamRecord {
  readonly eventID: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly eventVersion: string;
  readonly eventSource: string;
  readonly awsRegion: string;
  readonly dynamodb: {
    readonly ApproximateCreationDateTime: number;
    readonly Keys: Record<string, Record<string, unknown>>;
    readonly NewImage?: Record<string, Record<string, unknown>>;
    readonly OldImage?: Record<string, Record<string, unknown>>;
    readonly SequenceNumber: string;
    readonly SizeBytes: number;
    readonly StreamViewType: string;
  };
}

/** A stream API error, named by the exception type AWS returns (ExpiredIteratorException, …). */
export class StreamsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(`${code}: ${message}`);
    this.name = 'StreamsApiError';
  }
}

/** How to reach the stream API. */
export interface StreamsClientOptions {
  /** DynamoDB Local's endpoint, for example http://127.0.0.1:8000. */
  readonly endpoint: string;
  /** @default LOCAL_REGION */
  readonly region?: string;
  /** @default LOCAL_CREDENTIALS */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Sees every successful answer, by operation (the cost meter counts GetRecords). @default none */
  readonly onAnswer?: (operation: string, answer: Readonly<Record<string, unknown>>) => void;
}

/** The four DynamoDB Streams operations a pipe's poller needs. */
export class StreamsClient {
  private readonly url: URL;
  private readonly signer: SignatureV4;
  private readonly onAnswer: StreamsClientOptions['onAnswer'];

  constructor(options: StreamsClientOptions) {
    this.url = new URL(options.endpoint);
    this.onAnswer = options.onAnswer;
    this.signer = new SignatureV4({
      service: 'dynamodb',
      region: options.region ?? LOCAL_REGION,
      credentials: options.credentials ?? LOCAL_CREDENTIALS,
      sha256: Sha256,
    });
  }

  /** Every shard of the stream, following DescribeStream's pagination. */
  async listShards(streamArn: string): Promise<StreamShard[]> {
    const shards: StreamShard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const out = (await this.call('DescribeStream', {
        StreamArn: streamArn,
        ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}),
      })) as { StreamDescription: { Shards?: StreamShard[]; LastEvaluatedShardId?: string } };
      shards.push(...(out.StreamDescription.Shards ?? []));
      exclusiveStartShardId = out.StreamDescription.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return shards;
  }

  /** A shard iterator; AT/AFTER_SEQUENCE_NUMBER need `sequenceNumber`. */
  async getShardIterator(
    streamArn: string,
    shardId: string,
    type: 'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER',
    sequenceNumber?: string,
  ): Promise<string | undefined> {
    const out = (await this.call('GetShardIterator', {
      StreamArn: streamArn,
      ShardId: shardId,
      ShardIteratorType: type,
      ...(sequenceNumber ? { SequenceNumber: sequenceNumber } : {}),
    })) as { ShardIterator?: string };
    return out.ShardIterator;
  }

  /** Up to `limit` records; no NextShardIterator means the shard is closed and read to its end. */
  async getRecords(
    shardIterator: string,
    limit: number,
  ): Promise<{ records: RawStreamRecord[]; nextShardIterator?: string }> {
    const out = (await this.call('GetRecords', { ShardIterator: shardIterator, Limit: limit })) as {
      Records?: RawStreamRecord[];
      NextShardIterator?: string;
    };
    return { records: out.Records ?? [], nextShardIterator: out.NextShardIterator ?? undefined };
  }

  private async call(operation: string, input: Record<string, unknown>): Promise<unknown> {
    const body = JSON.stringify(input);
    const request = new HttpRequest({
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port: this.url.port ? Number(this.url.port) : undefined,
      method: 'POST',
      path: '/',
      headers: {
        host: this.url.host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDBStreams_20120810.${operation}`,
      },
      body,
    });
    const signed = await this.signer.sign(request);
    const response = await this.send(signed.headers, body);
    const text = await response.text();
    const payload = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!response.ok) {
      const type = String(payload.__type ?? 'UnknownError');
      const message = String(payload.message ?? payload.Message ?? text);
      throw new StreamsApiError(type.slice(type.lastIndexOf('#') + 1), message, response.status);
    }
    this.onAnswer?.(operation, payload);
    return payload;
  }

  /**
   * Sends one request, trying again when the connection fails before an answer (a reset or closed
   * keep-alive socket: fetch's `TypeError: fetch failed`), as the AWS SDKs' standard retry strategy does
   * for transient network errors (3 attempts, backoff). Every stream read is safe to repeat: an iterator
   * stays valid until it expires, and DescribeStream/GetShardIterator change nothing. An answer with an
   * error status is not retried here: the pipe handles each stream error by its type.
   */
  private async send(headers: Record<string, string>, body: string): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fetch(this.url, { method: 'POST', headers, body });
      } catch (error) {
        if (!(error instanceof TypeError) || attempt >= STREAM_CALL_ATTEMPTS) {
          const cause = error instanceof Error && error.cause ? ` (${String(error.cause)})` : '';
          throw new Error(`${String(error)}${cause}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
      }
    }
  }
}

/** Tries of one stream call that fails before any answer (the SDKs' standard retry mode makes 3). */
const STREAM_CALL_ATTEMPTS = 3;
