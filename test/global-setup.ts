import { ensureSynth } from '@orderloop/local/synth';

/**
 * Synthesizes cdk.out once, before any test file starts, when it is older than the sources. Every e2e file
 * starts the local stack from cdk.out; without this the first files of a fresh clone would all wait on one
 * synth inside their start-up hooks, and the hook budget would measure the synth instead of the start.
 */
export default async function setup(): Promise<void> {
  await ensureSynth({ root: process.cwd(), log: (line) => process.stderr.write(`${line}\n`) });
}
