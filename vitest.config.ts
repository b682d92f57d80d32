import { defineConfig } from 'vitest/config';

/**
 * One runner, five tiers (`vitest run --project <name>`, or `npm run test:<name>`):
 * - unit: the product's unit tests (no network), but for
 * - build: the CDK templates, cdk-nag, the stages, codegen staleness, resolver bundles and their lint;
 * - runtime: the local runtime's unit tests (local/test/unit, no network);
 * - integration: the product's and the runtime's integration tests, on one DynamoDB Local for the run;
 * - e2e: the whole local stack over HTTP and WebSocket, from a cdk.out synthesized once for the run.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Vitest's default on 2 cores is 1 worker (cores - 1): the files then run one after another while
    // most of them wait on a JVM, a child process or an event chain. Two keep both cores busy.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // What the functions' construct gives every handler (infra/constructs), so the Powertools
          // singletons the handlers import are configured as in Lambda (no "Namespace should be defined").
          env: { POWERTOOLS_METRICS_NAMESPACE: 'orderloop', POWERTOOLS_SERVICE_NAME: 'orderloop-test' },
          exclude: ['test/unit/build/**', 'test/unit/infra/**'],
        },
      },
      // Synthesizing the CDK app (templates, cdk-nag, stages), bundling and linting every resolver, and
      // codegen take about 20 s of CPU: a tier of their own keeps the unit tier a quick loop.
      // Not isolated: the files of a worker share one module graph, so aws-cdk-lib and the app load once
      // per worker, not once per file (a first synth costs about 5 s of CPU, a later one 1.5 s). These
      // files change no process state.
      {
        extends: true,
        test: {
          name: 'build',
          include: ['test/unit/build/**/*.test.ts', 'test/unit/infra/**/*.test.ts'],
          isolate: false,
        },
      },
      // Not isolated either (about a quarter less CPU): the runtime's unit files restore what they change.
      // The product's unit tier stays isolated: powertools.test.ts stubs the Lambda environment before it
      // imports the handlers, which a module graph shared with other files would already hold.
      {
        extends: true,
        test: { name: 'runtime', include: ['local/test/unit/**/*.test.ts'], isolate: false },
      },
      // Not isolated (about a fifth less CPU, 22 s a run): each file names its own tables (tableName()) on
      // the run's one DynamoDB Local and stops what it starts; a shuffled order (--sequence.shuffle.files)
      // passes too. The e2e tier stays isolated: each file runs whole stacks, and sharing their module
      // graph saved only 8 s of CPU.
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'local/test/integration/**/*.test.ts'],
          globalSetup: ['local/test/support/dynamodb-setup.ts'],
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: ['test/global-setup.ts'] },
      },
    ],
  },
});
