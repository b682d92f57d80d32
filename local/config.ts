/**
 * How an app configures the local runtime: which CDK app to synthesize, what to seed, and what the
 * banner of `npm start` adds. The app exports it as the default export of `orderloop.local.ts` at its
 * root; the runtime never imports the app otherwise.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LocalStackEndpoints, EndpointsUser } from './endpoints.js';

/** The file the runtime reads its configuration from, at the app's root. */
export const CONFIG_FILE = 'orderloop.local.ts';

/** Which CDK app to synthesize, in process, and what it is built from. */
export interface LocalSynthConfig {
  /** The module that builds the app, relative to the root, e.g. `infra/app.ts`. */
  readonly app: string;
  /**
   * The module's export that adds the stacks to a given `App`: `(app: App) => unknown`.
   * @default 'buildApp'
   */
  readonly export?: string;
  /** Files and folders (relative to the root) the app is built from: a change to any makes cdk.out stale. */
  readonly sources: readonly string[];
}

/** Where the running stack is, for a seed that writes through its public endpoints. */
export interface SeedContext {
  readonly graphqlUrl: string;
  /** The Cognito-compatible endpoint (AWS SDK `endpoint`). */
  readonly cognitoEndpoint: string;
  /** The first app client of the first user pool. */
  readonly clientId: string;
  /** The seeded users, with their passwords, to sign in as. */
  readonly users: readonly EndpointsUser[];
}

/** What a stack started with `seed: true` holds from the first start on. */
export interface LocalSeedConfig {
  /** Users the local Cognito creates in the first user pool (kept across restarts with a data dir). */
  readonly users: readonly EndpointsUser[];
  /** Runs once the stack serves requests; the line it returns goes to the start-up log. */
  readonly data?: (context: SeedContext) => Promise<string | void>;
}

/** What `npm start`'s banner says beyond the endpoints. */
export interface LocalBannerConfig {
  /** @default 'local stack' */
  readonly title?: string;
  /** Extra lines after the endpoints, e.g. the demo tenants. */
  readonly lines?: (endpoints: LocalStackEndpoints) => readonly string[];
}

/** The configuration an app gives the local runtime. */
export interface LocalConfig {
  readonly synth: LocalSynthConfig;
  /** @default no users and no data */
  readonly seed?: LocalSeedConfig;
  /** @default the endpoints only */
  readonly banner?: LocalBannerConfig;
}

/** Types the configuration where it is written (`export default defineLocalConfig({ ... })`). */
export function defineLocalConfig(config: LocalConfig): LocalConfig {
  return config;
}

const loaded = new Map<string, Promise<LocalConfig>>();

/**
 * The app's configuration from `<root>/orderloop.local.ts`. The file is TypeScript, so the process needs
 * a TypeScript loader (`node --import tsx`, tsx, vitest), as `npm start` has.
 */
export function loadLocalConfig(root: string): Promise<LocalConfig> {
  const file = join(root, CONFIG_FILE);
  let config = loaded.get(file);
  if (!config) {
    config = readConfig(file);
    loaded.set(file, config);
  }
  return config;
}

async function readConfig(file: string): Promise<LocalConfig> {
  if (!existsSync(file)) {
    throw new Error(
      `no ${CONFIG_FILE} in ${join(file, '..')}: the local runtime needs one at the app's root, ` +
        `e.g. export default defineLocalConfig({ synth: { app: 'infra/app.ts', sources: ['infra'] } })`,
    );
  }
  const module = (await import(pathToFileURL(file).href)) as { default?: LocalConfig };
  const config = module.default;
  if (!config?.synth?.app || !Array.isArray(config.synth.sources)) {
    throw new Error(
      `${file} must export default a config with synth.app (the module that builds the CDK app) and ` +
        `synth.sources (what it is built from), received ${JSON.stringify(config?.synth)}`,
    );
  }
  return config;
}
