/** Process helpers for the tests that look at the processes a stack starts. */

/** Whether a process with this pid exists: signal 0 checks without touching it. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
