/**
 * The browser console at `/`, driven in headless Chromium (Debian's `chromium`, which .ci/run installs)
 * as a person would use it: sign in as a user of the pool, run a query and a subscription in GraphiQL,
 * place and pay an order from the board, and watch the board follow the events. A screenshot of the
 * run is kept in test-results/console.png.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole } from '@orderloop/local/console';
import { line, orderReaches, pay, placedOrder } from './support/orders.js';
import { startScenarioStack, type ScenarioStack } from './support/scenario-stack.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CHROMIUM = process.env.ORDERLOOP_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT = join(ROOT, 'test-results', 'console.png');

/** Chromium with nothing of its own going on: no GPU, no QUIC, no first-run, update or sync traffic. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Replaces the GraphiQL query editor's text and runs it, as typing and Ctrl-Enter would. */
async function runInGraphiQL(page: Page, query: string): Promise<void> {
  await page.locator('.graphiql-query-editor .monaco-editor').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // insertText, not type: Monaco would otherwise auto-close every brace typed.
  await page.keyboard.insertText(query);
  // GraphiQL's prettify lays the one-line query out over several, for the reader of the screenshot.
  await page.getByRole('button', { name: /^Prettify query/ }).click();
  await page.locator('.graphiql-query-editor .view-line').nth(1).waitFor();
  // Back in the editor, to its first column: the one-line query had scrolled it sideways.
  await page.locator('.graphiql-query-editor .monaco-editor').click();
  await page.keyboard.press('Control+Home');
  await page.locator('.graphiql-execute-button').click();
}

/**
 * Waits until GraphiQL's response pane shows the text, compared without white space: Monaco wraps long
 * strings onto indented lines and renders spaces as no-break spaces. A failure says what it shows instead.
 */
async function responseShows(page: Page, text: string): Promise<void> {
  const compact = (value: string | null) => (value ?? '').replace(/\s+/g, '');
  const shown = () => page.locator('.graphiql-response').textContent();
  await expect
    .poll(async () => compact(await shown()), {
      timeout: 30_000,
      message: `GraphiQL's response never showed ${text}`,
    })
    .toContain(compact(text));
}

/** The board's status badge of one order. */
const orderStatus = (page: Page, orderId: string) =>
  page.locator(`[data-testid="board-orders"] tr[data-order-id="${orderId}"] [data-testid="order-status"]`);

