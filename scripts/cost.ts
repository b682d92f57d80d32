/**
 * `npm run cost`: runs the named cost scenarios (test/e2e/support/cost-scenarios.ts) through a real
 * local stack and prints, per scenario, the billable units per order and their dollars per order and
 * per 1,000,000 orders (us-east-1 on-demand, local/meter/prices.ts).
 *
 *   npm run cost                 # every scenario, 5 orders each
 *   npm run cost -- base 20      # one scenario, 20 orders
 */
import { diffReadings, formatScenario } from '@orderloop/local/meter';
import { startLocalStack } from '@orderloop/local/stack';
import { COST_SCENARIOS } from '../test/e2e/support/cost-scenarios.js';
import { signInDemoUsers } from '../test/e2e/support/orders.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const args = process.argv.slice(2);
const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
const names = args.filter((a) => !/^\d+$/.test(a));
const scenarios = names.length ? COST_SCENARIOS.filter((s) => names.includes(s.name)) : COST_SCENARIOS;
if (scenarios.length === 0) {
  process.stderr.write(
    `no scenario named ${names.join(', ')}; known: ${COST_SCENARIOS.map((s) => s.name).join(', ')}\n`,
  );
  process.exit(2);
}

const stack = await startLocalStack({ port: 0, seed: true, quiet: true });
try {
  const users = await signInDemoUsers(stack.endpoints);
  await stack.idle(); // the seed's writes and their stream records are not an order's cost
  for (const scenario of scenarios) {
    // One warm-up order first, so cold starts of the Lambda workers are not billed to the measured ones.
    await scenario.run(stack, users);
    const before = stack.meter.read();
    for (let i = 0; i < count; i++) await scenario.run(stack, users);
    const reading = diffReadings(stack.meter.read(), before);
    process.stdout.write(`\n${formatScenario(scenario.name, reading, count)}\n  (${scenario.description})\n`);
  }
} finally {
  await stack.stop();
}
