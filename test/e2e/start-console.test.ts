import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@orderloop/local/dynamodb/engine';
import type { LocalStackEndpoints } from '@orderloop/local/endpoints';
import { graphql, waitFor } from './support/clients.js';
import { isRunning } from '@orderloop/local/testing/processes';

const ROOT = resolve(import.meta.dirname, '../..');
// What one `npm run demo` printed on the console of `npm start` when this was filed (issue 9).
const LINES_BEFORE = 592;
/** The cost meter's summary line, printed on SIGUSR2 and on exit. */
const METER_LINE = /\[meter\] \$[\d.]+ so far: AppSync \d+ queries/;

/** Runs `npx tsx scripts/demo.ts` as `npm run demo` does, against the given endpoints file. */
function runDemo(endpointsFile: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn('npx', ['tsx', 'scripts/demo.ts'], {
      cwd: ROOT,
      env: { ...process.env, ORDERLOOP_ENDPOINTS: endpointsFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** `npm start` as a child process, its console, and a way to stop it as Ctrl-C does. */
async function startStack(state: string, port: number) {
  // What `npm start` runs, without npm itself: npm re-raises SIGINT on itself (status 130) by design.
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: ROOT,
    // The quick-compiler JVM, as the test tiers' engine: a JIT setting, the same engine and answers.
    env: {
      ...process.env,
      PORT: String(port),
      ORDERLOOP_STATE_DIR: state,
      ORDERLOOP_DYNAMODB_QUICK_START: '1',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  // The banner's last line: the lines before it are separate writes, which may reach this pipe in
  // separate chunks, so waiting for an earlier one could count the rest as the demo's output.
  await waitFor(() => /\(cost meter: /.test(output) || child.exitCode !== null, 'the ready banner', 240_000);
  if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
  return {
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT'); // Ctrl-C signals the whole group
      return exited;
    },
    kill() {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    },
  };
}

// One `npm start` for the file: each start boots a JVM, creates the tables on disk and seeds them, and
// what the tests below look at (the answers, the demo, the console, the stop) happen in one session of
// it anyway, in this order. The demo runs as a user runs it: `npm start`, then `npm run demo`.
describe('npm start as a child process', () => {
  let state: string;
  let port: number;
  let stack: Awaited<ReturnType<typeof startStack>>;
  /** Where the console stood when the demo started. */
  let consoleBefore = 0;

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), 'orderloop-console-'));
    port = await freePort();
    stack = await startStack(state, port);
  }, 300_000);

  afterAll(() => {
    stack?.kill();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  it('answers an API key caller on the printed endpoints and prints the cost meter on SIGUSR2', async () => {
    // Prepare
    const endpoints = JSON.parse(readFileSync(join(state, 'endpoints.json'), 'utf8')) as LocalStackEndpoints;
    // Act
    const answer = await graphql(
      endpoints,
      '{ listProducts { items { productId } } }',
      {},
      { 'x-api-key': endpoints.apiKey! },
    );
    // the cost meter answers on demand: SIGUSR2 to the node process alone (java would die of it)
    process.kill(stack.pid, 'SIGUSR2');
    await waitFor(() => METER_LINE.test(stack.output()), 'the meter line', 30_000);
    // Assess
    expect(endpoints.graphqlUrl).toBe(`http://127.0.0.1:${port}/graphql`);
    expect(answer.status).toBe(200);
    // The banner names the endpoints file where it was written, in ORDERLOOP_STATE_DIR.
    expect(stack.output()).toContain(`Endpoints   ${join(state, 'endpoints.json')}\n`);
  }, 60_000);

  it('runs npm run demo against it: a two-vendor order to COMPLETED, each status printed as it arrives', async () => {
    // Prepare
    consoleBefore = stack.output().length;
    // Act
    const { code, stdout, stderr } = await runDemo(join(state, 'endpoints.json'));
    // Assess
    expect(stderr).not.toContain('demo failed');
    expect(code, stderr).toBe(0);
    const orderLines = stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d{3} {2}[A-Z_]+ +v\d+$/.test(l));
    // PAYMENT_PENDING is not pushed: the demo's own processPayment answered it (domain/audience.ts)
    expect(orderLines.map((l) => l.split(/\s+/)[1])).toEqual([
      'PLACED',
      'PAID',
      'FULFILLING',
      'SHIPPED',
      'DELIVERED',
      'COMPLETED',
    ]);
    for (const vendorId of ['v-aurora', 'v-borealis']) {
      const parts = stdout.split('\n').filter((l) => l.includes(`vendor ${vendorId}:`));
      // A part is PENDING from placement, which the PLACED event announces: its first own event is ACCEPTED.
      expect(parts.map((l) => l.split(': ')[1])).toEqual(['ACCEPTED', 'SHIPPED', 'DELIVERED']);
    }
    expect(stdout).toMatch(/order \w+ COMPLETED\n$/);
  }, 300_000);

  it('printed one short line per request, event and invocation during the demo, no errors, stops cleanly on SIGINT without leaving DynamoDB Local behind, and keeps function logs in files', async () => {
    // Prepare
    const javaPid = Number(/DynamoDB Local \(pid (\d+)\)/.exec(stack.output())?.[1]);
    // Act
    const code = await stack.stop();
    // Assess
    expect(code).toBe(0);
    expect(stack.output()).toContain('stopped.');
    expect(stack.output().match(new RegExp(METER_LINE, 'g'))).toHaveLength(2); // on demand and on exit
    expect(javaPid).toBeGreaterThan(0);
    expect(isRunning(javaPid)).toBe(false);
    expect(consoleBefore).toBeGreaterThan(0); // the demo ran
    const lines = stack
      .output()
      .slice(consoleBefore)
      .split('\n')
      // The stop lines and the cost meter's one summary line on exit are part of a clean stop.
      .filter((l) => l !== '' && !/^(SIGINT: stopping|stopped\.|\[meter\] \$[\d.]+ so far: )/.test(l));
    expect(lines.filter((l) => /\bERROR\b|Error:|Missing AWS Lambda trace data/.test(l))).toEqual([]);
    const notSummaries = lines.filter((l) => !/^\d\d:\d\d:\d\d\.\d{3} (http |λ |event|\[pipe )/.test(l));
    expect(notSummaries).toEqual([]);
    expect(lines.filter((l) => l.length > 200)).toEqual([]);
    expect(lines.length).toBeLessThan(LINES_BEFORE / 2);
    expect(lines.some((l) => /http +customer@orderloop\.local {2}placeOrder {2}200 \d+ ms$/.test(l))).toBe(
      true,
    );
    expect(lines.some((l) => /λ +PaymentConsumerFunction {2}invoke {2}ok \d+ ms$/.test(l))).toBe(true);

    const logs = join(state, 'logs');
    const files = readdirSync(logs);
    for (const fn of [
      'StreamEnricher',
      'PaymentConsumerFunction',
      'InventoryConsumerFunction',
      'NotificationConsumerFunction',
    ]) {
      const file = files.find((f) => f.includes(fn));
      expect(file, `${fn} has a log file in ${logs}: ${files.join(', ')}`).toBeDefined();
      const text = readFileSync(join(logs, file!), 'utf8');
      expect(text).toMatch(/^REPORT RequestId: \S+\tDuration: /m);
      const entries = text
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      // The functions log at WARN (infra/constructs/lambda-defaults.ts logLevelOf): a demo that goes
      // well logs no Powertools INFO or DEBUG line, only the runtime's lines and, for the consumers,
      // Powertools metrics (EMF) with their service
      expect(entries.filter((e) => e.level === 'INFO' || e.level === 'DEBUG')).toEqual([]);
      if (fn !== 'StreamEnricher') {
        expect(entries.some((e) => typeof e._aws === 'object' && typeof e.service === 'string')).toBe(true);
      }
      expect(text).not.toContain('Missing AWS Lambda trace data');
    }
  }, 120_000);
});
