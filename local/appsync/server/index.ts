/** The local AppSync GraphQL server: the engine, the HTTP handler, AppSync scalars and the hooks. */
export { GraphQLEngine } from './engine.js';
export type {
  EngineDeps,
  GraphQLResponse,
  OperationOutcome,
  OperationRequest,
  PreparedSubscription,
  PublishEvent,
  SubscriptionFailure,
} from './engine.js';
export {
  answerGraphqlWith,
  createGraphqlHttpHandler,
  flatHeaders,
  readBody,
  readBodyUpTo,
  type AnswerGraphql,
  type GraphqlAnswer,
  type GraphqlHttpOptions,
  type GraphqlHttpRequest,
  type Publisher,
} from './http.js';
export { APPSYNC_SCALARS, installAppSyncScalars } from './scalars.js';
export {
  Faults,
  RequestCounter,
  type BillableEvent,
  type FaultRule,
  type PricingDimension,
} from './hooks.js';
export { formatError, MAX_REQUEST_BYTES, type AppSyncErrorEntry } from './errors.js';
export { projectByFieldName, selectionSetGraphQL, selectionSetList } from './selection.js';
