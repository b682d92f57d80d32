/** The local APPSYNC_JS runtime: the resolver engine and what callers need to drive it. */
export { executeResolver } from './execute.js';
export type {
  DataSourceReply,
  ExecuteOptions,
  InvokeDataSource,
  ResolveResult,
  ResolverSpec,
} from './execute.js';
export type {
  AppSyncError,
  AuthorizationMode,
  CollectedExtensions,
  ContextSnapshot,
  ResolveInput,
} from './context.js';
export {
  compileResolverCode,
  createSandbox,
  DEFAULT_TIMEOUT_MS,
  loadedRealmCount,
  timeLimitOf,
} from './sandbox.js';
export { provenBounded, type BoundedVerdict } from './bounded.js';
export type { HandlerOutcome, HostFunctions, Sandbox } from './sandbox.js';
