/**
 * The live order board: the signed-in user's orders (a customer's via myOrders, a vendor's parts via
 * vendorOrders, every order for an admin via orders), moved by the status events that arrive over
 * AppSync subscriptions, with the latest events beside them and the actions each role may take.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ConsoleApi, ConsoleAuth, GraphQLAnswer } from './api';
import {
  applyEvent,
  applyPlacedOrder,
  eventKey,
  placedEventOf,
  rowsFromOrders,
  rowsFromVendorOrders,
  type BoardRow,
  type ListedOrder,
  type ListedVendorOrder,
  type PlacedOrder,
  type StatusEvent,
} from './board-state';

type CognitoAuth = Extract<ConsoleAuth, { mode: 'AMAZON_COGNITO_USER_POOLS' }>;
type Role = 'customer' | 'vendor' | 'admin';

/** The fields of OrderStatusEvent the board would like; only those the schema has are asked for. */
const WANTED_EVENT_FIELDS = [
  'orderId',
  'status',
  'previousStatus',
  'vendorId',
  'vendorStatus',
  'vendorIds',
  'actor',
  'reason',
  'version',
  'at',
];

const ORDER_FIELDS = 'id status total currency createdAt version vendorOrders { vendorId status }';
/**
 * A new order, pushed by placeOrder itself (the app's onOrderPlaced, when its schema has it): subscribers
 * get the fields the placing request selected (a non-null one it left out comes as an error), so the
 * board's own placeOrder selects these too, and an order another client placed with less is re-listed.
 * It also selects customerId, which the customer's filter reads (without it only admins would hear).
 */
const PLACED_FIELDS = 'id status vendorIds total currency createdAt version';
const MY_ORDERS = `query ConsoleMyOrders { myOrders(limit: 20) { items { ${ORDER_FIELDS} } } }`;
const ALL_ORDERS = `query ConsoleOrders { orders(limit: 20) { items { ${ORDER_FIELDS} } } }`;
const VENDOR_ORDERS = `query ConsoleVendorOrders($vendorId: ID!) {
  vendorOrders(vendorId: $vendorId, limit: 20) { items { orderId vendorId status subtotal currency createdAt version } }
}`;
const PRODUCTS = `query ConsoleProducts { listProducts(limit: 100) { items { vendorId productId name price currency available } } }`;
const PLACE_ORDER = `mutation ConsolePlaceOrder($input: PlaceOrderInput!, $idempotencyKey: ID!) {
  placeOrder(input: $input, idempotencyKey: $idempotencyKey) { ${ORDER_FIELDS} customerId vendorIds }
}`;
const PAY = `mutation ConsolePay($input: ProcessPaymentInput!, $idempotencyKey: ID!) {
  processPayment(input: $input, idempotencyKey: $idempotencyKey) { orderId status }
}`;
const MOVE_PART = `mutation ConsoleMovePart($input: UpdateVendorOrderStatusInput!) {
  updateVendorOrderStatus(input: $input) { orderId vendorId status }
}`;

interface Product {
  readonly vendorId: string;
  readonly productId: string;
  readonly name: string;
  readonly price: number;
  readonly currency: string;
  readonly available: number;
}

/** Which board a user gets: admin before vendor before customer, as the API's group checks allow. */
export function roleOf(auth: CognitoAuth): Role | undefined {
  const groups = auth.claims.groups;
  if (groups.includes('admin')) return 'admin';
  if (groups.includes('vendor') && auth.claims.vendorId) return 'vendor';
  if (groups.includes('customer')) return 'customer';
  return undefined;
}

function firstError(answer: GraphQLAnswer): string | undefined {
  const error = answer.errors?.[0] as { message?: string; errorType?: string } | undefined;
  return error ? `${error.errorType ? `${error.errorType}: ` : ''}${error.message ?? ''}` : undefined;
}

function money(amount: number | undefined, currency: string | undefined): string {
  if (amount === undefined) return '';
  return `${(amount / 100).toFixed(2)} ${currency ?? ''}`.trim();
}

