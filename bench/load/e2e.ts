/**
 * End-to-end load benchmark of the order chain (issue 13): it starts the local stack itself, subscribes
 * to onMyOrdersChanged and onOrderPlaced (placeOrder's own answer is the PLACED push) as a customer, then places and pays orders at a fixed offered rate (open loop: a
 * request is sent on schedule whether or not earlier ones have answered), and measures, per order, the
 * time from each mutation's answer to its status being pushed (placeOrder → PLACED, processPayment →
 * PAID), plus the rate at which orders reach PAID. Loopback only, bounded in count and time.
 *
 * `tsx bench/load/e2e.ts [rate ...] [--seconds N]`, or `npm run bench:e2e`; index.ts calls runE2eBench.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { startLocalStack, type LocalStack } from '@orderloop/local/stack';
import {
  OnMyOrdersChangedDocument,
  OnOrderPlacedDocument,
  PlaceOrderDocument,
  ProcessPaymentDocument,
} from '../../test/generated/graphql.js';
import { graphql, subscribe, type Session } from '../../test/e2e/support/client.js';
import { expectData, SHIPPING_ADDRESS, signInDemoUsers } from '../../test/e2e/support/orders.js';

/** Options of {@link runE2eBench}. */
export interface E2eBenchOptions {
  /** Offered rates in orders per second, each run in turn on the same stack. @default [5, 20, 50] */
  readonly rates?: readonly number[];
  /** How long each rate is offered. @default 60 */
  readonly seconds?: number;
  /** How long to wait for the last status after the last order was paid. @default 60 */
  readonly settleSeconds?: number;
  /** Requests in flight at most; an order due while the cap is reached is counted as not sent. @default 400 */
  readonly maxInFlight?: number;
  /** Orders placed and paid one at a time before the load, each after the previous PAID was pushed. @default 5 */
  readonly atRest?: number;
  /**
   * What-if: overrides the assembly's pipe batching window (seconds) in the running stack, to compare
   * settings in one run without a synth. @default the assembly's value
   */
  readonly pipeWindowSeconds?: number;
  /** Prints progress and the table. @default console.log */
  readonly log?: (line: string) => void;
}

/** Latency figures in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** What one offered rate gave. */
export interface E2eRateResult {
  readonly offeredPerSecond: number;
  readonly seconds: number;
  readonly ordersSent: number;
  /** Orders whose processPayment answered. */
  readonly ordersPaidAnswered: number;
  /** Orders whose PAID status reached the subscriber. */
  readonly ordersPaidPushed: number;
  /** Orders reaching PAID (pushed) per second, from the first placeOrder sent to the last PAID pushed. */
  readonly paidPerSecond: number;
  readonly placeAnswered: LatencySummary;
  readonly placedPushed: LatencySummary;
  readonly paidPushed: LatencySummary;
  /** p50 of answer → PAID pushed over the first and the last third of orders: growing lag shows here. */
  readonly paidLagFirstThirdP50: number;
  readonly paidLagLastThirdP50: number;
  readonly errors: number;
  /** CPU seconds per wall second (1.0 = one core busy) of this node process and of DynamoDB Local. */
  readonly nodeCpuCores: number;
  readonly dynamodbCpuCores: number;
  /** CPU milliseconds per order sent, of this node process (stack, workers and client) and of DynamoDB Local. */
  readonly nodeCpuMsPerOrder: number;
  /** The main thread's part of nodeCpuMsPerOrder (AppSync, pipes, bus, Lambda host, the client); the rest is Lambda workers. */
  readonly mainThreadCpuMsPerOrder: number;
  readonly dynamodbCpuMsPerOrder: number;
  /** Share of wall time the main thread's event loop was busy (AppSync, pipes, bus, host, client); 1 is saturated. */
  readonly mainThreadBusy: number;
  /** The 1-minute load average of the machine at the end (other work on a shared machine shows here). */
  readonly loadAverage: number;
  /** Pipe requests and Lambda invocations per order, the billing dimensions the pipe settings move. */
  readonly pipeRequestsPerOrder: number;
  /** The pipes' GetRecords calls per order and per second: how often the pollers read DynamoDB Local's streams. */
  readonly streamReadsPerOrder: number;
  readonly streamReadsPerSecond: number;
  /** Mean records per pipe batch (BatchSize caps it): near the cap, the shard's lanes fall behind. */
  readonly recordsPerPipeBatch: number;
  readonly lambdaInvocationsPerOrder: number;
  readonly nodeRssMb: number;
  /** Lambda execution environments (worker isolates) per function at the end: each one is memory. */
  readonly lambdaEnvironments: Readonly<Record<string, number>>;
  /** Cold starts during this rate, all functions together (each one loads a bundle and the SDK). */
  readonly lambdaColdStarts: number;
}

