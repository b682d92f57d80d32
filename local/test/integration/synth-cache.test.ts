import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureSynth, sourceKey } from '../../synth.js';

/** A tiny app of the test's own (the package never synthesizes an app it ships with). */
const APP = { app: 'infra/app.mjs', sources: ['infra'] };
// By absolute URL: the app lives in a temp folder, where no node_modules would resolve the package.
const CDK = pathToFileURL(createRequire(import.meta.url).resolve('aws-cdk-lib')).href;

/** Writes the app: one stack whose output says `text`, so each cdk.out tells which sources built it. */
function writeApp(root: string, text: string): void {
  mkdirSync(join(root, 'infra'), { recursive: true });
  writeFileSync(join(root, 'cdk.json'), '{"context":{}}');
  writeFileSync(
    join(root, APP.app),
    `import cdk from '${CDK}';\n` +
      `export function buildApp(app) {\n` +
      `  const stack = new cdk.Stack(app, 'Tiny');\n` +
      `  new cdk.CfnOutput(stack, 'Said', { value: ${JSON.stringify(text)} });\n` +
      `}\n`,
  );
}

/** What the synthesized template of `root` says. */
function said(root: string): string {
  const template = JSON.parse(readFileSync(join(root, 'cdk.out', 'Tiny.template.json'), 'utf8')) as {
    Outputs: { Said: { Value: string } };
  };
  return template.Outputs.Said.Value;
}

describe('the synth cache', () => {
  let scratch: string;
  let cacheDir: string;
  let first: string;
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);

  beforeEach(async () => {
    // Prepare: a clone that synthesized once, which fills the cache
    scratch = mkdtempSync(join(tmpdir(), 'orderloop-synth-cache-'));
    cacheDir = join(scratch, 'cache');
    first = join(scratch, 'first');
    writeApp(first, 'one');
    lines.length = 0;
    const result = await ensureSynth({ root: first, app: APP, cacheDir, log });
    expect(result.synthesized).toBe(true);
  });

  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it("restores a fresh clone's cdk.out from the cache instead of synthesizing the same sources again", async () => {
    // Prepare: a fresh clone: the same sources, no cdk.out
    const clone = join(scratch, 'clone');
    cpSync(join(first, 'infra'), join(clone, 'infra'), { recursive: true });
    cpSync(join(first, 'cdk.json'), join(clone, 'cdk.json'));
    // checked out a while ago (a file's mtime is finer than the millisecond stamp of a restore)
    for (const file of [APP.app, 'cdk.json']) utimesSync(join(clone, file), 1_000, 1_000);
    // Act
    const result = await ensureSynth({ root: clone, app: APP, cacheDir, log });
    const again = await ensureSynth({ root: clone, app: APP, cacheDir, log });
    // Assess
    expect(result).toMatchObject({ synthesized: false, reason: 'restored from the cache' });
    expect(said(clone)).toBe('one');
    expect(again).toMatchObject({ synthesized: false, reason: 'up to date' }); // fresh by the mtime rule too
  });

  it('synthesizes again when a source differs, and never restores the output of other sources', async () => {
    // Prepare: a clone whose app says something else
    const other = join(scratch, 'other');
    writeApp(other, 'two');
    // Act
    const result = await ensureSynth({ root: other, app: APP, cacheDir, log });
    // Assess
    expect(result.synthesized).toBe(true);
    expect(said(other)).toBe('two');
    expect(sourceKey(other, APP)).not.toBe(sourceKey(first, APP));
    expect(readdirSync(cacheDir).sort()).toEqual([sourceKey(first, APP), sourceKey(other, APP)].sort());
  });

  it('neither reads nor fills the cache when it is turned off', async () => {
    // Prepare
    const clone = join(scratch, 'clone');
    writeApp(clone, 'one');
    // Act
    const result = await ensureSynth({ root: clone, app: APP, cacheDir: false, log });
    // Assess
    expect(result.synthesized).toBe(true);
    expect(readdirSync(cacheDir)).toEqual([sourceKey(first, APP)]);
  });
});
