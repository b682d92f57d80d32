/**
 * orderloop's demo data for the local runtime (`seed` in orderloop.local.ts): two vendors, a small
 * catalog and one user per role. Products go in through
 * the GraphQL API as an admin (`updateInventory`), so the real resolver writes them and the stream sees
 * the same records a vendor's edit would produce. Everything is idempotent across restarts.
 */
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '@orderloop/local/aws-ids';
import type { SeedContext } from '@orderloop/local/config';
import type { EndpointsUser } from '@orderloop/local/endpoints';

/** The password of every demo user; it meets the pool's policy (12+ chars, upper, lower, digit, symbol). */
export const DEMO_PASSWORD = 'Orderloop!2026';

/** The demo vendors. */
export const DEMO_VENDORS = [
  { vendorId: 'v-aurora', name: 'Aurora Outfitters' },
  { vendorId: 'v-borealis', name: 'Borealis Coffee Roasters' },
] as const;

/** The demo users, one per role, plus a second customer to show isolation between customers. */
export const DEMO_USERS: readonly EndpointsUser[] = [
  { username: 'customer@orderloop.local', password: DEMO_PASSWORD, groups: ['customer'] },
  { username: 'customer2@orderloop.local', password: DEMO_PASSWORD, groups: ['customer'] },
  { username: 'aurora@orderloop.local', password: DEMO_PASSWORD, groups: ['vendor'], vendorId: 'v-aurora' },
  {
    username: 'borealis@orderloop.local',
    password: DEMO_PASSWORD,
    groups: ['vendor'],
    vendorId: 'v-borealis',
  },
  { username: 'admin@orderloop.local', password: DEMO_PASSWORD, groups: ['admin'] },
];

/** One catalog entry, in the shape of UpdateInventoryInput. */
export interface DemoProduct {
  readonly vendorId: string;
  readonly productId: string;
  readonly name: string;
  /** Minor units. */
  readonly price: number;
  readonly currency: 'EUR' | 'USD' | 'GBP';
  readonly available: number;
  readonly lowStockThreshold: number;
}

/** The demo catalog; one product starts near its low-stock threshold so the low-stock path is easy to show. */
export const DEMO_PRODUCTS: readonly DemoProduct[] = [
  {
    vendorId: 'v-aurora',
    productId: 'p-headlamp',
    name: 'Aurora headlamp',
    price: 3490,
    currency: 'EUR',
    available: 40,
    lowStockThreshold: 5,
  },
  {
    vendorId: 'v-aurora',
    productId: 'p-parka',
    name: 'Polar parka',
    price: 18900,
    currency: 'EUR',
    available: 12,
    lowStockThreshold: 3,
  },
  {
    vendorId: 'v-aurora',
    productId: 'p-thermos',
    name: 'Steel thermos 1 l',
    price: 2590,
    currency: 'EUR',
    available: 6,
    lowStockThreshold: 5,
  },
  {
    vendorId: 'v-borealis',
    productId: 'p-espresso',
    name: 'Borealis espresso beans 1 kg',
    price: 2890,
    currency: 'EUR',
    available: 100,
    lowStockThreshold: 10,
  },
  {
    vendorId: 'v-borealis',
    productId: 'p-filter',
    name: 'Nordic filter roast 500 g',
    price: 1490,
    currency: 'EUR',
    available: 60,
    lowStockThreshold: 10,
  },
  {
    vendorId: 'v-borealis',
    productId: 'p-grinder',
    name: 'Hand grinder',
    price: 7900,
    currency: 'EUR',
    available: 8,
    lowStockThreshold: 2,
  },
];

/** Where the running stack is, plus the catalog to write. */
export interface SeedCatalogOptions extends Pick<SeedContext, 'graphqlUrl' | 'cognitoEndpoint' | 'clientId'> {
  /** @default DEMO_PRODUCTS */
  readonly products?: readonly DemoProduct[];
}

/** How many products were created and how many were already there. */
export interface SeedCatalogResult {
  readonly created: number;
  readonly existing: number;
}

const GET_PRODUCT = 'query ($v: ID!, $p: ID!) { getProduct(vendorId: $v, productId: $p) { productId } }';
const UPDATE_INVENTORY =
  'mutation ($input: UpdateInventoryInput!) { updateInventory(input: $input) { productId version } }';

/**
 * Creates the catalog products that do not exist yet, signed in as the demo admin. Existing products are
 * left alone, so stock and prices changed during a demo survive a restart.
 */
export async function seedCatalog(options: SeedCatalogOptions): Promise<SeedCatalogResult> {
  const admin = DEMO_USERS.find((u) => u.groups.includes('admin'))!;
  const cognito = new CognitoIdentityProviderClient({
    region: LOCAL_REGION,
    endpoint: options.cognitoEndpoint,
    credentials: LOCAL_CREDENTIALS,
  });
  const auth = await cognito.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: options.clientId,
      AuthParameters: { USERNAME: admin.username, PASSWORD: admin.password },
    }),
  );
  cognito.destroy();
  const token = auth.AuthenticationResult?.IdToken;
  if (!token) throw new Error(`seed: the demo admin ${admin.username} could not sign in`);

  const call = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(options.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: token },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as {
      data?: Record<string, unknown> | null;
      errors?: { message: string }[];
    };
    // A GraphQL error in an HTTP 200 answer is still a failure.
    if (res.status !== 200 || body.errors?.length) {
      throw new Error(`seed: ${query.split('(')[0]!.trim()} failed: ${JSON.stringify(body.errors ?? body)}`);
    }
    return body.data ?? {};
  };

  let created = 0;
  let existing = 0;
  for (const product of options.products ?? DEMO_PRODUCTS) {
    const found = await call(GET_PRODUCT, { v: product.vendorId, p: product.productId });
    if (found['getProduct']) {
      existing++;
      continue;
    }
    await call(UPDATE_INVENTORY, { input: product });
    created++;
  }
  return { created, existing };
}
