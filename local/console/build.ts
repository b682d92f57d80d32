/**
 * Bundles the browser console (local/console/page) with esbuild into `.orderloop/console/<hash>/`, once
 * per change of its sources or of the installed packages, so a fresh clone's `npm start` builds it on the
 * first page load and later starts reuse it. Nothing comes from a CDN: GraphiQL, Monaco and its workers,
 * React and the AWS clients are all served by the local stack.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The page's sources. */
export const CONSOLE_SOURCE_DIR = fileURLToPath(new URL('./page', import.meta.url));

/**
 * Monaco runs its language services in web workers; each is its own bundle, named by the label Monaco
 * asks for (graphiql's `setup-workers/webpack` lists the same three).
 */
export const CONSOLE_WORKERS = {
  editor: 'monaco-editor/esm/vs/editor/editor.worker.js',
  json: 'monaco-editor/esm/vs/language/json/json.worker.js',
  graphql: 'monaco-graphql/esm/graphql.worker.js',
} as const;

/** Options of {@link buildConsole}. */
export interface BuildConsoleOptions {
  /** The repository root: holds package-lock.json and node_modules. @default process.cwd() */
  readonly root?: string;
  /** Where the bundles are cached. @default `<root>/.orderloop/console` */
  readonly cacheDir?: string;
}

/** A built console: the folder its files are in, and whether this call built it. */
export interface BuiltConsole {
  readonly dir: string;
  readonly built: boolean;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

/** A hash of what the bundle is made of: the page's files and the locked package versions. */
export function consoleSourceHash(root: string): string {
  const hash = createHash('sha256');
  for (const file of filesUnder(CONSOLE_SOURCE_DIR)) {
    hash.update(relative(CONSOLE_SOURCE_DIR, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  const lock = join(root, 'package-lock.json');
  if (existsSync(lock)) hash.update(readFileSync(lock));
  return hash.digest('hex').slice(0, 16);
}

/** Removes bundles of earlier versions, leaving other processes' staging folders alone. */
function pruneOtherVersions(cacheDir: string, keep: string): void {
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    if (path !== keep && /^[0-9a-f]{16}$/.test(name)) rmSync(path, { recursive: true, force: true });
  }
}

/** Builds the console unless the cache already holds this version of it. */
export async function buildConsole(options: BuildConsoleOptions = {}): Promise<BuiltConsole> {
  const root = options.root ?? process.cwd();
  const cacheDir = options.cacheDir ?? join(root, '.orderloop', 'console');
  const dir = join(cacheDir, consoleSourceHash(root));
  if (existsSync(join(dir, 'main.js'))) return { dir, built: false };

  // Built beside the final folder and renamed into place, so a concurrent reader (another test file's
  // stack, a second `npm start`) never sees half a bundle.
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  try {
    await build({
      absWorkingDir: root,
      entryPoints: [
        { in: join(CONSOLE_SOURCE_DIR, 'main.tsx'), out: 'main' },
        ...Object.entries(CONSOLE_WORKERS).map(([label, path]) => ({ in: path, out: `${label}.worker` })),
      ],
      outdir: staging,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['chrome120', 'firefox120', 'safari17'],
      minify: true,
      // Monaco alone is megabytes; its source maps (four times that) would only fill the cache.
      sourcemap: false,
      jsx: 'automatic',
      loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
      define: { 'process.env.NODE_ENV': '"production"' },
      // aws-appsync-subscription-link base64-encodes its connection header with Buffer, as in Node.
      inject: [join(CONSOLE_SOURCE_DIR, 'buffer-shim.ts')],
      logLevel: 'silent',
      tsconfig: join(CONSOLE_SOURCE_DIR, 'tsconfig.json'),
    });
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Someone else finished the same version first; theirs is as good as ours.
      if (!existsSync(join(dir, 'main.js'))) throw error;
      rmSync(staging, { recursive: true, force: true });
    }
    pruneOtherVersions(cacheDir, dir);
    return { dir, built: true };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
