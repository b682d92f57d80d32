import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '@orderloop/local/dynamodb/engine';
import { waitFor } from './support/clients.js';

const ROOT = resolve(import.meta.dirname, '../..');
// What one `npm run demo` printed on the console of `npm start` when this was filed (issue 9).
const LINES_BEFORE = 592;

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
async function startStack(state: string) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), ORDERLOOP_STATE_DIR: state },
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
    output: () => output,
    async stop() {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
      return exited;
    },
    kill() {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    },
  };
}

describe('the console of npm start during npm run demo', () => {
  it('prints one short line per request, event and invocation, no errors, and keeps function logs in files', async () => {
    // Prepare
    const state = mkdtempSync(join(tmpdir(), 'orderloop-console-'));
    const stack = await startStack(state);
    try {
      const before = stack.output().length;
      // Act
      const demo = await runDemo(join(state, 'endpoints.json'));
      const code = await stack.stop();
      // Assess
      expect(demo.code, demo.stderr).toBe(0);
      expect(code).toBe(0);
      const lines = stack
        .output()
        .slice(before)
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
    } finally {
      stack.kill();
      rmSync(state, { recursive: true, force: true });
    }
  }, 400_000);
});
