/** The local Lambda runtime: host, Invoke endpoint and config types. */
export { LambdaHost, type LambdaHostOptions } from './host.js';
export { createLambdaInvokeHandler } from './invoke-endpoint.js';
export type * from './types.js';
