/**
 * Moves a DLQ's messages back to their source on the running local stack:
 *   tsx local/replay/cli.ts <queue-name-or-arn> [--dry-run] [--endpoint URL | --endpoint sqs=URL ...] [--function NAME]
 * --endpoint URL sets every service; --function names the owner of a Lambda DLQ.
 */
import { parseArgs } from 'node:util';
import { httpReplayPorts, readEndpoints, type ReplayEndpoints } from './http-ports.js';
import { replayDeadLetters } from './replay.js';
import { queueArn } from '../aws-ids.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'dry-run': { type: 'boolean', default: false },
    endpoint: { type: 'string', multiple: true },
    function: { type: 'string' },
    'endpoints-file': { type: 'string', default: '.orderloop/endpoints.json' },
    'audit-file': { type: 'string', default: '.orderloop/replay-audit.jsonl' },
  },
});

const queue = positionals[0];
if (!queue) {
  console.error(
    'usage: tsx local/replay/cli.ts <queue-name-or-arn> [--dry-run] [--endpoint URL|service=URL] [--function NAME]',
  );
  process.exit(2);
}

const fromFile = await readEndpoints(values['endpoints-file']);
const overrides: Record<string, string> = {};
for (const e of values.endpoint ?? []) {
  const eq = e.indexOf('=');
  if (eq === -1) Object.assign(overrides, { sqs: e, lambda: e, events: e });
  else overrides[e.slice(0, eq)] = e.slice(eq + 1);
}
const dlqArn = queue.startsWith('arn:') ? queue : queueArn(queue);
const endpoints: ReplayEndpoints = {
  ...fromFile,
  ...overrides,
  ...(values.function
    ? { lambdaDeadLetterQueues: { ...fromFile.lambdaDeadLetterQueues, [dlqArn]: values.function } }
    : {}),
};

const report = await replayDeadLetters(queue, httpReplayPorts(endpoints, values['audit-file']), {
  dryRun: values['dry-run'],
}).catch((err: Error) => {
  console.error(`replay failed: ${err.message}`);
  process.exit(1);
});
for (const item of report.items) {
  console.log(
    `${item.action.padEnd(12)} ${item.messageId} -> ${item.target}${item.detail ? ` (${item.detail})` : ''}`,
  );
}
console.log(`${report.dryRun ? 'dry run: ' : ''}${report.items.length} message(s) in ${report.queueArn}`);
process.exitCode = report.items.some((i) => i.action === 'failed') ? 1 : 0;
