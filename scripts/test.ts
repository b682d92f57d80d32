/**
 * `npm test`: the type-check and every vitest tier, side by side instead of one after the other.
 *
 * The suite is bound by CPU on a 2-core machine, but it leaves a core idle at times (the e2e tier's synth
 * before its first file, the last files of a run); the type-check is a minute of CPU of its own. So it
 * runs at a lower priority beside vitest: it takes the idle CPU and leaves the tests their pace. Its
 * output is held back and printed after vitest's (it would otherwise land inside vitest's live summary),
 * and either failing fails the command. Arguments go to vitest (`npm test -- --project unit`).
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** How much lower than vitest the type-check runs (a nice(1) increment; 19 is the lowest priority). */
const TYPECHECK_NICENESS = '10';

/** Resolves with the exit code of a child process (1 when a signal ended it). */
function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
}

// nice(1) rather than os.setPriority after the spawn, so the tsc processes npm starts are niced from the
// start. (The typecheck script is POSIX sh already.) `npm test` puts node_modules/.bin on the PATH.
const typecheck = spawn('nice', ['-n', TYPECHECK_NICENESS, 'npm', 'run', '--silent', 'typecheck'], {
  stdio: ['ignore', 'pipe', 'pipe'],
});
const typecheckOutput: Buffer[] = [];
typecheck.stdout!.on('data', (chunk: Buffer) => typecheckOutput.push(chunk));
typecheck.stderr!.on('data', (chunk: Buffer) => typecheckOutput.push(chunk));

const vitest = spawn('vitest', ['run', ...process.argv.slice(2)], { stdio: 'inherit' });
const [vitestCode, typecheckCode] = await Promise.all([exitOf(vitest), exitOf(typecheck)]);

process.stdout.write(Buffer.concat(typecheckOutput));
console.log(typecheckCode === 0 ? 'typecheck passed' : `typecheck FAILED (exit ${typecheckCode})`);
process.exit(vitestCode !== 0 ? vitestCode : typecheckCode);
