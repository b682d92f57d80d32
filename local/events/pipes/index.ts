/** EventBridge Pipes with a DynamoDB stream source, for the local runtime. */
export { LocalPipe, laneOf, type LocalPipeOptions, type StreamsApi } from './pipe.js';
export { InMemoryCheckpointStore, FileCheckpointStore, SHARD_END } from './checkpoints.js';
export { deadLetterMessage } from './dlq.js';
export { applyInputTemplate, type TemplateVariables } from './input-template.js';
export { withTargetTemplate, type TargetPorts } from './target-template.js';
export { deliverBatch, type DeliveryContext } from './delivery.js';
export { invokeEnrichmentAndTarget, type InvokeOutcome } from './invoke.js';
export { toPipeRecord, passesFilters } from './records.js';
export {
  StreamsClient,
  StreamsApiError,
  type StreamsClientOptions,
  type StreamShard,
  type RawStreamRecord,
} from './streams-client.js';
export type * from './types.js';
