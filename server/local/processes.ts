/** Whether a process with this pid exists (signal 0 tests without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until none of `pids` is alive; returns the names of those still running after `timeoutMs`. */
export async function waitForExit(pids: Record<string, number>, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = Object.entries(pids).filter(([, pid]) => isAlive(pid));
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    alive = alive.filter(([, pid]) => isAlive(pid));
  }
  return alive.map(([name, pid]) => `${name} (pid ${pid})`);
}
