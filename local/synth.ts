/**
 * Keeps cdk.out in step with the sources: synthesizes the CDK app in process when cdk.out is missing or
 * older than any source file, and otherwise reuses it, so `npm start` pays for synth only after an edit.
 * Which app and which sources come from the app's configuration (`orderloop.local.ts`, see ./config.ts).
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { loadLocalConfig, type LocalSynthConfig } from './config.js';

/** Options of {@link ensureSynth}. */
export interface EnsureSynthOptions {
  /** The app's root (holds cdk.json and orderloop.local.ts). @default process.cwd() */
  readonly root?: string;
  /** Which app to synthesize and what it is built from. @default the `synth` block of orderloop.local.ts */
  readonly app?: LocalSynthConfig;
  /** @default 'cdk.out' under root */
  readonly outdir?: string;
  /** Synthesize even when cdk.out is fresh. @default false */
  readonly force?: boolean;
  /** @default a line on stdout */
  readonly log?: (line: string) => void;
}

/** What ensureSynth did. */
export interface SynthResult {
  readonly outdir: string;
  /** False when the existing cdk.out was reused. */
  readonly synthesized: boolean;
  /** Why it synthesized, or why it did not. */
  readonly reason: string;
  readonly durationMs: number;
}

const SKIPPED_DIRS = new Set(['node_modules', '.git', 'cdk.out']);
const LOCK_STALE_MS = 5 * 60_000;

/** The newest file under the synth sources, or undefined when none exists. */
export function newestSource(
  root: string,
  sources: readonly string[],
): { path: string; mtimeMs: number } | undefined {
  let newest: { path: string; mtimeMs: number } | undefined;
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (!SKIPPED_DIRS.has(entry)) visit(join(path, entry));
    } else if (!newest || stat.mtimeMs > newest.mtimeMs) {
      newest = { path, mtimeMs: stat.mtimeMs };
    }
  };
  // cdk.json holds the app's context, so a change to it changes the synthesized templates too.
  for (const source of [...sources, 'cdk.json']) visit(join(root, source));
  return newest;
}

/** Why cdk.out must be synthesized again, or undefined when it is up to date. */
export function staleReason(root: string, outdir: string, sources: readonly string[]): string | undefined {
  const manifest = join(outdir, 'manifest.json');
  if (!existsSync(manifest)) return `${relative(root, outdir) || outdir} is missing`;
  const builtAt = statSync(manifest).mtimeMs;
  const newest = newestSource(root, sources);
  if (newest && newest.mtimeMs > builtAt)
    return `${relative(root, newest.path)} changed since the last synth`;
  return undefined;
}

/** Synthesizes the CDK app when cdk.out is stale; otherwise reuses it. Safe to call from several processes. */
export async function ensureSynth(options: EnsureSynthOptions = {}): Promise<SynthResult> {
  const root = options.root ?? process.cwd();
  const outdir = options.outdir ?? join(root, 'cdk.out');
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = Date.now();
  const app = options.app ?? (await loadLocalConfig(root)).synth;
  const reason = options.force ? 'forced' : staleReason(root, outdir, app.sources);
  if (!reason) {
    log(`[synth] cdk.out is up to date, reusing it`);
    return { outdir, synthesized: false, reason: 'up to date', durationMs: Date.now() - started };
  }
  const release = await lock(`${outdir}.lock`, log);
  try {
    // Another process may have synthesized while this one waited for the lock.
    const still = options.force ? reason : staleReason(root, outdir, app.sources);
    if (!still) {
      log(`[synth] cdk.out was synthesized by another process, reusing it`);
      return { outdir, synthesized: false, reason: 'up to date', durationMs: Date.now() - started };
    }
    log(`[synth] ${still}: synthesizing (Lambdas are bundled with esbuild, this takes a while)`);
    await synthesize(root, outdir, app);
    const durationMs = Date.now() - started;
    log(`[synth] done in ${(durationMs / 1000).toFixed(1)} s`);
    return { outdir, synthesized: true, reason: still, durationMs };
  } finally {
    release();
  }
}

/**
 * Runs the app in this process (no CDK CLI start-up) into a scratch folder and swaps it in, so a failed
 * or interrupted synth never leaves a half-written cdk.out that looks fresh.
 */
async function synthesize(root: string, outdir: string, config: LocalSynthConfig): Promise<void> {
  const scratch = `${outdir}.tmp-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  const startedAt = new Date();
  const cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const { App } = await import('aws-cdk-lib');
  const entry = config.export ?? 'buildApp';
  const appModule = (await import(pathToFileURL(join(root, config.app)).href)) as Record<string, unknown>;
  const build = appModule[entry];
  if (typeof build !== 'function') {
    throw new Error(`${config.app} must export a function ${entry}(app: App), found ${typeof build}`);
  }
  try {
    const app = new App({ outdir: scratch, context: cdkJson.context ?? {} });
    (build as (app: InstanceType<typeof App>) => unknown)(app);
    app.synth();
    rmSync(outdir, { recursive: true, force: true });
    renameSync(scratch, outdir);
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  // Stamp with the start time: a file saved during synth must still count as newer than the output.
  utimesSync(join(outdir, 'manifest.json'), startedAt, startedAt);
}

async function lock(path: string, log: (line: string) => void): Promise<() => void> {
  let announced = false;
  for (;;) {
    try {
      mkdirSync(path);
      return () => rmSync(path, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a killed process must not block every later start.
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat && Date.now() - stat.mtimeMs > LOCK_STALE_MS) rmSync(path, { recursive: true, force: true });
      if (!announced) log(`[synth] waiting for another synth to finish (${path})`);
      announced = true;
      await delay(250);
    }
  }
}