interface OrderTiming {
  id?: string;
  placeAnsweredAt?: number;
  payAnsweredAt?: number;
  placedPushedAt?: number;
  paidPushedAt?: number;
  sentAt: number;
  placeMs?: number;
}

const BENCH_PRODUCTS = [
  { vendorId: 'v-aurora', productId: 'p-bench-lamp', name: 'Bench lamp', price: 1500 },
  { vendorId: 'v-borealis', productId: 'p-bench-beans', name: 'Bench beans', price: 900 },
] as const;

const UPDATE_INVENTORY = `mutation ($input: UpdateInventoryInput!) { updateInventory(input: $input) { productId } }`;

function summary(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { count: 0, p50: NaN, p99: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! };
}

/** CPU time (user + system) of a process (or of one of its threads) in seconds, from /proc; undefined where /proc is absent. */
function processCpuSeconds(pid: number | undefined, thread?: number): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
    const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
    // Fields after the command name: utime is the 12th, stime the 13th (proc(5), 14 and 15 overall).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function stockUp(admin: Session, available: number): Promise<void> {
  for (const p of BENCH_PRODUCTS) {
    const result = await graphql(
      admin,
      { toString: () => UPDATE_INVENTORY },
      {
        input: { ...p, currency: 'EUR', available, lowStockThreshold: 0 },
      },
    );
    expectData(result, `updateInventory(${p.productId})`);
  }
}

