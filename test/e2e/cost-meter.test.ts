import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dollarsOf, type Dimension, type MeterReading } from '@orderloop/local/meter';
import { BASE } from './support/cost-scenarios.js';
import { getProduct } from './support/orders.js';
import { startScenarioStack, type ScenarioStack } from './support/scenario-stack.js';

/** The breakdown entries of one dimension whose label starts with `prefix`, summed. */
const sumOf = (reading: MeterReading, dimension: Dimension, prefix = '') =>
  Object.entries(reading.details)
    .filter(([key]) => key.startsWith(`${dimension} ${prefix}`))
    .reduce((sum, [, units]) => sum + units, 0);

describe('the cost meter over the real local chain', () => {
  let ctx: ScenarioStack;

  beforeAll(async () => {
    ctx = await startScenarioStack();
    await ctx.stack.idle();
  });

  afterAll(async () => {
    await ctx?.stack.stop();
  });

  it('counts what one base order does: two customer mutations, the relays, one delivery per push, the writes', async () => {
    // Prepare
    ctx.stack.meter.reset();
    // Act
    const { delivered } = await BASE.run(ctx.stack, ctx.users);
    const reading = ctx.stack.meter.read();
    // Assess: the customer made exactly two billable calls, and every other mutation is an IAM relay
    expect(sumOf(reading, 'appsync.mutation', 'AMAZON_COGNITO_USER_POOLS')).toBe(2);
    expect(reading.details['appsync.mutation AMAZON_COGNITO_USER_POOLS placeOrder']).toBe(1);
    expect(reading.details['appsync.mutation AMAZON_COGNITO_USER_POOLS processPayment']).toBe(1);
    const relays = sumOf(reading, 'appsync.mutation', 'AWS_IAM');
    expect(relays).toBeGreaterThan(0);
    expect(reading.totals['appsync.mutation']).toBe(2 + relays);
    // one 5 KB real-time unit per event the one subscriber received (status events are far below 5 KB)
    expect(delivered).toBeGreaterThan(0);
    expect(reading.details['appsync.realtimeUpdate onOrderStatusChanged']).toBe(delivered);
    expect(reading.totals['appsync.connectionMinute']).toBe(1);
    // the placement transaction wrote at least two units per item, as transactions do
    const transactItems = reading.details['unpriced dynamodb.transactWriteItems items'] ?? 0;
    const transactUnits = Object.entries(reading.details)
      .filter(([key]) => /^dynamodb\.writeRequestUnit [^/ ]+ TransactWriteItems$/.test(key))
      .reduce((sum, [, units]) => sum + units, 0);
    expect(transactItems).toBeGreaterThan(0);
    expect(transactUnits).toBeGreaterThanOrEqual(2 * transactItems);
    expect(transactUnits % 2).toBe(0);
    // and the events half ran: stream reads with records, pipe requests, bus events, Lambda, logs
    for (const dimension of [
      'dynamodb.streamReadRequest',
      'pipes.request',
      'eventbridge.event',
      'lambda.request',
      'lambda.gbSecondArm',
      'logs.ingestedByte',
    ] as const)
      expect(reading.totals[dimension], dimension).toBeGreaterThan(0);
    expect(reading.totals['lambda.gbSecondX86'] ?? 0).toBe(0); // every function is arm64 (lambda-defaults.ts)
  }, 120_000);

  it('meters the AppSync data sources in process: their client calls DynamoDB Local itself, and a GetItem still counts', async () => {
    // Prepare
    await ctx.stack.idle();
    const endpoint = new URL(ctx.stack.appsyncDynamodbClient.endpoint);
    ctx.stack.meter.reset();
    // Act: getProduct is one eventually consistent GetItem of a small item
    await getProduct(ctx.users.customer, 'v-aurora', 'p-headlamp');
    const reading = ctx.stack.meter.read();
    // Assess: no proxy in the path, and half a read unit for the GetItem (AWS: 4 KB per unit, halved)
    expect(endpoint && `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`).toBe(
      ctx.stack.dynamodb.endpoint,
    );
    const getItems = Object.entries(reading.details).filter(([key]) =>
      /^dynamodb\.readRequestUnit [^/ ]+ GetItem$/.test(key),
    );
    expect(getItems).toHaveLength(1);
    expect(getItems[0]?.[1]).toBe(0.5);
    expect(reading.totals['dynamodb.readRequestUnit']).toBe(0.5);
  });

  it('serves the live totals as JSON on the gateway, to GET only', async () => {
    // Prepare
    const url = new URL('/_orderloop/meter', ctx.stack.endpoints.graphqlUrl).toString();
    // Act
    const body = (await (await fetch(url)).json()) as {
      dollars: number;
      dimensions: { dimension: Dimension; units: number; dollars: number }[];
    };
    const posted = await fetch(url, { method: 'POST' });
    // Assess
    const reading = ctx.stack.meter.read();
    for (const row of body.dimensions) {
      expect(row.units, row.dimension).toBeCloseTo(reading.totals[row.dimension] ?? 0, 6);
      expect(row.dollars, row.dimension).toBeCloseTo(dollarsOf(row.dimension, row.units), 12);
    }
    expect(body.dollars).toBeCloseTo(
      body.dimensions.reduce((sum, r) => sum + r.dollars, 0),
      12,
    ); // the invariant
    expect(posted.status).toBe(405);
  });
});