/** The event type's fields that the board wants and the schema has, found by introspection. */
async function subscriptionFields(api: ConsoleApi) {
  const answer = await api.request({
    query: `query ConsoleEventType { __schema { subscriptionType { fields { name type { name ofType { name } } } } } }`,
  });
  type Field = { name: string; type: { name: string | null; ofType: { name: string | null } | null } };
  const schema = answer.data?.['__schema'] as { subscriptionType?: { fields: Field[] } } | undefined;
  return schema?.subscriptionType?.fields ?? [];
}

async function eventSelection(api: ConsoleApi, subscriptionField: string): Promise<string> {
  const field = (await subscriptionFields(api)).find((f) => f.name === subscriptionField);
  const typeName = field?.type.name ?? field?.type.ofType?.name;
  if (!typeName) throw new Error(`the schema has no subscription ${subscriptionField}`);
  const type = await api.request({
    query: `query ConsoleEventFields($name: String!) { __type(name: $name) { fields { name } } }`,
    variables: { name: typeName },
  });
  const fields = (type.data?.['__type'] as { fields?: { name: string }[] } | undefined)?.fields ?? [];
  const present = new Set(fields.map((f) => f.name));
  return WANTED_EVENT_FIELDS.filter((name) => present.has(name)).join(' ');
}