async function runRate(
  stack: LocalStack,
  customer: Session,
  rate: number,
  options: Required<Pick<E2eBenchOptions, 'seconds' | 'settleSeconds' | 'maxInFlight'>> & {
    log: (line: string) => void;
  },
): Promise<E2eRateResult> {
  const orders = new Map<string, OrderTiming>();
  const timings: OrderTiming[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const subscription = subscribe(
    customer,
    OnMyOrdersChangedDocument,
    {},
    {
      onEvent(event) {
        const now = performance.now();
        // Order-level events only: a vendor-level relay carries the parent's status too.
        if (event.vendorId) return;
        const timing = orders.get(event.orderId);
        if (!timing) return;
        if (event.status === 'PAID') timing.paidPushedAt ??= now;
      },
    },
  );
  // PLACED comes with placeOrder's own answer (onOrderPlaced), so it may land before the answer is read.
  const placedEarly = new Map<string, number>();
  const placedSubscription = subscribe(
    customer,
    OnOrderPlacedDocument,
    {},
    {
      onEvent(order) {
        const now = performance.now();
        const timing = orders.get(order.id);
        if (timing) timing.placedPushedAt ??= now;
        else placedEarly.set(order.id, now);
      },
    },
  );
  await Promise.all([subscription.started, placedSubscription.started]);

  const usageBefore = { ...stack.counters.events };
  const coldStarts = () =>
    Object.values(stack.events.lambdaHost.environmentStarts()).reduce((sum, f) => sum + f.coldStarts, 0);
  const coldStartsBefore = coldStarts();
  const nodeCpuBefore = process.cpuUsage();
  const eluBefore = performance.eventLoopUtilization();
  // The main thread's task id is the process id.
  const mainCpuBefore = processCpuSeconds(process.pid, process.pid);
  const dynamoCpuBefore = processCpuSeconds(stack.dynamodb.process?.pid);
  const wallBefore = performance.now();

  const total = Math.round(rate * options.seconds);
  let inFlight = 0;
  const runs: Promise<void>[] = [];
  const fail = (what: string, error: unknown) => {
    errors++;
    firstError ??= `${what}: ${error instanceof Error ? error.message : String(error)}`;
  };
  const one = async (timing: OrderTiming) => {
    inFlight++;
    try {
      const placed = await graphql(customer, PlaceOrderDocument, {
        input: {
          lines: BENCH_PRODUCTS.map((p) => ({ vendorId: p.vendorId, productId: p.productId, quantity: 1 })),
          shippingAddress: SHIPPING_ADDRESS,
        },
        idempotencyKey: randomUUID(),
      });
      const order = expectData(placed, 'placeOrder').placeOrder;
      timing.placeAnsweredAt = performance.now();
      timing.placeMs = timing.placeAnsweredAt - timing.sentAt;
      timing.id = order.id;
      orders.set(order.id, timing);
      timing.placedPushedAt ??= placedEarly.get(order.id);
      const paid = await graphql(customer, ProcessPaymentDocument, {
        input: { orderId: order.id, paymentToken: 'tok_success', method: 'CARD' },
        idempotencyKey: randomUUID(),
      });
      expectData(paid, 'processPayment');
      timing.payAnsweredAt = performance.now();
    } catch (error) {
      fail('order', error);
    } finally {
      inFlight--;
    }
  };

  const started = performance.now();
  let notSent = 0;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (inFlight >= options.maxInFlight) {
      notSent++;
      continue;
    }
    const timing: OrderTiming = { sentAt: performance.now() };
    timings.push(timing);
    runs.push(one(timing));
  }
  await Promise.all(runs);
  // Wait (bounded) for every answered payment's PAID to be pushed.
  const settleBy = performance.now() + options.settleSeconds * 1000;
  const pending = () => timings.filter((t) => t.payAnsweredAt !== undefined && t.paidPushedAt === undefined);
  while (pending().length > 0 && performance.now() < settleBy) await sleep(50);
  subscription.close();
  placedSubscription.close();

  const wall = (performance.now() - wallBefore) / 1000;
  const cpu = process.cpuUsage(nodeCpuBefore);
  const elu = performance.eventLoopUtilization(eluBefore);
  const mainCpuAfter = processCpuSeconds(process.pid, process.pid);
  const dynamoCpuAfter = processCpuSeconds(stack.dynamodb.process?.pid);
  const usageAfter = stack.counters.events;
  const paidPushed = timings.filter((t) => t.paidPushedAt !== undefined && t.payAnsweredAt !== undefined);
  const lastPaid = Math.max(...paidPushed.map((t) => t.paidPushedAt!));
  const lag = (part: OrderTiming[]) => summary(part.map((t) => t.paidPushedAt! - t.payAnsweredAt!)).p50;
  const third = Math.max(1, Math.floor(paidPushed.length / 3));
  const sent = timings.length;
  if (firstError) options.log(`  first error at ${rate}/s: ${firstError}`);
  if (notSent > 0) options.log(`  ${notSent} order(s) not sent: ${options.maxInFlight} requests in flight`);
  return {
    offeredPerSecond: rate,
    seconds: options.seconds,
    ordersSent: sent,
    ordersPaidAnswered: timings.filter((t) => t.payAnsweredAt !== undefined).length,
    ordersPaidPushed: paidPushed.length,
    paidPerSecond: paidPushed.length > 0 ? paidPushed.length / ((lastPaid - started) / 1000) : 0,
    placeAnswered: summary(timings.flatMap((t) => (t.placeMs === undefined ? [] : [t.placeMs]))),
    placedPushed: summary(
      timings.flatMap((t) =>
        t.placedPushedAt !== undefined && t.placeAnsweredAt !== undefined
          ? [t.placedPushedAt - t.placeAnsweredAt]
          : [],
      ),
    ),
    paidPushed: summary(paidPushed.map((t) => t.paidPushedAt! - t.payAnsweredAt!)),
    paidLagFirstThirdP50: lag(paidPushed.slice(0, third)),
    paidLagLastThirdP50: lag(paidPushed.slice(-third)),
    errors,
    nodeCpuCores: (cpu.user + cpu.system) / 1e6 / wall,
    dynamodbCpuCores:
      dynamoCpuBefore !== undefined && dynamoCpuAfter !== undefined
        ? (dynamoCpuAfter - dynamoCpuBefore) / wall
        : NaN,
    nodeCpuMsPerOrder: (cpu.user + cpu.system) / 1000 / Math.max(1, sent),
    mainThreadCpuMsPerOrder:
      mainCpuBefore !== undefined && mainCpuAfter !== undefined
        ? ((mainCpuAfter - mainCpuBefore) * 1000) / Math.max(1, sent)
        : NaN,
    dynamodbCpuMsPerOrder:
      dynamoCpuBefore !== undefined && dynamoCpuAfter !== undefined
        ? ((dynamoCpuAfter - dynamoCpuBefore) * 1000) / Math.max(1, sent)
        : NaN,
    mainThreadBusy: elu.utilization,
    loadAverage: loadavg()[0]!,
    pipeRequestsPerOrder: (usageAfter.pipeRequests - usageBefore.pipeRequests) / Math.max(1, sent),
    streamReadsPerOrder: (usageAfter.streamReads - usageBefore.streamReads) / Math.max(1, sent),
    streamReadsPerSecond: (usageAfter.streamReads - usageBefore.streamReads) / wall,
    recordsPerPipeBatch:
      (usageAfter.pipeRecords - usageBefore.pipeRecords) /
      Math.max(1, usageAfter.pipeBatches - usageBefore.pipeBatches),
    lambdaInvocationsPerOrder:
      (usageAfter.lambdaInvocations - usageBefore.lambdaInvocations) / Math.max(1, sent),
    nodeRssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
    lambdaColdStarts: coldStarts() - coldStartsBefore,
    lambdaEnvironments: Object.fromEntries(
      Object.entries(stack.events.lambdaHost.environments()).map(([name, e]) => [name, e.idle + e.busy]),
    ),
  };
}

