/** The cost meter of the local stack: units AWS bills, one price table, and the reports built on them. */
export * from './units.js';
export * from './prices.js';
export * from './meter.js';
export * from './report.js';
export * from './dynamodb-proxy.js';
export * from './attach.js';
export * from './dynamodb-calls.js';
export * from './dynamodb-middleware.js';
export * from './dynamodb-images.js';
