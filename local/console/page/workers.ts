/**
 * Where Monaco (GraphiQL's editor) finds its language-service workers: the bundles local/console/build.ts
 * writes beside main.js, by the label Monaco asks for (as graphiql's setup-workers/webpack maps them).
 */
const WORKERS: Record<string, string> = { json: 'json', graphql: 'graphql' };

(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    const name = WORKERS[label] ?? 'editor';
    return new Worker(new URL(`./${name}.worker.js`, import.meta.url), { type: 'module' });
  },
};
