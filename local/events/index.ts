/** The events half of the local runtime: composition from the assembly, and its parts. */
export {
  startLocalEvents,
  type LocalEvents,
  type LocalEventsOptions,
  type LocalEventsTiming,
  type UsageActivity,
  type UsageCounters,
} from './runtime.js';
export {
  eventsConfigFromAssembly,
  INLINE_CODE_FOLDER,
  type EventsConfig,
  type IgnoredResource,
  type LocalFunctionConfig,
  type LocalPipeConfig,
} from './config-from-assembly.js';
export * as eventbridge from './eventbridge/index.js';
export * as pattern from './pattern/index.js';
export * as pipes from './pipes/index.js';