/** The board for one signed-in user. */
export function OrderBoard({ api, auth }: { api: ConsoleApi; auth: CognitoAuth }) {
  const role = roleOf(auth);
  const vendorId = auth.claims.vendorId;
  const [rows, setRows] = useState<BoardRow[]>([]);
  const [events, setEvents] = useState<StatusEvent[]>([]);
  const [products, setProducts] = useState<Product[]>([]);
  const [live, setLive] = useState<'connecting' | 'live' | 'failed'>('connecting');
  const [message, setMessage] = useState<string>();

  const load = useCallback(async () => {
    const answer =
      role === 'vendor'
        ? await api.request({ query: VENDOR_ORDERS, variables: { vendorId } })
        : await api.request({ query: role === 'admin' ? ALL_ORDERS : MY_ORDERS });
    const error = firstError(answer);
    if (error) return setMessage(error);
    const connection = Object.values(answer.data ?? {})[0] as { items?: unknown[] } | undefined;
    const items = connection?.items ?? [];
    setRows(
      role === 'vendor'
        ? rowsFromVendorOrders(items as ListedVendorOrder[])
        : rowsFromOrders(items as ListedOrder[]),
    );
  }, [api, role, vendorId]);

  useEffect(() => {
    void load();
    void api.request({ query: PRODUCTS }).then((answer) => {
      const items = (answer.data?.['listProducts'] as { items?: Product[] } | undefined)?.items;
      setProducts(items ?? []);
    });
  }, [api, load]);

  // Subscribe once the products are known: an admin listens to every vendor's orders, since AppSync has
  // no "every order" subscription and every order has at least one vendor.
  const vendorIds = useMemo(() => [...new Set(products.map((p) => p.vendorId))].sort(), [products]);
  useEffect(() => {
    if (!role) return;
    if (role === 'admin' && vendorIds.length === 0) return;
    const field = role === 'customer' ? 'onMyOrdersChanged' : 'onVendorOrdersChanged';
    const targets = role === 'customer' ? [undefined] : role === 'vendor' ? [vendorId] : vendorIds;
    const seen = new Set<string>();
    const stops: (() => void)[] = [];
    let started = 0;
    let expected = targets.length;
    let cancelled = false;
    setLive('connecting');
    const placedPushed =
      role === 'vendor'
        ? Promise.resolve(false)
        : subscriptionFields(api).then((fields) => fields.some((f) => f.name === 'onOrderPlaced'));
    void Promise.all([eventSelection(api, field), placedPushed])
      .then(([selection, placed]) => {
        if (cancelled) return;
        if (placed) {
          // A new order is not an OrderStatusEvent: it comes as placeOrder's own answer (an Order).
          expected += 1;
          const subscription = api
            .execute(
              { query: `subscription ConsoleBoardPlaced { onOrderPlaced { ${PLACED_FIELDS} } }` },
              { onStarted },
            )
            .subscribe((answer) => {
              // An order placed without some of these fields: list the orders again instead.
              if (firstError(answer)) return void load();
              const order = answer.data?.['onOrderPlaced'] as PlacedOrder | null | undefined;
              if (!order?.id) return;
              const event = placedEventOf(order);
              const key = eventKey(event);
              if (seen.has(key)) return;
              seen.add(key);
              setRows((current) => applyPlacedOrder(current, order));
              setEvents((current) => [event, ...current].slice(0, 12));
            });
          stops.push(() => subscription.unsubscribe());
        }
        for (const target of targets) {
          const query = target
            ? `subscription ConsoleBoard($vendorId: ID!) { ${field}(vendorId: $vendorId) { ${selection} } }`
            : `subscription ConsoleBoard { ${field} { ${selection} } }`;
          const subscription = api
            .execute({ query, variables: target ? { vendorId: target } : {} }, { onStarted })
            .subscribe((answer) => {
              const error = firstError(answer);
              if (error) {
                setLive('failed');
                setMessage(error);
                return;
              }
              const event = Object.values(answer.data ?? {})[0] as StatusEvent | null | undefined;
              if (!event?.orderId) return;
              const key = eventKey(event);
              if (seen.has(key)) return;
              seen.add(key);
              setRows((current) => applyEvent(current, event));
              setEvents((current) => [event, ...current].slice(0, 12));
            });
          stops.push(() => subscription.unsubscribe());
        }
      })
      .catch((error: unknown) => {
        setLive('failed');
        setMessage((error as Error).message);
      });
    function onStarted() {
      started += 1;
      if (started === expected) setLive('live');
    }
    return () => {
      cancelled = true;
      stops.forEach((stop) => stop());
    };
  }, [api, role, vendorId, vendorIds, load]);

  const act = async (query: string, variables: Record<string, unknown>) => {
    setMessage(undefined);
    const answer = await api.request({ query, variables });
    const error = firstError(answer);
    if (error) setMessage(error);
    return answer;
  };

  if (!role) return <p className="board-note">This user is in no group the board knows.</p>;

  return (
    <section className="board" aria-label="Order board">
      <header className="board-header">
        <h2>
          {role === 'vendor' ? `Orders for ${vendorId}` : role === 'admin' ? 'All orders' : 'My orders'}
        </h2>
        <span className={`live live-${live}`} data-testid="board-live">
          {live === 'live' ? '● live' : live === 'connecting' ? '○ connecting' : '× not subscribed'}
        </span>
      </header>
      {role === 'customer' ? (
        <PlaceOrderForm
          products={products}
          onPlace={async (lines) => {
            const answer = await act(PLACE_ORDER, {
              input: { lines, shippingAddress: DEMO_ADDRESS },
              idempotencyKey: crypto.randomUUID(),
            });
            const order = answer.data?.['placeOrder'] as ListedOrder | undefined;
            // The event for PLACED may land before or after the answer; the version decides.
            if (order) {
              const [placed] = rowsFromOrders([order]);
              if (placed)
                setRows((current) =>
                  current.some((r) => r.orderId === placed.orderId) ? current : [placed, ...current],
                );
            }
          }}
        />
      ) : null}
      {message ? (
        <p className="board-error" role="alert">
          {message}
        </p>
      ) : null}
      <table className="orders" data-testid="board-orders">
        <thead>
          <tr>
            <th>Order</th>
            <th>Status</th>
            <th>Vendor parts</th>
            <th className="num">{role === 'vendor' ? 'Subtotal' : 'Total'}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={5} className="empty">
                No orders yet.
              </td>
            </tr>
          ) : null}
          {rows.map((row) => (
            <tr key={row.orderId} data-order-id={row.orderId}>
              <td className="mono" title={row.orderId}>
                {row.orderId.slice(-8)}
              </td>
              <td>
                <span className={`badge badge-${row.status ?? 'unknown'}`} data-testid="order-status">
                  {row.status ?? '—'}
                </span>
              </td>
              <td>
                {Object.entries(row.parts)
                  .sort(([a], [b]) => a.localeCompare(b))
                  .map(([vendor, status]) => (
                    <span key={vendor} className={`part badge-${status}`} data-vendor-id={vendor}>
                      {vendor}: {status}
                    </span>
                  ))}
              </td>
              <td className="num">{money(row.total, row.currency)}</td>
              <td className="actions">
                <RowActions row={row} role={role} vendorId={vendorId} act={act} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Recent events</h3>
      <ol className="events" data-testid="board-events">
        {events.length === 0 ? <li className="empty">Waiting for events…</li> : null}
        {events.map((event) => (
          <li key={eventKey(event)}>
            <time>{event.at ? new Date(event.at).toLocaleTimeString() : ''}</time>
            <span className="mono">{event.orderId.slice(-8)}</span>
            <span>
              {event.previousStatus ? `${event.previousStatus} → ` : ''}
              <b>{event.status ?? ''}</b>
            </span>
            {event.vendorId ? (
              <span className="part">
                {event.vendorId}: {event.vendorStatus ?? ''}
              </span>
            ) : null}
            <span className="actor">{event.actor ?? ''}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

const DEMO_ADDRESS = {
  name: 'Console Customer',
  line1: '1 Harbour Street',
  city: 'Tromsø',
  postalCode: '9008',
  country: 'NO',
};

function PlaceOrderForm({
  products,
  onPlace,
}: {
  products: readonly Product[];
  onPlace: (lines: { vendorId: string; productId: string; quantity: number }[]) => Promise<void>;
}) {
  const [picked, setPicked] = useState('');
  const [quantity, setQuantity] = useState(1);
  const [busy, setBusy] = useState(false);
  const product = products.find((p) => `${p.vendorId}/${p.productId}` === picked) ?? products[0];
  return (
    <form
      className="place-order"
      aria-label="Place an order"
      onSubmit={(e) => {
        e.preventDefault();
        if (!product) return;
        setBusy(true);
        void onPlace([{ vendorId: product.vendorId, productId: product.productId, quantity }]).finally(() =>
          setBusy(false),
        );
      }}
    >
      <select aria-label="Product" value={picked} onChange={(e) => setPicked(e.target.value)}>
        {products.map((p) => (
          <option key={`${p.vendorId}/${p.productId}`} value={`${p.vendorId}/${p.productId}`}>
            {p.name} · {p.vendorId} · {money(p.price, p.currency)} ({p.available} left)
          </option>
        ))}
      </select>
      <input
        aria-label="Quantity"
        type="number"
        min={1}
        max={100}
        value={quantity}
        onChange={(e) => setQuantity(Number(e.target.value))}
      />
      <button type="submit" disabled={busy || !product}>
        Place order
      </button>
    </form>
  );
}

const NEXT_PART_STATUS: Record<string, { status: string; label: string } | undefined> = {
  PENDING: { status: 'ACCEPTED', label: 'Accept' },
  ACCEPTED: { status: 'SHIPPED', label: 'Ship' },
  SHIPPED: { status: 'DELIVERED', label: 'Deliver' },
};

function RowActions({
  row,
  role,
  vendorId,
  act,
}: {
  row: BoardRow;
  role: Role;
  vendorId: string | undefined;
  act: (query: string, variables: Record<string, unknown>) => Promise<GraphQLAnswer>;
}) {
  if (role === 'customer' && (row.status === 'PLACED' || row.status === 'PAYMENT_FAILED')) {
    return (
      <button
        type="button"
        onClick={() =>
          void act(PAY, {
            input: { orderId: row.orderId, paymentToken: 'tok_success', method: 'CARD' },
            idempotencyKey: crypto.randomUUID(),
          })
        }
      >
        Pay
      </button>
    );
  }
  const part = vendorId ? row.parts[vendorId] : undefined;
  const next = part ? NEXT_PART_STATUS[part] : undefined;
  if (role === 'vendor' && vendorId && next) {
    return (
      <button
        type="button"
        onClick={() =>
          void act(MOVE_PART, {
            input: {
              orderId: row.orderId,
              vendorId,
              status: next.status,
              ...(next.status === 'SHIPPED'
                ? { tracking: { carrier: 'Local Post', trackingNumber: `LP${Date.now()}` } }
                : {}),
            },
          })
        }
      >
        {next.label}
      </button>
    );
  }
  return null;
}
