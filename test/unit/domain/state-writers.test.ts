import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleAppSyncCode, ROOT } from '../../../infra/bundling.js';
import { completeOrder, expireOrder, type SweeperDeps } from '../../../functions/sweeper/logic.js';
import { executeResolver, type InvokeDataSource, type ResolveResult } from '@orderloop/local/appsync/runtime';
import {
  canTransition,
  canTransitionVendorOrder,
  ORDER_TRANSITIONS,
  VENDOR_ORDER_TRANSITIONS,
} from '../../../domain/orderProcess.js';
import type { ActorType, OrderStatus, VendorOrderStatus } from '../../../domain/generated/schema.js';
import { quietLogger } from '../functions/fakes.js';

/**
 * Ties every status writer to the transition tables: each writer — the resolver steps as bundled for
 * AppSync and run by the APPSYNC_JS runtime, and the sweeper's Lambda logic — runs against orders in
 * every status (with one and two vendor orders in every status), and the edges it writes must be exactly
 * the tables' edges for its actor: nothing the tables forbid, and every edge the tables allow is written
 * by some writer.
 */

const ORDER_STATUSES = Object.keys(ORDER_TRANSITIONS) as OrderStatus[];
const VENDOR_STATUSES = Object.keys(VENDOR_ORDER_TRANSITIONS) as VendorOrderStatus[];
const NOW = '2025-01-01T12:00:00.000Z';

/** One status edge as written: which item, from → to, by whom. */
type Edge = `${'order' | 'vendor'} ${string} → ${string} by ${ActorType}`;

interface Scenario {
  status: OrderStatus;
  vendors: VendorOrderStatus[];
}

function scenarios(): Scenario[] {
  const all: Scenario[] = [];
  for (const status of ORDER_STATUSES) {
    for (const a of VENDOR_STATUSES) {
      all.push({ status, vendors: [a] });
      for (const b of VENDOR_STATUSES) all.push({ status, vendors: [a, b] });
    }
  }
  return all;
}

function storedOrder({ status, vendors }: Scenario) {
  return {
    PK: 'ORDER#o-1',
    SK: 'ORDER',
    id: 'o-1',
    customerId: 'c-1',
    correlationId: 'corr-1',
    status,
    version: 3,
    total: 2000,
    currency: 'USD',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    lines: [],
    shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' },
    statusHistory: [],
    payment: {
      orderId: 'o-1',
      amount: 2000,
      currency: 'USD',
      status: 'PENDING',
      method: null,
      attempts: 1,
      failureReason: null,
      refundedAmount: 0,
      updatedAt: '2025-01-01T00:00:00.000Z',
    },
    vendorOrders: vendors.map((s, i) => ({
      orderId: 'o-1',
      vendorId: `v${i + 1}`,
      status: s,
      lines: [],
      subtotal: 1000,
      currency: 'USD',
      tracking: null,
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
      version: 2,
    })),
  };
}

/**
 * The status edges of written updates, in the shape both writers' clients send (plain or typed values):
 * the order's own (:fromStatus → :toStatus) and each embedded vendor part's (:vo<i>Status, from the part
 * as the order read holds it), since the order item is the one copy of its parts.
 */
function edgesOf(
  updates: { sk: string; values: Record<string, unknown> }[],
  actor: ActorType,
  read: { vendorOrders: { status: string }[] },
): Edge[] {
  const plain = (v: unknown) =>
    v !== null && typeof v === 'object' && 'S' in v ? (v as { S: string }).S : (v as string | undefined);
  const edges: Edge[] = [];
  for (const { values } of updates) {
    const from = plain(values[':fromStatus']);
    const to = plain(values[':toStatus']);
    if (from !== undefined && to !== undefined && from !== to)
      edges.push(`order ${from} → ${to} by ${actor}`);
    read.vendorOrders.forEach((part, i) => {
      const partTo = plain(values[`:vo${i}Status`]);
      if (partTo !== undefined && partTo !== part.status)
        edges.push(`vendor ${part.status} → ${partTo} by ${actor}`);
    });
  }
  return edges;
}

function tableEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const [from, next] of Object.entries(ORDER_TRANSITIONS)) {
    for (const [to, actors] of Object.entries(next)) {
      for (const actor of actors ?? []) edges.push(`order ${from} → ${to} by ${actor}`);
    }
  }
  for (const [from, next] of Object.entries(VENDOR_ORDER_TRANSITIONS)) {
    for (const [to, actors] of Object.entries(next)) {
      for (const actor of actors ?? []) edges.push(`vendor ${from} → ${to} by ${actor}`);
    }
  }
  return edges;
}

const identities = {
  CUSTOMER: { sub: 'c-1', username: 'c-1', groups: ['customer'], claims: { sub: 'c-1' } },
  ADMIN: { sub: 'a-1', username: 'a-1', groups: ['admin'], claims: { sub: 'a-1' } },
  VENDOR: {
    sub: 'u-v1',
    username: 'u-v1',
    groups: ['vendor'],
    claims: { sub: 'u-v1', 'custom:vendorId': 'v1' },
  },
  SYSTEM: { accountId: '000000000000', userArn: 'arn:aws:sts::000000000000:assumed-role/consumer/fn' },
} as const;

