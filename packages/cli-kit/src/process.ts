// Whether a process still runs, for the pid files and staging folders a killed run (kill -9) leaves behind.

/** True while `pid` runs; a process of another user (EPERM) counts as running. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
