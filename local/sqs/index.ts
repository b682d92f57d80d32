/** The local SQS service (AWS JSON protocol) and its in-process API. */
export { SqsService, type SqsServiceOptions } from './service.js';
export type { QueueConfig, ReceivedMessage, StoredMessage } from './types.js';
export type { MessageAttributeValue } from './md5.js';