/** Answer → pushed medians of orders placed and paid one at a time, with the stack otherwise idle. */
async function atRest(
  stack: LocalStack,
  customer: Session,
  count: number,
): Promise<{ placed: LatencySummary; paid: LatencySummary }> {
  const pushedAt = new Map<string, number>();
  const subscription = subscribe(
    customer,
    OnMyOrdersChangedDocument,
    {},
    {
      onEvent(event) {
        if (!event.vendorId) pushedAt.set(`${event.orderId}|${event.status}`, performance.now());
      },
    },
  );
  const placedSubscription = subscribe(
    customer,
    OnOrderPlacedDocument,
    {},
    { onEvent: (order) => pushedAt.set(`${order.id}|PLACED`, performance.now()) },
  );
  await Promise.all([subscription.started, placedSubscription.started]);
  const pushed = async (key: string) => {
    const deadline = performance.now() + 60_000;
    while (!pushedAt.has(key) && performance.now() < deadline) await sleep(5);
    return pushedAt.get(key) ?? NaN;
  };
  const placed: number[] = [];
  const paid: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      await stack.idle();
      const order = expectData(
        await graphql(customer, PlaceOrderDocument, {
          input: {
            lines: BENCH_PRODUCTS.map((p) => ({ vendorId: p.vendorId, productId: p.productId, quantity: 1 })),
            shippingAddress: SHIPPING_ADDRESS,
          },
          idempotencyKey: randomUUID(),
        }),
        'placeOrder',
      ).placeOrder;
      const placeAnswered = performance.now();
      placed.push((await pushed(`${order.id}|PLACED`)) - placeAnswered);
      expectData(
        await graphql(customer, ProcessPaymentDocument, {
          input: { orderId: order.id, paymentToken: 'tok_success', method: 'CARD' },
          idempotencyKey: randomUUID(),
        }),
        'processPayment',
      );
      const payAnswered = performance.now();
      paid.push((await pushed(`${order.id}|PAID`)) - payAnswered);
    }
  } finally {
    subscription.close();
    placedSubscription.close();
  }
  return { placed: summary(placed), paid: summary(paid) };
}

