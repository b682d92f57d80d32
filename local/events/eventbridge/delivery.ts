import { parseArn } from '../../aws-ids.js';
import { targetInput, type TransformContext } from './transform.js';
import {
  TargetDeliveryError,
  type EventBridgeEvent,
  type MessageAttribute,
  type RetryBudget,
  type RuleConfig,
  type TargetConfig,
  type TargetPorts,
} from './types.js';

/** EventBridge's default target retry policy ("Event retry policy and using dead-letter queues"). */
export const DEFAULT_RETRY: RetryBudget = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 };

/** Time and waiting, injectable so tests run retries in milliseconds. */
export interface RetryTiming {
  /** @default Date.now */
  readonly now?: () => number;
  /** @default setTimeout-based sleep, unref'd so a pending retry never holds the process open */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Delay before retry `attempt` (1-based). @default capped exponential back-off with full jitter */
  readonly backoff?: (attempt: number) => number;
}

/** What happened to one event on one target; observers count and assert on these. */
export type DeliveryOutcome =
  | { readonly type: 'delivered'; readonly attempts: number }
  | { readonly type: 'dead-lettered'; readonly attempts: number; readonly errorCode: string }
  | { readonly type: 'dropped'; readonly attempts: number; readonly errorCode: string };

/** One failed attempt, reported before the next retry. */
export interface AttemptFailure {
  readonly attempt: number;
  readonly error: Error;
}

const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

// Real EventBridge backs off for up to a day; locally the shape is kept but the scale is milliseconds.
const defaultBackoff = (attempt: number) => Math.random() * Math.min(1_000, 10 * 2 ** attempt);

/** The ARN's service decides which port carries the event, as EventBridge decides by target type. */
async function send(
  ports: TargetPorts,
  target: TargetConfig,
  payload: string,
  retry: RetryBudget,
): Promise<void> {
  const { service } = parseArn(target.arn);
  if (service === 'lambda') return ports.invokeLambdaAsync(target.arn, payload, retry);
  if (service === 'sqs') return ports.sendToQueue(target.arn, payload);
  if (service === 'events' && ports.putEvents) return ports.putEvents(target.arn, payload);
  throw new TargetDeliveryError(
    'NO_RESOURCE',
    `Target type ${service} is not supported by the local runtime`,
    false,
  );
}

const errorCode = (err: Error) => (err instanceof TargetDeliveryError ? err.code : 'SDK_CLIENT_ERROR');
const str = (value: string | number): MessageAttribute =>
  typeof value === 'number'
    ? { DataType: 'Number', StringValue: String(value) }
    : { DataType: 'String', StringValue: value };

/** Everything deliverToTarget needs besides the event. */
export interface DeliveryContext {
  readonly rule: RuleConfig;
  readonly target: TargetConfig;
  readonly ports: TargetPorts;
  readonly ingestionTime: string;
  readonly timing?: RetryTiming;
  /** Optional fault injection: return an error to fail this attempt before the port is called. */
  readonly fault?: (attempt: number) => Error | undefined;
  readonly onAttemptFailed?: (failure: AttemptFailure) => void;
}

/**
 * Delivers one event to one target, retrying failed hand-offs under the target's retry policy until
 * attempts or event age run out, then writing the original event to the target's DLQ with the
 * documented attributes (RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION,
 * RETRY_ATTEMPTS). Without a DLQ the event is dropped, as EventBridge does.
 */
export async function deliverToTarget(
  event: EventBridgeEvent,
  ctx: DeliveryContext,
): Promise<DeliveryOutcome> {
  const { rule, target, ports } = ctx;
  const now = ctx.timing?.now ?? Date.now;
  const sleep = ctx.timing?.sleep ?? defaultSleep;
  const backoff = ctx.timing?.backoff ?? defaultBackoff;
  const retry: RetryBudget = {
    maximumRetryAttempts: target.retryPolicy?.maximumRetryAttempts ?? DEFAULT_RETRY.maximumRetryAttempts,
    maximumEventAgeInSeconds:
      target.retryPolicy?.maximumEventAgeInSeconds ?? DEFAULT_RETRY.maximumEventAgeInSeconds,
  };
  const transform: TransformContext = {
    ruleArn: rule.arn,
    ruleName: rule.name,
    ingestionTime: ctx.ingestionTime,
  };
  const ingestedAt = Date.parse(ctx.ingestionTime);

  let attempt = 0;
  for (;;) {
    attempt++;
    let error: Error;
    try {
      const injected = ctx.fault?.(attempt);
      if (injected) throw injected;
      await send(ports, target, targetInput(event, target, transform), retry);
      return { type: 'delivered', attempts: attempt };
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
    }
    ctx.onAttemptFailed?.({ attempt, error });
    const retries = attempt - 1;
    const retryable = !(error instanceof TargetDeliveryError) || error.retryable;
    let exhausted: string | undefined;
    if (!retryable) exhausted = 'NonRetryableError';
    else if (retries >= retry.maximumRetryAttempts) exhausted = 'MaximumRetryAttemptsExhausted';
    else if ((now() - ingestedAt) / 1000 >= retry.maximumEventAgeInSeconds)
      exhausted = 'MaximumEventAgeExhausted';
    if (exhausted) {
      const code = errorCode(error);
      if (!target.deadLetterArn) return { type: 'dropped', attempts: attempt, errorCode: code };
      await ports.sendToQueue(target.deadLetterArn, JSON.stringify(event), {
        RULE_ARN: str(rule.arn),
        TARGET_ARN: str(target.arn),
        ERROR_CODE: str(code),
        ERROR_MESSAGE: str(error.message),
        EXHAUSTED_RETRY_CONDITION: str(exhausted),
        RETRY_ATTEMPTS: str(retries),
      });
      return { type: 'dead-lettered', attempts: attempt, errorCode: code };
    }
    await sleep(backoff(attempt));
  }
}
