import type { App } from 'aws-cdk-lib';

/** Where the app is deployed: `dev` (and the local runtime) or `prod`. */
export type Stage = 'dev' | 'prod';

/** The stages the app knows, for the error message and the docs. */
export const STAGES: readonly Stage[] = ['dev', 'prod'];

/**
 * The stage from the CDK context (`cdk deploy -c stage=prod`); `dev` when unset, which is what
 * `npm start` and the tests synthesize.
 */
export function stageOf(app: App): Stage {
  const raw: unknown = app.node.tryGetContext('stage') ?? 'dev';
  if (typeof raw !== 'string' || !(STAGES as readonly string[]).includes(raw)) {
    throw new Error(`stage must be one of ${STAGES.join(', ')}, received ${String(raw)}`);
  }
  return raw as Stage;
}

/**
 * What differs per stage. Introspection is off in production: AppSync's configuration-limits guide
 * suggests "disabling it in production code as an extra layer of security" while keeping it for
 * development; the local runtime honours the template's IntrospectionConfig the same way.
 */
export function stageSettings(stage: Stage): { readonly introspection: boolean } {
  return { introspection: stage !== 'prod' };
}
