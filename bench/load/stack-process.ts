/**
 * The local stack as its own process for the load benchmark, as `npm start` runs it: the load client
 * lives in the parent, so its CPU and memory are not counted as the stack's. The parent talks to it
 * over the fork IPC channel (see harness.ts, startBenchStack).
 */
import { readFileSync } from 'node:fs';
import { startLocalStack } from '@orderloop/local/stack';

/** A message the parent sends; every one is answered with `{ id, ...reply }`. */
export type StackRequest =
  | { readonly id: number; readonly type: 'rss' }
  | { readonly id: number; readonly type: 'capture'; readonly on: boolean }
  | { readonly id: number; readonly type: 'idle' }
  | { readonly id: number; readonly type: 'stop' };

/** Resident set size of a process in bytes, from /proc (Linux); undefined elsewhere. */
export function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const stack = await startLocalStack({ port: 0, seed: true, quiet: true, transactionSizing: 'floor' });

// What the API sent to DynamoDB while capturing: the exact requests the raw baselines replay.
let capturing = false;
const captured: { command: string; input: unknown }[] = [];
// In the main thread or an API worker, as the resolver sent it (without the meter's ReturnConsumedCapacity).
stack.onDataSourceCall((call) => {
  if (capturing) captured.push({ command: `${call.operation}Command`, input: structuredClone(call.input) });
});

// A parent that went away (Ctrl-C, a crash) must not leave the stack and its java process behind.
process.on('disconnect', () => void stack.stop().finally(() => process.exit(0)));

const reply = (id: number, body: Record<string, unknown>) => process.send?.({ id, ...body });

process.on('message', (raw) => {
  const message = raw as StackRequest;
  void (async () => {
    switch (message.type) {
      case 'rss':
        reply(message.id, {
          node: process.memoryUsage().rss,
          dynamodb: rssOf(stack.dynamodb.process?.pid) ?? null,
          // CPU time of the whole process (all threads) and the main thread's event-loop utilization.
          cpuMicros: process.cpuUsage().user + process.cpuUsage().system,
          elu: performance.eventLoopUtilization(),
          // The API's worker threads, summed: they answer the HTTP requests when there are any.
          workersElu: stack.appsync
            .workerUtilization()
            .reduce((sum, w) => ({ idle: sum.idle + w.idle, active: sum.active + w.active }), {
              idle: 0,
              active: 0,
            }),
          workers: stack.appsync.workerCount,
        });
        break;
      case 'capture':
        capturing = message.on;
        reply(message.id, { captured: message.on ? [] : captured.splice(0) });
        break;
      case 'idle':
        await stack.idle();
        reply(message.id, {});
        break;
      case 'stop':
        await stack.stop();
        reply(message.id, {});
        process.exit(0);
    }
  })().catch((error: unknown) => reply(message.id, { error: String(error) }));
});

process.send?.({
  id: 0,
  endpoints: stack.endpoints,
  readyMs: stack.readyMs,
  dynamodbPid: stack.dynamodb.process?.pid ?? null,
  // DynamoDB Local itself, past the stack's gateway and meter: the raw baselines' endpoint.
  dynamodbEndpoint: stack.dynamodb.endpoint,
});