/** A pipeline step run alone: a before step puts `stash` in place, the data source records what it is sent. */
async function runStep(
  step: string,
  args: Record<string, unknown>,
  stash: Record<string, unknown>,
  actor: ActorType,
): Promise<{ result: ResolveResult; updates: { sk: string; values: Record<string, unknown> }[] }> {
  const updates: { sk: string; values: Record<string, unknown> }[] = [];
  const invoke: InvokeDataSource = async (_name, request) => {
    const req = request as {
      operation: string;
      key?: { SK: { S: string } };
      condition?: unknown;
      transactItems?: {
        operation: string;
        key: { SK: { S: string } };
        update?: unknown;
        condition?: unknown;
      }[];
    };
    // A change of one item is a plain UpdateItem (processPayment, recordPaymentResult), of more a transaction.
    const items =
      req.operation === 'UpdateItem' && req.key ? [{ ...req, key: req.key }] : (req.transactItems ?? []);
    for (const item of items) {
      if (item.operation !== 'UpdateItem') continue;
      const condition = item.condition as { expressionValues?: Record<string, unknown> } | undefined;
      updates.push({ sk: item.key.SK.S, values: condition?.expressionValues ?? {} });
    }
    return { result: { keys: [], cancellationReasons: [] } };
  };
  const before = `export function request(ctx) { Object.assign(ctx.stash, ctx.args.stash); return {}; }
export function response(ctx) { return ctx.prev.result; }`;
  const result = await executeResolver(
    {
      kind: 'PIPELINE',
      code: before,
      functions: [{ name: step, code: bundled(step), dataSource: 'table' }],
    },
    {
      typeName: 'Mutation',
      fieldName: step,
      args: { ...args, stash },
      source: null,
      identity: identities[actor],
      request: { headers: {} },
      info: {
        fieldName: step,
        parentTypeName: 'Mutation',
        variables: {},
        selectionSetList: [],
        selectionSetGraphQL: '',
      },
      env: { TABLE_NAME: 'orders' },
    },
    invoke,
  );
  return { result, updates };
}

const bundles = new Map<string, string>();
function bundled(step: string): string {
  let code = bundles.get(step);
  if (!code) {
    code = bundleAppSyncCode(`pipeline/${step}.ts`);
    bundles.set(step, code);
  }
  return code;
}

/** The sweeper with a client that records the update it sends. */
function sweeperRun() {
  const updates: { sk: string; values: Record<string, unknown> }[] = [];
  const deps: SweeperDeps = {
    doc: {
      async send(command: unknown) {
        if (command instanceof UpdateCommand) {
          updates.push({
            sk: String(command.input.Key?.['SK']),
            values: command.input.ExpressionAttributeValues ?? {},
          });
        }
        return {};
      },
    } as SweeperDeps['doc'],
    tableName: 'orders',
    logger: quietLogger,
    clock: () => new Date(NOW),
    unpaidTtlMinutes: 30,
  };
  return { deps, updates };
}

type Order = ReturnType<typeof storedOrder>;

/** Every writer of a status, by the name its edges are reported under. */
const writers: Record<
  string,
  {
    actor: ActorType;
    run: (order: Order) => Promise<{ updates: { sk: string; values: Record<string, unknown> }[] }>[];
  }
> = {
  'cancelOrder as a customer': {
    actor: 'CUSTOMER',
    run: (order) => [runStep('writeCancel', { orderId: order.id }, { order, now: NOW }, 'CUSTOMER')],
  },
  'cancelOrder as an admin': {
    actor: 'ADMIN',
    run: (order) => [runStep('writeCancel', { orderId: order.id }, { order, now: NOW }, 'ADMIN')],
  },
  processPayment: {
    actor: 'CUSTOMER',
    run: (order) => [
      runStep(
        'writePaymentRequest',
        { input: { orderId: order.id, paymentToken: 'tok' }, idempotencyKey: 'k-1' },
        {
          order,
          // As on the order confirmOrderItem read consistently: the step decides every refusal itself.
          orderRead: 'consistent',
          now: NOW,
          callerId: 'c-1',
          idempotency: { operation: 'processPayment', callerId: 'c-1', key: 'k-1', request: '{}' },
        },
        'CUSTOMER',
      ),
    ],
  },
  recordPaymentResult: {
    actor: 'SYSTEM',
    run: (order) =>
      (['SUCCEEDED', 'DECLINED'] as const).map((status) =>
        runStep(
          'writePaymentResult',
          { input: { orderId: order.id, attempt: 1, correlationId: 'corr-1', status } },
          { order, orderRead: 'consistent', now: NOW },
          'SYSTEM',
        ),
      ),
  },
  ...Object.fromEntries(
    (['VENDOR', 'ADMIN'] as const).map((actor) => [
      `updateVendorOrderStatus as ${actor === 'VENDOR' ? 'a vendor' : 'an admin'}`,
      {
        actor,
        run: (order: Order) =>
          VENDOR_STATUSES.map((status) => {
            const tracking = { carrier: 'DHL', trackingNumber: 'T1' };
            const input = { orderId: order.id, vendorId: 'v1', status, tracking };
            return runStep('writeVendorOrderStatus', { input }, { order, now: NOW }, actor);
          }),
      },
    ]),
  ),
  'the sweeper expiring an unpaid order': {
    actor: 'SYSTEM',
    run: (order) => {
      const { deps, updates } = sweeperRun();
      return [expireOrder(order as never, 'unpaid', deps).then(() => ({ updates }))];
    },
  },
  'the sweeper completing a delivered order': {
    actor: 'SYSTEM',
    run: (order) => {
      const { deps, updates } = sweeperRun();
      return [completeOrder(order as never, deps).then(() => ({ updates }))];
    },
  },
};

