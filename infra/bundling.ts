import { buildSync, type BuildOptions } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

/** The repository root, whatever the working directory. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The folder that holds resolver and pipeline-function sources. */
export const RESOLVERS_DIR = join(ROOT, 'resolvers');

/** AppSync rejects resolver code larger than this many characters. */
export const APPSYNC_CODE_LIMIT = 32_768;

/**
 * The one esbuild config for APPSYNC_JS code, shared by the CDK app and the local runtime: one ESM file,
 * with the AppSync runtime modules external because AppSync provides them.
 */
export const appsyncBuildOptions: BuildOptions = {
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'neutral',
  target: 'es2021',
  external: ['@aws-appsync/utils', '@aws-appsync/utils/dynamodb'],
  sourcemap: false,
  minify: false,
  treeShaking: true,
  legalComments: 'none',
  logLevel: 'silent',
};

const cache = new Map<string, string>();

/** Bundles one resolver or function source (a path relative to resolvers/) into APPSYNC_JS code. */
export function bundleAppSyncCode(relativePath: string): string {
  const entry = join(RESOLVERS_DIR, relativePath);
  const cached = cache.get(entry);
  if (cached !== undefined) return cached;
  const result = buildSync({ ...appsyncBuildOptions, entryPoints: [entry] });
  const file = result.outputFiles?.[0];
  if (!file) throw new Error(`esbuild produced no output for ${relativePath}`);
  const code = file.text;
  if (code.length > APPSYNC_CODE_LIMIT) {
    throw new Error(
      `${relativePath} bundles to ${code.length} characters; AppSync allows at most ${APPSYNC_CODE_LIMIT}`,
    );
  }
  cache.set(entry, code);
  return code;
}