const ms = (value: number) => (Number.isNaN(value) ? '–' : `${Math.round(value)}`);

/** The results as a Markdown table, one row per offered rate. */
export function formatE2eTable(results: readonly E2eRateResult[]): string {
  const header =
    '| offered/s | sent | PAID pushed | PAID/s | placeOrder answer p50/p99 ms | answer → PLACED p50/p99 ms | answer → PAID p50/p99 ms | PAID lag p50 first → last third ms | errors | CPU cores node / DynamoDB Local | CPU ms per order: node (main thread) / DynamoDB Local | main thread busy | load avg | pipe req / Lambda inv per order |';
  const rule = `|${header
    .split('|')
    .slice(1, -1)
    .map(() => '---')
    .join('|')}|`;
  const rows = results.map(
    (r) =>
      `| ${r.offeredPerSecond} | ${r.ordersSent} | ${r.ordersPaidPushed} | ${r.paidPerSecond.toFixed(1)} | ${ms(r.placeAnswered.p50)} / ${ms(r.placeAnswered.p99)} | ${ms(r.placedPushed.p50)} / ${ms(r.placedPushed.p99)} | ${ms(r.paidPushed.p50)} / ${ms(r.paidPushed.p99)} | ${ms(r.paidLagFirstThirdP50)} → ${ms(r.paidLagLastThirdP50)} | ${r.errors} | ${r.nodeCpuCores.toFixed(2)} / ${r.dynamodbCpuCores.toFixed(2)} | ${ms(r.nodeCpuMsPerOrder)} (${ms(r.mainThreadCpuMsPerOrder)}) / ${ms(r.dynamodbCpuMsPerOrder)} | ${r.mainThreadBusy.toFixed(2)} | ${r.loadAverage.toFixed(1)} | ${r.pipeRequestsPerOrder.toFixed(1)} / ${r.lambdaInvocationsPerOrder.toFixed(1)} |`,
  );
  return [header, rule, ...rows].join('\n');
}

