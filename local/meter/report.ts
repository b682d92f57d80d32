/**
 * Readings turned into dollars: a table per scenario (units and dollars per order and per 1,000,000
 * orders, by service), a one-line summary for the console, and the JSON the live endpoint serves.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dollarsOf, PRICES, type Dimension } from './prices.js';
import type { CostMeter, MeterReading } from './meter.js';

/** One priced row. */
export interface CostRow {
  readonly dimension: Dimension;
  readonly service: string;
  readonly unit: string;
  readonly units: number;
  readonly dollars: number;
}

/** Priced rows of a reading, in the price table's order. */
export function price(reading: MeterReading): CostRow[] {
  return (Object.keys(PRICES) as Dimension[])
    .filter((d) => (reading.totals[d] ?? 0) > 0)
    .map((d) => {
      const units = reading.totals[d] ?? 0;
      return {
        dimension: d,
        service: PRICES[d].service,
        unit: PRICES[d].unit,
        units,
        dollars: dollarsOf(d, units),
      };
    });
}

/** The dollars of a whole reading. */
export function totalDollars(reading: MeterReading): number {
  return price(reading).reduce((sum, r) => sum + r.dollars, 0);
}

const MILLION = 1_000_000;

/** The table of one scenario: per order and per 1,000,000 orders, by dimension, with service subtotals. */
export function formatScenario(name: string, reading: MeterReading, orders: number, topDetails = 12): string {
  const rows = price(reading);
  const lines: string[] = [];
  const total = rows.reduce((s, r) => s + r.dollars, 0);
  lines.push(
    `scenario ${name}: ${orders} orders, $${fmt((total / orders) * MILLION, 2)} per 1,000,000 orders`,
  );
  lines.push('');
  lines.push(
    `| ${'service'.padEnd(18)} | ${'unit'.padEnd(34)} | ${'units/order'.padStart(12)} | ${'$/order'.padStart(12)} | ${'$/1M orders'.padStart(11)} |`,
  );
  lines.push(
    `|${'-'.repeat(20)}|${'-'.repeat(36)}|${'-'.repeat(13)}:|${'-'.repeat(13)}:|${'-'.repeat(12)}:|`,
  );
  const services = [...new Set(rows.map((r) => r.service))];
  for (const service of services) {
    const own = rows.filter((r) => r.service === service);
    for (const r of own)
      lines.push(
        `| ${service.padEnd(18)} | ${r.unit.padEnd(34)} | ${fmt(r.units / orders, 3).padStart(12)} | ${fmt(r.dollars / orders, 8).padStart(12)} | ${fmt((r.dollars / orders) * MILLION, 2).padStart(11)} |`,
      );
  }
  lines.push(
    `| ${'**total**'.padEnd(18)} | ${''.padEnd(34)} | ${''.padStart(12)} | ${fmt(total / orders, 8).padStart(12)} | ${fmt((total / orders) * MILLION, 2).padStart(11)} |`,
  );
  lines.push('');
  lines.push(
    'by service ($ per 1M orders): ' +
      services
        .map(
          (s) =>
            `${s} ${fmt((rows.filter((r) => r.service === s).reduce((a, r) => a + r.dollars, 0) / orders) * MILLION, 2)}`,
        )
        .join(', '),
  );
  const priced = Object.entries(reading.details)
    .map(([key, units]) => {
      const [dimension] = key.split(' ') as [Dimension];
      const dollars = dimension in PRICES ? dollarsOf(dimension, units) : 0;
      return { key, units, dollars };
    })
    .sort((a, b) => b.dollars - a.dollars);
  lines.push('', `where it goes (top ${topDetails}, per order):`);
  for (const d of priced.filter((p) => p.dollars > 0).slice(0, topDetails))
    lines.push(
      `  ${fmt((d.dollars / orders) * MILLION, 2).padStart(8)} $/1M  ${fmt(d.units / orders, 3).padStart(9)} × ${d.key}`,
    );
  for (const d of priced.filter((p) => p.key.startsWith('unpriced ')))
    lines.push(
      `  ${'-'.padStart(8)}       ${fmt(d.units / orders, 3).padStart(9)} × ${d.key.slice('unpriced '.length)}`,
    );
  return lines.join('\n');
}

/** One line for the console: units that matter and the dollars so far. */
export function summaryLine(reading: MeterReading): string {
  const t = reading.totals;
  const n = (d: Dimension) => fmt(t[d] ?? 0, 0);
  return (
    `[meter] $${fmt(totalDollars(reading), 6)} so far: AppSync ${n('appsync.query')} queries, ${n('appsync.mutation')} mutations, ` +
    `${n('appsync.realtimeUpdate')} real-time updates; DynamoDB ${fmt(t['dynamodb.writeRequestUnit'] ?? 0, 1)} WRU, ` +
    `${fmt(t['dynamodb.readRequestUnit'] ?? 0, 1)} RRU; ${n('eventbridge.event')} events, ${n('pipes.request')} pipe requests, ` +
    `${n('lambda.request')} Lambda requests, ${n('sqs.request')} SQS, ${n('sns.request')} SNS, ` +
    `${fmt((t['logs.ingestedByte'] ?? 0) / 1024, 1)} KB of logs`
  );
}

/** The live reading as JSON: units, dollars per dimension and the breakdown. */
export function meterJson(reading: MeterReading) {
  return {
    region: 'us-east-1',
    pricing: 'on-demand, no free tier',
    dollars: totalDollars(reading),
    dimensions: price(reading),
    details: reading.details,
  };
}

/** `GET /_orderloop/meter`: the totals since start, for loopback callers only. */
export function createMeterHandler(meter: CostMeter, path = '/_orderloop/meter') {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (new URL(req.url ?? '/', 'http://local').pathname !== path) return false;
    const from = req.socket.remoteAddress ?? '';
    if (!isLoopback(from)) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'the meter answers loopback callers only' }));
      return true;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'application/json', allow: 'GET' });
      res.end(JSON.stringify({ message: `${req.method ?? ''} is not allowed; use GET` }));
      return true;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(meterJson(meter.read())));
    return true;
  };
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function fmt(n: number, digits: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
