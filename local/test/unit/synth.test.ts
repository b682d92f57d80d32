import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureSynth, staleReason } from '../../synth.js';

/** The app's synth configuration, as orderloop.local.ts gives it. */
const APP = { app: 'infra/app.ts', sources: ['schema.graphql', 'functions', 'infra'] };

/** Writes a file with a given modification time (seconds since the epoch). */
function file(path: string, mtime: number, text = 'x'): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  utimesSync(path, mtime, mtime);
}

describe('the synth freshness check', () => {
  let root: string;

  beforeEach(() => {
    // Prepare: a repository whose sources are older than its cdk.out
    root = mkdtempSync(join(tmpdir(), 'orderloop-synth-'));
    file(join(root, 'schema.graphql'), 1_000);
    file(join(root, 'functions', 'payment', 'handler.ts'), 1_000);
    file(join(root, 'cdk.out', 'manifest.json'), 2_000);
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reuses cdk.out when every source is older than its manifest', async () => {
    // Act
    const lines: string[] = [];
    const result = await ensureSynth({ root, app: APP, log: (line) => lines.push(line) });
    // Assess
    expect(result.synthesized).toBe(false);
    expect(lines).toEqual(['[synth] cdk.out is up to date, reusing it']);
  });

  it('names the source that changed after the last synth', () => {
    // Prepare
    file(join(root, 'functions', 'payment', 'logic.ts'), 3_000);
    // Act
    const reason = staleReason(root, join(root, 'cdk.out'), APP.sources);
    // Assess
    expect(reason).toBe(`${join('functions', 'payment', 'logic.ts')} changed since the last synth`);
  });

  it('ignores node_modules under a source folder', () => {
    // Prepare
    file(join(root, 'infra', 'node_modules', 'dep', 'index.js'), 3_000);
    // Act
    const reason = staleReason(root, join(root, 'cdk.out'), APP.sources);
    // Assess
    expect(reason).toBeUndefined();
  });

  it('reports a missing cdk.out as stale', () => {
    // Prepare
    rmSync(join(root, 'cdk.out'), { recursive: true });
    // Act
    const reason = staleReason(root, join(root, 'cdk.out'), APP.sources);
    // Assess
    expect(reason).toBe('cdk.out is missing');
  });
});