/** Starts an in-memory seeded stack, runs every offered rate in turn on it, stops it, returns the figures. */
export async function runE2eBench(options: E2eBenchOptions = {}): Promise<E2eRateResult[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const rates = options.rates ?? [5, 20, 50];
  const settings = {
    seconds: options.seconds ?? 60,
    settleSeconds: options.settleSeconds ?? 60,
    maxInFlight: options.maxInFlight ?? 400,
    log,
  };
  const stack = await startLocalStack({ port: 0, seed: true, quiet: true, transactionSizing: 'floor' });
  try {
    const users = await signInDemoUsers(stack.endpoints);
    const ordersNeeded = rates.reduce((sum, rate) => sum + Math.ceil(rate * settings.seconds), 0);
    await stockUp(users.admin, ordersNeeded * 2 + 1000);
    if (options.pipeWindowSeconds !== undefined) {
      for (const running of stack.events.pipes) {
        (running.config as { maximumBatchingWindowInSeconds: number }).maximumBatchingWindowInSeconds =
          options.pipeWindowSeconds;
      }
    }
    const pipe = stack.events.pipes[0]?.config;
    log(
      `e2e load: stack ready in ${stack.readyMs} ms; pipe batch size ${pipe?.batchSize}, window ${pipe?.maximumBatchingWindowInSeconds} s, ` +
        `parallelization ${(pipe as { parallelizationFactor?: number } | undefined)?.parallelizationFactor ?? 1}; ` +
        `Lambda environment reuse ${process.env.ORDERLOOP_LAMBDA_ENVIRONMENT_REUSE ?? 'warm-first'}, tracing ${process.env.ORDERLOOP_LAMBDA_TRACING === '1' ? 'on' : 'off'}; ` +
        `${settings.seconds} s per rate; load average before ${loadavg()[0]!.toFixed(1)}`,
    );
    // A short warm-up, so neither the at-rest orders nor the first rate pay every Lambda worker's cold start.
    await runRate(stack, users.customer, 10, { ...settings, seconds: 3 });
    const rest = await atRest(stack, users.customer, options.atRest ?? 5);
    log(
      `at rest (${rest.placed.count} orders one at a time, load average ${loadavg()[0]!.toFixed(1)}): ` +
        `answer → PLACED p50 ${ms(rest.placed.p50)} ms, max ${ms(rest.placed.max)} ms; ` +
        `answer → PAID p50 ${ms(rest.paid.p50)} ms, max ${ms(rest.paid.max)} ms`,
    );
    await stack.idle();
    const results: E2eRateResult[] = [];
    for (const rate of rates) {
      const result = await runRate(stack, users.customer, rate, settings);
      results.push(result);
      log(formatE2eTable([result]).split('\n').slice(-1)[0]!);
      const environments = Object.entries(result.lambdaEnvironments).filter(([, n]) => n > 0);
      log(
        `  GetRecords ${result.streamReadsPerOrder.toFixed(1)} per order, ${result.streamReadsPerSecond.toFixed(1)}/s; ` +
          `${result.recordsPerPipeBatch.toFixed(1)} records per pipe batch; ` +
          `node RSS ${result.nodeRssMb} MB; ${result.lambdaColdStarts} Lambda cold starts; execution environments ${environments.reduce((sum, [, n]) => sum + n, 0)} ` +
          `(${environments.map(([name, n]) => `${name.replace(/^Orderloop\w*?-/, '')} ${n}`).join(', ')})`,
      );
      await stack.idle();
    }
    const starts = Object.entries(stack.events.lambdaHost.environmentStarts()).filter(
      ([, f]) => f.coldStarts > 0,
    );
    log(
      `Lambda environments since start (cold starts / waited for a warm one; mean Init / Invoke ms): ` +
        starts
          .map(
            ([name, f]) =>
              `${name.replace(/^Orderloop\w*?-/, '')} ${f.coldStarts} / ${f.waitedForWarm}; ${f.meanInitMs ?? '–'} / ${f.meanInvokeMs ?? '–'}`,
          )
          .join(', '),
    );
    log(formatE2eTable(results));
    return results;
  } finally {
    await stack.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const rates: number[] = [];
  const flags: Record<string, number> = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i]!.startsWith('--')) flags[args[i]!.slice(2)] = Number(args[++i]);
    else rates.push(Number(args[i]));
  }
  const known = ['seconds', 'at-rest', 'pipe-window'];
  if (
    rates.some((r) => !(r >= 0)) ||
    Object.entries(flags).some(([k, v]) => !known.includes(k) || !(v >= 0))
  ) {
    throw new Error(
      'usage: tsx bench/load/e2e.ts [orders-per-second ...] [--seconds N] [--at-rest N] [--pipe-window S]; rate 0 runs only the at-rest orders',
    );
  }
  await runE2eBench({
    ...(rates.length ? { rates: rates.filter((r) => r > 0) } : {}),
    ...(flags.seconds ? { seconds: flags.seconds } : {}),
    ...(flags['at-rest'] !== undefined ? { atRest: flags['at-rest'] } : {}),
    ...(flags['pipe-window'] !== undefined ? { pipeWindowSeconds: flags['pipe-window'] } : {}),
  });
}