describe('every status writer follows the transition tables', () => {
  const written = new Map<string, Set<Edge>>();

  beforeAll(async () => {
    for (const [name, writer] of Object.entries(writers)) {
      const edges = new Set<Edge>();
      for (const scenario of scenarios()) {
        const order = storedOrder(scenario);
        for (const run of writer.run(order)) {
          for (const edge of edgesOf((await run).updates, writer.actor, order)) edges.add(edge);
        }
      }
      written.set(name, edges);
    }
  }, 120_000);

  it.each(Object.keys(writers))('%s writes only edges the tables allow for its actor', (name) => {
    // Act
    const edges = [...written.get(name)!];
    // Assess
    const forbidden = edges.filter((edge) => {
      const [item, from, , to, , actor] = edge.split(' ') as [
        string,
        string,
        string,
        string,
        string,
        ActorType,
      ];
      return item === 'order'
        ? !canTransition(from as OrderStatus, to as OrderStatus, actor)
        : !canTransitionVendorOrder(from as VendorOrderStatus, to as VendorOrderStatus, actor);
    });
    expect(edges.length).toBeGreaterThan(0);
    expect(forbidden).toEqual([]);
  });

  it('writes every edge the tables allow, with the actor they name, through some writer', () => {
    // Act
    const all = new Set([...written.values()].flatMap((edges) => [...edges]));
    // Assess
    expect(tableEdges().filter((edge) => !all.has(edge))).toEqual([]);
  });

  it('writes every status change, its vendor parts included, as at most one update of the order item', async () => {
    // Prepare: a paid two-vendor order, which every writer can move somewhere (or refuse)
    const runs = Object.values(writers).flatMap((writer) =>
      writer.run(storedOrder({ status: 'PAID', vendors: ['PENDING', 'ACCEPTED'] })),
    );
    // Act
    const written = await Promise.all(runs);
    // Assess: no transaction, no second item (the vendors' list entries are never rewritten)
    for (const { updates } of written) {
      expect(updates.length).toBeLessThanOrEqual(1);
      for (const update of updates) expect(update.sk).toBe('ORDER');
    }
  });

  it('refuses a forbidden move as InvalidTransition and writes nothing', async () => {
    // Prepare: a shipped order, which no customer may cancel
    const order = storedOrder({ status: 'SHIPPED', vendors: ['SHIPPED'] });
    // Act
    const { result, updates } = await runStep(
      'writeCancel',
      { orderId: order.id },
      { order, now: NOW },
      'CUSTOMER',
    );
    // Assess
    expect(updates).toEqual([]);
    expect(result.errors).toMatchObject([
      { errorType: 'InvalidTransition', errorInfo: { from: 'SHIPPED', to: 'CANCELLED' } },
    ]);
  });
});

describe('the status writers', () => {
  it('build every status update through domain/transition.ts', () => {
    // Prepare: every TypeScript file of the resolvers and the functions
    const files = (dir: string): string[] =>
      readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    const sources = [...files('resolvers'), ...files('functions'), ...files('domain')];
    // Act
    const byHand = sources.filter(
      (f) =>
        f !== join('domain', 'transition.ts') &&
        /import[^;]*\b(orderStatusChange|embeddedVendorStatus)\b[^;]*from/.test(
          readFileSync(join(ROOT, f), 'utf8'),
        ),
    );
    const transitioning = sources.filter((f) =>
      /from '[./]*\/domain\/transition\.js'/.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    // Assess: the writers enumerated above are all there are
    expect(byHand).toEqual([]);
    expect(transitioning.map((f) => relative('.', f)).sort()).toEqual([
      'functions/sweeper/logic.ts',
      'resolvers/pipeline/writeCancel.ts',
      'resolvers/pipeline/writePaymentRequest.ts',
      'resolvers/pipeline/writePaymentResult.ts',
      'resolvers/pipeline/writeVendorOrderStatus.ts',
    ]);
  });
});
