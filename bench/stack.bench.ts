import { bench, describe } from 'vitest';
import { startLocalStack } from '@orderloop/local/stack';
import { ensureSynth } from '@orderloop/local/synth';

// Target (issue "Local AppSync", README): the whole local stack ready in at most 15 s on 2 cores with a
// warm install and an up-to-date cdk.out. Memory: the resident set of this process once ready is logged.

await ensureSynth({});

describe('local stack start-up', () => {
  bench(
    'startLocalStack (in memory, seeded) until ready, then stop',
    async () => {
      const stack = await startLocalStack({ port: 0, seed: true, quiet: true });
      const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
      console.log(
        `ready in ${stack.readyMs} ms, node RSS ${rssMb} MB, phases ${JSON.stringify(stack.phases)}`,
      );
      await stack.stop();
    },
    { iterations: 3, warmupIterations: 0, time: 0 },
  );
});
