/** The local Amazon EventBridge: the AWS JSON service, target delivery, input transformation and schedules. */
export { EventBridgeService } from './service.js';
export type { EventBridgeActivity, EventBridgeFaults, EventBridgeServiceProps } from './service.js';
export { DEFAULT_RETRY, deliverToTarget } from './delivery.js';
export type { AttemptFailure, DeliveryContext, DeliveryOutcome, RetryTiming } from './delivery.js';
export { RESERVED_VARIABLES, renderTemplate, targetInput, validateTargetInput } from './transform.js';
export type { TargetInputConfig, TransformContext } from './transform.js';
export { evaluateJsonPath, parseJsonPath } from './json-path.js';
export type { PathResult } from './json-path.js';
export { nextFireTime, parseScheduleExpression, RuleScheduler, scheduledEvent } from './schedule.js';
export type { FireScheduled, Schedule } from './schedule.js';
export { TargetDeliveryError } from './types.js';
export type {
  BusConfig,
  EventBridgeEvent,
  MessageAttribute,
  RetryBudget,
  RuleConfig,
  TargetConfig,
  TargetPorts,
} from './types.js';
