/**
 * One local stack per scenario file: seeded with the demo users and catalog, on a free port, on the tier's
 * one DynamoDB Local with tables of its own.
 * The scenarios talk to it only through its endpoints; the one exception is firing the sweeper's
 * schedule now, which in AWS would mean waiting for the rate(5 minutes) rule.
 */
import { startLocalStack, type LocalStack, type LocalStackOptions } from '@orderloop/local/stack';
import { signInDemoUsers, type DemoSessions } from './orders.js';
import { sharedDynamoDbOption } from './shared-dynamodb.js';

/** A started stack and its signed-in demo users. */
export interface ScenarioStack {
  readonly stack: LocalStack;
  readonly users: DemoSessions;
  /** Fires the sweeper's scheduled rule now and resolves when the chain it starts has settled. */
  runSweeper(): Promise<void>;
}

/** Starts an in-memory, seeded stack on a free port and signs in every demo user. */
export async function startScenarioStack(
  options: Pick<LocalStackOptions, 'unpaidOrderTtlMinutes' | 'logDir'> = {},
): Promise<ScenarioStack> {
  const stack = await startLocalStack({
    port: 0,
    seed: true,
    quiet: true,
    dynamodb: sharedDynamoDbOption(),
    ...options,
  });
  try {
    const users = await signInDemoUsers(stack.endpoints);
    return {
      stack,
      users,
      async runSweeper() {
        stack.triggerRule(sweeperRuleName(stack));
        await stack.idle();
      },
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** The one scheduled rule of the app: the sweeper's (infra/api-stack.ts, UnpaidOrderSweeper). */
export function sweeperRuleName(stack: LocalStack): string {
  const scheduled = stack.events.config.rules.filter((r) => r.scheduleExpression !== undefined);
  const [rule] = scheduled;
  if (!rule || scheduled.length !== 1) {
    throw new Error(
      `expected one scheduled rule (the sweeper's), found ${scheduled.map((r) => r.name).join(', ') || 'none'}`,
    );
  }
  return rule.name;
}