describe('the browser console at /', () => {
  let ctx: ScenarioStack;
  let browser: BrowserContext;
  let userDataDir: string;
  let base: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`no Chromium at ${CHROMIUM}: run .ci/run, or apt-get install -y chromium`);
    // The bundle is what `npm start`'s first page load would build; built here, beside the stack's start,
    // so no page load waits for it.
    const building = buildConsole({ root: ROOT });
    building.catch(() => undefined); // awaited below, once the stack is there for afterAll to stop
    ctx = await startScenarioStack();
    await building;
    base = `http://localhost:${ctx.stack.port}`;
    userDataDir = mkdtempSync(join(tmpdir(), 'orderloop-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1600, height: 900 },
    });
  });

  afterAll(async () => {
    await browser?.close();
    await ctx?.stack.stop();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('signs in, queries, subscribes, places and pays an order, and the board follows the events', async () => {
    // Prepare: given the console is open, it loads the schema with the API key
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${base}/`);
    await page.locator('.graphiql-container').waitFor();
    await runInGraphiQL(page, '{ listProducts(limit: 2) { items { vendorId name } } }');
    await responseShows(page, '"listProducts"');

    // Act: when the customer signs in from the page
    await page.getByLabel('Username').fill('customer@orderloop.local');
    await page.getByLabel('Password').fill('Orderloop!2026');
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Assess: then the board is the customer's and listens live
    await page.getByTestId('auth-mode').filter({ hasText: 'customer@orderloop.local' }).waitFor();
    await page.getByRole('heading', { name: 'My orders' }).waitFor();
    await page.getByTestId('board-live').filter({ hasText: 'live' }).waitFor();

    // and GraphiQL documents the schema: the Query type's fields with their descriptions
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().click();
    await page.locator('.graphiql-doc-explorer').getByText("The caller's orders, newest first.").waitFor();

    // and completes field names from the schema in the editor (Monaco's GraphQL worker)
    await page.locator('.graphiql-query-editor .monaco-editor').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('{ myOrd');
    await page.keyboard.press('Control+Space');
    await page.locator('.suggest-widget').getByText('myOrders').first().waitFor();
    await page.keyboard.press('Escape');

    // and runs the customer's query with the ID token
    await runInGraphiQL(page, 'query Mine { myOrders(limit: 5) { items { id status } } }');
    await responseShows(page, '"myOrders"');

    // Act: when GraphiQL subscribes to the customer's new orders (placeOrder's own answer is the push)
    const before = ctx.stack.appsync.activeSubscriptions();
    await runInGraphiQL(page, 'subscription Live { onOrderPlaced { id customerId status } }');
    await expect
      .poll(() => ctx.stack.appsync.activeSubscriptions(), { timeout: 20_000 })
      .toBeGreaterThan(before);

    // and the customer places an order from the board
    await page.getByLabel('Product').selectOption('v-aurora/p-headlamp');
    await page.getByRole('button', { name: 'Place order' }).click();
    const row = page.locator('[data-testid="board-orders"] tr[data-order-id]').first();
    await row.waitFor();
    const orderId = String(await row.getAttribute('data-order-id'));

    // Assess: then the new order reaches both GraphiQL's subscription and the board's events
    await responseShows(page, orderId);
    await page
      .getByTestId('board-events')
      .filter({ hasText: orderId.slice(-8) })
      .waitFor();
    expect(await orderStatus(page, orderId).textContent()).toBe('PLACED');

    // Act: when the customer pays from the board
    await row.getByRole('button', { name: 'Pay' }).click();

    // Assess: then the order's status on the board moves with the PAID event (PAYMENT_PENDING is not
    // pushed: the board's own processPayment answered it, domain/audience.ts)
    await orderStatus(page, orderId)
      .filter({ hasText: /^PAID$/ })
      .waitFor({ timeout: 30_000 });
    const events = page
      .getByTestId('board-events')
      .locator('li')
      .filter({ hasText: orderId.slice(-8) });
    await events
      .locator('b', { hasText: /^PAID$/ })
      .first()
      .waitFor();
    expect(await events.locator('b', { hasText: /^PAYMENT_PENDING$/ }).count()).toBe(0);

    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(pageErrors).toEqual([]);
  }, 150_000);

  it('shows a vendor its part of a paid order and moves it when the vendor accepts', async () => {
    // Prepare: given a paid order with an Aurora line, placed and paid through the API
    const { customer } = ctx.users;
    const order = await placedOrder(customer, [line('v-aurora', 'p-parka', 1)]);
    await pay(customer, order.id, 'tok_success');
    await orderReaches(customer, order.id, 'PAID');
    const page = await browser.newPage();
    await page.goto(`${base}/`);

    // Act: when the Aurora vendor signs in and accepts its part on the board
    await page.getByLabel('Username').fill('aurora@orderloop.local');
    await page.getByLabel('Password').fill('Orderloop!2026');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Orders for v-aurora' }).waitFor();
    await page.getByTestId('board-live').filter({ hasText: 'live' }).waitFor();
    const row = page.locator(`[data-testid="board-orders"] tr[data-order-id="${order.id}"]`);
    await row.getByRole('button', { name: 'Accept' }).click();

    // Assess: then the events move the part to ACCEPTED and show the order FULFILLING
    await row.locator('[data-vendor-id="v-aurora"]').filter({ hasText: 'ACCEPTED' }).waitFor();
    await orderStatus(page, order.id).filter({ hasText: 'FULFILLING' }).waitFor();
  }, 90_000);

  it("shows an admin every vendor's orders and follows a new one to PAID", async () => {
    // Prepare: given the admin's board is live
    const { customer } = ctx.users;
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('Username').fill('admin@orderloop.local');
    await page.getByLabel('Password').fill('Orderloop!2026');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'All orders' }).waitFor();
    await page.getByTestId('board-live').filter({ hasText: 'live' }).waitFor();

    // Act: when a customer places a two-vendor order and pays it
    const order = await placedOrder(customer, [
      line('v-aurora', 'p-thermos', 1),
      line('v-borealis', 'p-espresso', 1),
    ]);
    await pay(customer, order.id, 'tok_success');

    // Assess: then the admin's board shows the new order, both parts and its PAID status, from events
    const row = page.locator(`[data-testid="board-orders"] tr[data-order-id="${order.id}"]`);
    await orderStatus(page, order.id)
      .filter({ hasText: /^PAID$/ })
      .waitFor({ timeout: 30_000 });
    expect(
      await row.locator('[data-vendor-id]').evaluateAll((parts) => parts.map((p) => p.dataset['vendorId'])),
    ).toEqual(['v-aurora', 'v-borealis']);
  }, 90_000);

  it('calls the API with the local IAM keys, signed with SigV4 in the browser', async () => {
    // Prepare: given the console is open
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.locator('.graphiql-container').waitFor();

    // Act: when the IAM keys are chosen and an IAM-only field's neighbour is read
    await page.getByRole('button', { name: 'IAM keys' }).click();
    await page.getByTestId('auth-mode').filter({ hasText: 'IAM' }).waitFor();
    await runInGraphiQL(page, '{ getProduct(vendorId: "v-aurora", productId: "p-headlamp") { name } }');

    // Assess: then AppSync accepts the signature
    await responseShows(page, 'Aurora headlamp');
  }, 60_000);

  it('refuses the page to a Host that is not a loopback name', async () => {
    // Act: when a page reached through another DNS name asks for the console
    const res = await new Promise<{ status: number; body: string }>((done, fail) => {
      get({ host: '127.0.0.1', port: ctx.stack.port, path: '/', headers: { host: 'evil.example' } }, (r) => {
        let body = '';
        r.on('data', (chunk: Buffer) => (body += chunk.toString()));
        r.on('end', () => done({ status: r.statusCode ?? 0, body }));
      }).on('error', fail);
    });

    // Assess: then it gets no page, so the keys and passwords in it stay local
    expect(res.status).toBe(403);
    expect(res.body).not.toContain('Orderloop!2026');
  });
});
