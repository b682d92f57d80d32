// The API worker's entry: the package runs from its TypeScript sources, so a worker first registers
// tsx's loader in its own thread (a worker gets no loader from the host's flags), then loads them.
import { URL } from 'node:url';
import { workerData } from 'node:worker_threads';

const entry = new URL(workerData.entry);
if (entry.pathname.endsWith('.ts')) (await import('tsx/esm/api')).register();
await import(entry.href);
