import type { TestProject } from 'vitest/node';
import { ensureSynth } from '@orderloop/local/synth';
import { holdSharedEngine } from '@orderloop/local/testing/dynamodb-setup';

/**
 * Global setup of the e2e tier. It synthesizes cdk.out once, before any test file starts, when it is older
 * than the sources (or restores it from the synth cache when these sources were synthesized on this
 * machine before): every e2e file starts the local stack from cdk.out, and without this the first files
 * of a fresh clone would all wait on one synth inside their start-up hooks. It also holds the run's one
 * DynamoDB Local (shared with the integration tier), whose JVM boots while the synth runs: the stacks the
 * e2e files start run on it, each with a table prefix of its own (`test/e2e/support/shared-dynamodb.ts`).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const hold = await holdSharedEngine();
  try {
    await ensureSynth({ root: process.cwd(), log: (line) => process.stderr.write(`${line}\n`) });
    project.provide('dynamodbEndpoint', (await hold.ready).endpoint);
  } catch (error) {
    await hold.release();
    throw error;
  }
  return () => hold.release();
}
