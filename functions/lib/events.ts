import type { EventBridgeEvent } from 'aws-lambda';
import { parseEnvelope, type Envelope } from '../../domain/events/envelope.js';

/** The EventBridge event a rule hands a consumer: one domain event per invocation. */
export type DomainEventBridgeEvent = EventBridgeEvent<string, unknown>;

/** Reads the domain envelope out of an EventBridge event; throws (so Lambda retries, then the DLQ) when it is malformed. */
export function envelopeOf(event: DomainEventBridgeEvent): Envelope {
  return parseEnvelope(event.detail);
}

/** The slice of the AppSync client consumers use, so unit tests pass a fake. */
export interface AppSyncPort {
  request<TResult, TVariables>(
    document: { toString(): string; __apiType?: (variables: TVariables) => TResult },
    variables: TVariables,
    options?: { correlationId?: string },
  ): Promise<TResult>;
}

/** A clock port, so tests fix the time. */
export type Clock = () => Date;
