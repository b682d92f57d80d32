/** The AppSync real-time (WebSocket) endpoint of the local runtime. */
export { CONNECTION_TIMEOUT_MS, RealtimeHub, type RealtimeOptions } from './hub.js';
