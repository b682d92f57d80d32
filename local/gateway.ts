/**
 * One HTTP entry point for the local AWS services: the AWS JSON router first, then every other protocol
 * handler in order, so AppSync, Cognito and the events half can share one port.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAwsJsonRouter, type AwsJsonService } from './aws-json.js';

/** Answers the request and returns true, or returns false so the next handler may try. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** What the gateway routes to. */
export interface GatewayOptions {
  /** Services spoken over the AWS JSON protocol, routed by X-Amz-Target. */
  readonly services: readonly AwsJsonService[];
  /** Tried in order after the router (query protocol, REST, GraphQL …). */
  readonly handlers?: readonly HttpHandler[];
}

/** Builds the combined handler; it returns false when nothing answered, so the caller can 404. */
export function createGateway(options: GatewayOptions): HttpHandler {
  const chain: HttpHandler[] = [createAwsJsonRouter(options.services), ...(options.handlers ?? [])];
  return async (req, res) => {
    for (const handle of chain) if (await handle(req, res)) return true;
    return false;
  };
}
