/** The local SNS outbox (query protocol). */
export { SnsService, type OutboxMessage, type TopicConfig } from './service.js';
