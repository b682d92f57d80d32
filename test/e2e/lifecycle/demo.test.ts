import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEndpointsFile } from '@orderloop/local/endpoints';
import { startLocalStack, type LocalStack } from '@orderloop/local/stack';
import { sharedDynamoDbOption } from '../support/shared-dynamodb.js';

/** Runs `npx tsx scripts/demo.ts` as a user would run `npm run demo`, with the given endpoints file. */
function runDemo(endpointsFile: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'scripts/demo.ts'], {
      cwd: process.cwd(),
      env: { ...process.env, ORDERLOOP_ENDPOINTS: endpointsFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run demo', () => {
  let stack: LocalStack;
  let dir: string;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, seed: true, quiet: true, dynamodb: sharedDynamoDbOption() });
    dir = mkdtempSync(join(tmpdir(), 'orderloop-demo-'));
    writeEndpointsFile(join(dir, 'endpoints.json'), stack.endpoints);
  });

  afterAll(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('drives a two-vendor order to COMPLETED against the running stack and prints each status as it arrives', async () => {
    // Prepare
    const endpointsFile = join(dir, 'endpoints.json');
    // Act
    const { code, stdout, stderr } = await runDemo(endpointsFile);
    // Assess
    expect(stderr).not.toContain('demo failed');
    expect(code).toBe(0);
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
  }, 180_000);

  it('fails with a message that says to start the stack when the endpoints file is missing', async () => {
    // Prepare
    const missing = join(dir, 'nothing-here.json');
    // Act
    const { code, stdout, stderr } = await runDemo(missing);
    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`No running local stack: ${missing} does not exist`);
    expect(stderr).toContain('npm start');
  }, 60_000);
});
