/**
 * End-to-end load benchmark of the order chain (issue 13): it starts the local stack itself, subscribes
 * to onMyOrdersChanged as a customer, then places and pays orders at a fixed offered rate (open loop: a
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
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import {
  OnMyOrdersChangedDocument,
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
  readonly lambdaInvocationsPerOrder: number;
  readonly nodeRssMb: number;
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
  options: Required<Omit<E2eBenchOptions, 'rates' | 'log'>> & { log: (line: string) => void },
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
        if (event.status === 'PLACED') timing.placedPushedAt ??= now;
        if (event.status === 'PAID') timing.paidPushedAt ??= now;
      },
    },
  );
  await subscription.started;

  const usageBefore = { ...stack.counters.events };
  const nodeCpuBefore = process.cpuUsage();
  const eluBefore = performance.eventLoopUtilization();
  // The main thread's task id is the process id.
  const mainCpuBefore = processCpuSeconds(process.pid, process.pid);
  const dynamoCpuBefore = processCpuSeconds(stack.dynamodb.process.pid);
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

  const wall = (performance.now() - wallBefore) / 1000;
  const cpu = process.cpuUsage(nodeCpuBefore);
  const elu = performance.eventLoopUtilization(eluBefore);
  const mainCpuAfter = processCpuSeconds(process.pid, process.pid);
  const dynamoCpuAfter = processCpuSeconds(stack.dynamodb.process.pid);
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
    lambdaInvocationsPerOrder:
      (usageAfter.lambdaInvocations - usageBefore.lambdaInvocations) / Math.max(1, sent),
    nodeRssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
  };
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
  const stack = await startLocalStack({ port: 0, seed: true, quiet: true });
  try {
    const users = await signInDemoUsers(stack.endpoints);
    const ordersNeeded = rates.reduce((sum, rate) => sum + Math.ceil(rate * settings.seconds), 0);
    await stockUp(users.admin, ordersNeeded * 2 + 1000);
    const pipe = stack.events.config.pipes[0];
    log(
      `e2e load: stack ready in ${stack.readyMs} ms; pipe batch size ${pipe?.batchSize}, window ${pipe?.maximumBatchingWindowInSeconds} s, ` +
        `parallelization ${(pipe as { parallelizationFactor?: number } | undefined)?.parallelizationFactor ?? 1}; ` +
        `${settings.seconds} s per rate; load average before ${loadavg()[0]!.toFixed(1)}`,
    );
    // A short warm-up, so the first rate does not pay every Lambda worker's cold start.
    await runRate(stack, users.customer, 10, { ...settings, seconds: 3 });
    await stack.idle();
    const results: E2eRateResult[] = [];
    for (const rate of rates) {
      const result = await runRate(stack, users.customer, rate, settings);
      results.push(result);
      log(formatE2eTable([result]).split('\n').slice(-1)[0]!);
      await stack.idle();
    }
    log(formatE2eTable(results));
    return results;
  } finally {
    await stack.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const rates: number[] = [];
  let seconds: number | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--seconds') seconds = Number(args[++i]);
    else rates.push(Number(args[i]));
  }
  if (rates.some((r) => !(r > 0)) || (seconds !== undefined && !(seconds > 0))) {
    throw new Error('usage: tsx bench/load/e2e.ts [orders-per-second ...] [--seconds N]');
  }
  await runE2eBench({ ...(rates.length ? { rates } : {}), ...(seconds ? { seconds } : {}) });
}
