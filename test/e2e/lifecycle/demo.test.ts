import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

// The demo's run against a stack is checked where it runs as a user runs it, against `npm start`
// (test/e2e/start-console.test.ts, with npm start's console during it); here, the demo without a stack.
describe('npm run demo', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'orderloop-demo-'));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

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
