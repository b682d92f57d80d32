/** The local SQS service (AWS JSON and query protocols) and its in-process API. */
export { SqsService, type SqsServiceOptions } from './service.js';
export { createSqsQueryHandler } from './query.js';
export type { QueueConfig, ReceivedMessage, StoredMessage } from './types.js';
export type { MessageAttributeValue } from './md5.js';
