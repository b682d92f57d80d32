/**
 * `npm run bench:load` (and the last step of `npm run bench`): starts the seeded local stack in its own
 * process and prints the API figures beside their raw DynamoDB Local baselines, plus memory at rest and
 * after the load. Knobs: BENCH_CONCURRENCY (8), BENCH_ROUND_SECONDS (3), BENCH_ROUNDS (4), BENCH_WARMUP_SECONDS (10, per side, before the rounds), BENCH_ONLY (getOrder or
 * placeOrder), BENCH_BASELINE (direct: raw calls straight to DynamoDB Local; gateway: through the stack's
 * DynamoDB endpoint, which the stack's main thread serves). The stack's API worker threads are
 * ORDERLOOP_API_WORKERS (default: one per core but one).
 */
import { loadavg } from 'node:os';
import { benchApi, type Comparison } from './api.js';
import { mb, startBenchStack } from './harness.js';

const concurrency = Number(process.env.BENCH_CONCURRENCY) || 8;
const roundMs = (Number(process.env.BENCH_ROUND_SECONDS) || 3) * 1000;
const rounds = Number(process.env.BENCH_ROUNDS) || 4;
const warmupMs = (Number(process.env.BENCH_WARMUP_SECONDS) || 10) * 1000;
const only =
  process.env.BENCH_ONLY === 'getOrder' || process.env.BENCH_ONLY === 'placeOrder'
    ? process.env.BENCH_ONLY
    : undefined;
const baseline = process.env.BENCH_BASELINE === 'gateway' ? 'gateway' : 'direct';

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function table(rows: readonly Comparison[]): string {
  const lines = [
    '| what | req/s | p50 ms | p99 ms | raw baseline | req/s | p50 ms | p99 ms | ratio | target |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const failed = r.api.failed + r.raw.failed;
    lines.push(
      `| ${r.name} | ${fmt(r.api.rate)} | ${fmt(r.api.p50)} | ${fmt(r.api.p99)} | ${r.baselineName} | ` +
        `${fmt(r.raw.rate)} | ${fmt(r.raw.p50)} | ${fmt(r.raw.p99)} | **${fmt(r.ratio, 2)}** | ≥ ${r.target}` +
        `${r.ratio >= r.target ? ' ✓' : ' ✗'}${failed ? ` (${failed} failed: ${r.api.firstFailure ?? r.raw.firstFailure})` : ''} |`,
    );
  }
  lines.push('');
  lines.push(
    '| what | stack CPU per request (all threads) | stack main thread busy | API worker threads | their busy share |',
  );
  lines.push('|---|---|---|---|---|');
  for (const r of rows)
    lines.push(
      `| ${r.name} | ${fmt(r.stack.cpuMsPerRequest, 2)} ms | ${fmt(100 * r.stack.mainThreadBusy, 0)} % | ` +
        `${r.stack.workers} | ${r.stack.workers > 0 ? `${fmt(100 * r.stack.workersBusy, 0)} %` : 'n/a'} |`,
    );
  lines.push('');
  lines.push(
    '| CPU ms per request | load client | stack process | DynamoDB Local | all three | what 2 cores bound the rate to |',
  );
  lines.push('|---|---|---|---|---|---|');
  for (const r of rows)
    for (const [side, b] of [
      [r.name, r.cpu.api],
      [r.baselineName, r.cpu.raw],
    ] as const) {
      const total = b.client + b.stack + b.dynamodb;
      lines.push(
        `| ${side} | ${fmt(b.client, 2)} | ${fmt(b.stack, 2)} | ${fmt(b.dynamodb, 2)} | ${fmt(total, 2)} | ${fmt(2000 / total, 0)}/s |`,
      );
    }
  return lines.join('\n');
}

const stack = await startBenchStack();
try {
  await stack.idle();
  const atRest = await stack.rss();
  console.log(
    `load benchmark: stack ready in ${stack.readyMs} ms; ${concurrency} in flight, ${warmupMs / 1000} s of warm-up per side, then ${rounds} alternating rounds of ${roundMs / 1000} s per side; raw baseline ${baseline === 'direct' ? 'straight to DynamoDB Local' : "through the stack's DynamoDB endpoint"}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const rows = await benchApi(stack, {
    concurrency,
    roundMs,
    rounds,
    warmupMs,
    baseline,
    ...(only ? { only } : {}),
  });
  const afterLoad = await stack.rss();
  console.log(`\n${table(rows)}\n`);
  console.log('| memory (RSS) | at rest | after the load |');
  console.log('|---|---|---|');
  console.log(`| node (the stack process) | ${mb(atRest.node)} | ${mb(afterLoad.node)} |`);
  console.log(`| DynamoDB Local (java) | ${mb(atRest.dynamodb)} | ${mb(afterLoad.dynamodb)} |`);
  console.log(
    `\nload average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  if (rows.some((r) => r.api.failed + r.raw.failed > 0)) process.exitCode = 1;
} finally {
  await stack.stop();
}
