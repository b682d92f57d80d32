/**
 * The API half of the load benchmark (issue "Fast under load", section 1): the local API against the
 * raw DynamoDB Local calls it makes, at the same concurrency, in rounds that alternate between the two
 * so background work (the events half reacting to new orders) falls on both alike.
 *
 * - getOrder through HTTP with a Cognito ID token, against a raw GetItem of the same item;
 * - placeOrder (2 vendors, 3 lines) against a raw TransactWriteItems of exactly the items it writes.
 *
 * The raw requests are the ones the API itself sent, captured while one call of each ran, with the
 * order id and client token renewed for every replay.
 */
import { randomUUID } from 'node:crypto';
import {
  GetItemCommand,
  TransactWriteItemsCommand,
  type GetItemCommandInput,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { GetOrderDocument, PlaceOrderDocument } from '../../test/generated/graphql.js';
import { graphql, type GraphQLResult } from '../../test/e2e/support/client.js';
import {
  mergeResults,
  runLoad,
  signIn,
  type BenchStack,
  type CapturedCall,
  type LoadResult,
  type Session,
} from './harness.js';

/** The three lines every benchmark order has: two vendors, three products. */
export const BENCH_LINES = [
  { vendorId: 'v-aurora', productId: 'p-headlamp', quantity: 1 },
  { vendorId: 'v-aurora', productId: 'p-parka', quantity: 1 },
  { vendorId: 'v-borealis', productId: 'p-espresso', quantity: 2 },
] as const;

/** A shipping address that passes validation. */
export const BENCH_ADDRESS = {
  name: 'Bench Customer',
  line1: '1 Harbour Street',
  city: 'Tromsø',
  postalCode: '9008',
  country: 'NO',
} as const;

const SET_STOCK =
  'mutation ($input: UpdateInventoryInput!) { updateInventory(input: $input) { productId available } }';

/** How hard and how long to push. */
export interface ApiBenchOptions {
  readonly concurrency: number;
  /** Length of one side of one round. */
  readonly roundMs: number;
  readonly rounds: number;
  /**
   * Load on each side before the measured rounds. DynamoDB Local's JVM keeps compiling for several seconds
   * under load (its JIT threads were about 29 % of its CPU in the first seconds), and that CPU is spent per
   * second, not per request: charged to rounds of a 1 s warm-up, it fell twice as hard on the side that
   * answers half as many requests (getOrder's DynamoDB Local CPU per request 1.05 ms against GetItem's 0.74
   * after 1 s, 0.58 against 0.47 after 15 s, in one run each on 2026-12-02). Steady state is what compares.
   */
  readonly warmupMs: number;
  /** Runs one comparison only, e.g. while profiling. @default both */
  readonly only?: 'getOrder' | 'placeOrder';
  /**
   * Where the raw baseline sends its requests: straight to DynamoDB Local, or through the stack's DynamoDB
   * endpoint (its gateway and meter, in the stack's main thread, which the API side needs too).
   * @default 'direct'
   */
  readonly baseline?: 'direct' | 'gateway';
}

/** One API measurement beside its raw baseline. */
export interface Comparison {
  readonly name: string;
  readonly baselineName: string;
  readonly api: LoadResult;
  readonly raw: LoadResult;
  /** api.rate / raw.rate */
  readonly ratio: number;
  /** What issue 13 asks of the ratio. */
  readonly target: number;
  /** The stack process's cost while the API side ran. */
  readonly stack: StackCost;
  /** CPU per request of the API side and of the raw side, by process. */
  readonly cpu: { readonly api: CpuBudget; readonly raw: CpuBudget };
}

function must<T>(result: GraphQLResult<T>, what: string): T {
  if (result.errors?.length || !result.data)
    throw new Error(`${what} failed (HTTP ${result.status}): ${JSON.stringify(result.errors ?? result)}`);
  return result.data;
}

function only(calls: readonly CapturedCall[], command: string): CapturedCall {
  const found = calls.filter((c) => c.command === command);
  if (found.length !== 1)
    throw new Error(
      `expected one ${command} from the API, saw ${calls.map((c) => c.command).join(', ') || 'none'}`,
    );
  return found[0]!;
}

/** Gives every product of the benchmark orders stock enough for any run. */
async function stockUp(admin: Session): Promise<void> {
  for (const line of BENCH_LINES) {
    must(
      await graphql(
        admin,
        { toString: () => SET_STOCK },
        {
          input: { vendorId: line.vendorId, productId: line.productId, available: 100_000_000 },
        },
      ),
      `updateInventory(${line.productId})`,
    );
  }
}

function placeOrder(customer: Session, idempotencyKey: string) {
  return graphql(customer, PlaceOrderDocument, {
    input: { lines: BENCH_LINES.map((l) => ({ ...l })), shippingAddress: BENCH_ADDRESS },
    idempotencyKey,
  });
}

/** What the stack process spent while the API side ran. */
export interface StackCost {
  /** CPU time of the stack process (all threads) per successful request, ms. */
  readonly cpuMsPerRequest: number;
  /** Share of the wall time the stack's main thread was busy (event-loop utilization). */
  readonly mainThreadBusy: number;
  /** The same of the API's worker threads, on average over them; NaN without any. */
  readonly workersBusy: number;
  /** How many API worker threads answered the HTTP requests (0: the main thread did). */
  readonly workers: number;
}

/**
 * Where one side's CPU went, ms per successful request: the load client (this process), the stack
 * process and DynamoDB Local's JVM. On a 2-core machine the three share the cores, so a side's rate is
 * bounded by about 2000 / total requests/s.
 */
export interface CpuBudget {
  readonly client: number;
  readonly stack: number;
  readonly dynamodb: number;
}

/** Measures one run of `load`: its result, and the CPU the three processes spent on it. */
async function metered(
  stack: BenchStack,
  load: () => Promise<LoadResult>,
): Promise<{
  result: LoadResult;
  cpu: { client: number; stack: number; dynamodb: number };
  usage: [Usage, Usage];
}> {
  const client0 = process.cpuUsage();
  const java0 = stack.dynamodbCpuMicros();
  const before = await stack.usage();
  const result = await load();
  const after = await stack.usage();
  const java1 = stack.dynamodbCpuMicros();
  const client = process.cpuUsage(client0);
  return {
    result,
    cpu: {
      client: client.user + client.system,
      stack: after.cpuMicros - before.cpuMicros,
      dynamodb: java0 === null || java1 === null ? Number.NaN : java1 - java0,
    },
    usage: [before, after],
  };
}

type Usage = Awaited<ReturnType<BenchStack['usage']>>;

/** Sums the CPU of several runs into ms per successful request. */
function budgetOf(
  runs: readonly { cpu: { client: number; stack: number; dynamodb: number } }[],
  ok: number,
): CpuBudget {
  const per = (k: 'client' | 'stack' | 'dynamodb') =>
    runs.reduce((sum, r) => sum + r.cpu[k], 0) / 1000 / Math.max(1, ok);
  return { client: per('client'), stack: per('stack'), dynamodb: per('dynamodb') };
}

/**
 * Runs `a` (the API side) and `b` (its raw baseline) in alternating rounds (a b, b a, a b, ...) and
 * merges each side's rounds; the CPU of the client, the stack process and DynamoDB Local is measured
 * around every round of both.
 */
async function alternate(
  stack: BenchStack,
  a: (i: number) => Promise<void>,
  b: (i: number) => Promise<void>,
  options: ApiBenchOptions,
): Promise<[LoadResult, LoadResult, StackCost, CpuBudget, CpuBudget]> {
  const run = (call: (i: number) => Promise<void>) => () =>
    runLoad(call, { concurrency: options.concurrency, durationMs: options.roundMs });
  // A warm-up of both, so JIT compilation and connection pools are not measured (see warmupMs).
  await runLoad(a, { concurrency: options.concurrency, durationMs: options.warmupMs });
  await runLoad(b, { concurrency: options.concurrency, durationMs: options.warmupMs });
  const as: Awaited<ReturnType<typeof metered>>[] = [];
  const bs: Awaited<ReturnType<typeof metered>>[] = [];
  for (let round = 0; round < options.rounds; round++) {
    if (round % 2 === 0) {
      as.push(await metered(stack, run(a)));
      bs.push(await metered(stack, run(b)));
    } else {
      bs.push(await metered(stack, run(b)));
      as.push(await metered(stack, run(a)));
    }
  }
  const api = mergeResults(as.map((r) => r.result));
  const raw = mergeResults(bs.map((r) => r.result));
  const sum = (f: (u: [Usage, Usage]) => number) => as.reduce((total, r) => total + f(r.usage), 0);
  const active = sum(([x, y]) => y.elu.active - x.elu.active);
  const idle = sum(([x, y]) => y.elu.idle - x.elu.idle);
  const workersActive = sum(([x, y]) => y.workersElu.active - x.workersElu.active);
  const workersIdle = sum(([x, y]) => y.workersElu.idle - x.workersElu.idle);
  const workers = as.at(-1)?.usage[1].workers ?? 0;
  const apiBudget = budgetOf(as, api.ok);
  return [
    api,
    raw,
    {
      cpuMsPerRequest: apiBudget.stack,
      mainThreadBusy: active / Math.max(1, active + idle),
      workersBusy: workers > 0 ? workersActive / Math.max(1, workersActive + workersIdle) : Number.NaN,
      workers,
    },
    apiBudget,
    budgetOf(bs, raw.ok),
  ];
}

/** Measures getOrder and placeOrder against their raw DynamoDB baselines on a started bench stack. */
export async function benchApi(stack: BenchStack, options: ApiBenchOptions): Promise<Comparison[]> {
  const [customer, admin] = await Promise.all([
    signIn(stack.endpoints, 'customer@orderloop.local'),
    signIn(stack.endpoints, 'admin@orderloop.local'),
  ]);
  await stockUp(admin);

  // One call of each with capture on: the exact requests the raw baselines replay.
  await stack.startCapture();
  const placed = must(await placeOrder(customer, randomUUID()), 'placeOrder').placeOrder;
  const placeCalls = await stack.stopCapture();
  await stack.startCapture();
  must(await graphql(customer, GetOrderDocument, { id: placed.id }), 'getOrder');
  const getCalls = await stack.stopCapture();
  const getItem = only(getCalls, 'GetItemCommand').input as GetItemCommandInput;
  const transactTemplate = JSON.stringify(only(placeCalls, 'TransactWriteItemsCommand').input);
  const sampleToken = (JSON.parse(transactTemplate) as TransactWriteItemsCommandInput).ClientRequestToken;

  const raw = options.baseline === 'gateway' ? stack.dynamodb : stack.dynamodbDirect;
  const getOrderApi = async () => {
    const data = must(await graphql(customer, GetOrderDocument, { id: placed.id }), 'getOrder');
    if (data.getOrder?.id !== placed.id) throw new Error('getOrder answered another order');
  };
  const getItemRaw = async () => {
    const out = await raw.send(new GetItemCommand(getItem));
    if (!out.Item) throw new Error('GetItem found no item');
  };
  const placeOrderApi = async () => {
    must(await placeOrder(customer, randomUUID()), 'placeOrder');
  };
  const transactRaw = async () => {
    // A new order id per replay (of the same length), as a new placeOrder's key would derive; the key
    // itself is not in the transaction (the order item is its record).
    const id = randomUUID().replace(/-/g, '').slice(0, placed.id.length).toUpperCase();
    let text = transactTemplate.split(placed.id).join(id);
    if (sampleToken) text = text.split(sampleToken).join(randomUUID());
    await raw.send(new TransactWriteItemsCommand(JSON.parse(text) as TransactWriteItemsCommandInput));
  };

  const transactItems =
    (JSON.parse(transactTemplate) as TransactWriteItemsCommandInput).TransactItems?.length ?? 0;
  const rows: Comparison[] = [];
  if (options.only !== 'placeOrder') {
    const [getApi, getRaw, getCost, getCpu, rawCpu] = await alternate(
      stack,
      getOrderApi,
      getItemRaw,
      options,
    );
    rows.push({
      name: 'getOrder (Cognito, HTTP)',
      baselineName: 'GetItem (SDK)',
      api: getApi,
      raw: getRaw,
      ratio: getApi.rate / getRaw.rate,
      target: 0.6,
      stack: getCost,
      cpu: { api: getCpu, raw: rawCpu },
    });
  }
  if (options.only !== 'getOrder') {
    const [placeApi, placeRaw, placeCost, placeCpu, transactCpu] = await alternate(
      stack,
      placeOrderApi,
      transactRaw,
      options,
    );
    rows.push({
      name: 'placeOrder (2 vendors, 3 lines)',
      baselineName: `TransactWriteItems (${transactItems} items)`,
      api: placeApi,
      raw: placeRaw,
      ratio: placeApi.rate / placeRaw.rate,
      target: 0.7,
      stack: placeCost,
      cpu: { api: placeCpu, raw: transactCpu },
    });
  }
  return rows;
}
