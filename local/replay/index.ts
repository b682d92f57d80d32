/** DLQ replay: the library function, its ports and the HTTP ports for the running local stack. */
export {
  replayDeadLetters,
  resolveTarget,
  type AuditLine,
  type DlqMessage,
  type ReplayPorts,
  type ReplayReport,
  type ReplayTarget,
} from './replay.js';
export { httpReplayPorts, readEndpoints, type ReplayEndpoints } from './http-ports.js';
