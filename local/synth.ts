/**
 * Keeps cdk.out in step with the sources: synthesizes the CDK app in process when cdk.out is missing or
 * older than any source file, and otherwise reuses it, so `npm start` pays for synth only after an edit.
 * Each synthesized cdk.out is also kept in the user's cache under a hash of the sources' contents, so a
 * fresh clone or another worktree of the same sources restores it instead of synthesizing again.
 * Which app and which sources come from the app's configuration (`orderloop.local.ts`, see ./config.ts).
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { homedir } from 'node:os';
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
  /**
   * Where synthesized cdk.out folders are kept by the hash of what they are built from ({@link sourceKey}),
   * so a clone whose cdk.out is missing or stale restores one instead of synthesizing; `false` turns the
   * cache off. The newest few are kept.
   * @default `<$XDG_CACHE_HOME or ~/.cache>/orderloop/synth`; off when ORDERLOOP_SYNTH_CACHE=0
   */
  readonly cacheDir?: string | false;
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
/** How many synthesized cdk.out folders the cache keeps (about 30 MB each for this app). */
const CACHE_ENTRIES = 4;

/** The files under the synth sources (and cdk.json), relative to root, in a stable order. */
function sourceFiles(root: string, sources: readonly string[]): string[] {
  const files: string[] = [];
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) if (!SKIPPED_DIRS.has(entry)) visit(join(path, entry));
    } else files.push(relative(root, path));
  };
  for (const source of [...sources, 'cdk.json']) visit(join(root, source));
  return files;
}

/**
 * The hash of everything a synth reads that can differ between two clones: the app's synth
 * configuration, the path and contents of every source file (package-lock.json among them, for the
 * dependencies), cdk.json, the Node version and the CDK_DEFAULT_* variables the app may read.
 */
export function sourceKey(root: string, app: LocalSynthConfig): string {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      app: app.app,
      export: app.export ?? 'buildApp',
      sources: app.sources,
      node: process.version,
      account: process.env.CDK_DEFAULT_ACCOUNT ?? null,
      region: process.env.CDK_DEFAULT_REGION ?? null,
    }),
  );
  for (const file of sourceFiles(root, app.sources)) {
    const bytes = readFileSync(join(root, file));
    hash.update(`\0${file}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex').slice(0, 32);
}

/** The cache folder an ensureSynth call uses, or undefined when the cache is off. */
function cacheDirOf(options: EnsureSynthOptions): string | undefined {
  if (options.cacheDir === false) return undefined;
  if (options.cacheDir !== undefined) return options.cacheDir;
  if (process.env.ORDERLOOP_SYNTH_CACHE === '0') return undefined;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'orderloop', 'synth');
}

/** Copies a cached cdk.out into place (whole or not at all); false when there is none for the key. */
function restoreFromCache(entry: string, outdir: string, stampAt: Date): boolean {
  if (!existsSync(join(entry, 'manifest.json'))) return false;
  const scratch = `${outdir}.tmp-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  try {
    cpSync(entry, scratch, { recursive: true });
    rmSync(outdir, { recursive: true, force: true });
    renameSync(scratch, outdir);
  } catch {
    rmSync(scratch, { recursive: true, force: true });
    return false;
  }
  // As after a synth: stamped with the time before the sources were read.
  utimesSync(join(outdir, 'manifest.json'), stampAt, stampAt);
  return true;
}

/** Keeps a copy of cdk.out under its key (best effort: a full disk only costs the next clone a synth). */
function storeInCache(cacheDir: string, key: string, outdir: string): void {
  const entry = join(cacheDir, key);
  const staging = `${entry}.tmp-${process.pid}`;
  try {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    rmSync(staging, { recursive: true, force: true });
    cpSync(outdir, staging, { recursive: true });
    rmSync(entry, { recursive: true, force: true });
    renameSync(staging, entry);
    const entries = readdirSync(cacheDir)
      .filter((name) => /^[0-9a-f]{32}$/.test(name))
      .map((name) => ({ name, mtimeMs: statSync(join(cacheDir, name)).mtimeMs }))
      .sort((a, b) => b.mtimeMs - a.mtimeMs);
    for (const old of entries.slice(CACHE_ENTRIES))
      rmSync(join(cacheDir, old.name), { recursive: true, force: true });
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
}

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
    const cacheDir = cacheDirOf(options);
    const readAt = new Date();
    const key = cacheDir ? sourceKey(root, app) : undefined;
    if (cacheDir && key && !options.force && restoreFromCache(join(cacheDir, key), outdir, readAt)) {
      log(`[synth] ${still}: restored cdk.out from the synth cache (same sources, ${join(cacheDir, key)})`);
      return {
        outdir,
        synthesized: false,
        reason: 'restored from the cache',
        durationMs: Date.now() - started,
      };
    }
    log(`[synth] ${still}: synthesizing (Lambdas are bundled with esbuild, this takes a while)`);
    await synthesize(root, outdir, app);
    // Kept only when no source changed while the app was synthesized, so the key says what cdk.out holds.
    if (cacheDir && key && sourceKey(root, app) === key) storeInCache(cacheDir, key, outdir);
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
