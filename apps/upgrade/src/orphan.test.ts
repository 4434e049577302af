import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { processAlive, processStartTicks, recordProcess, settleOrphan } from "./orphan.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-orphan-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const DEAD_PID = 2 ** 22 + 12345;

/** Field 22 of /proc/<pid>/stat, read independently: the name is everything up to the last ") ". */
function startTimeOf(pid: number): string | undefined {
  const match = /^\d+ \(.*\) (.*)$/s.exec(readFileSync(`/proc/${pid}/stat`, "utf8"));
  return match?.[1]?.split(" ")[19];
}

/** Gone, or a zombie nobody has reaped yet (its parent died): either way it does nothing any more. */
function finished(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

/** A detached child (its own process group, like talosctl) and its first output line. */
function detached(command: string, args: string[]) {
  const child = spawn(command, args, { detached: true, stdio: ["ignore", "pipe", "ignore"] });
  const lines = createInterface({ input: child.stdout });
  const first = new Promise<string>((resolve) => lines.once("line", resolve));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, record: recordProcess(child.pid as number), first, exited };
}

describe("orphaned talosctl", () => {
  it("a recorded process is alive only with the same pid and start time (a reused pid is not it)", () => {
    const me = recordProcess(process.pid);
    expect(me.startTicks).toBe(processStartTicks(process.pid));
    expect(processAlive(me)).toBe(true);
    expect(processAlive({ ...me, startTicks: "1" })).toBe(false);
    expect(processAlive({ ...me, pid: 2 ** 22 + 12345 })).toBe(false);
  });

  it("reads the kernel start time even when the command name holds ') ' (talosctl could be renamed)", async () => {
    const dir = mkdtempSync(path.join(scratch, "kubeforge-orphan-"));
    const odd = path.join(dir, "a) b (c");
    symlinkSync("/bin/sleep", odd);
    const { child, record, exited } = detached(odd, ["600"]);
    try {
      expect(record.startTicks).toMatch(/^\d+$/);
      expect(record.startTicks).toBe(startTimeOf(child.pid as number));
      expect(processStartTicks(process.pid)).toBe(startTimeOf(process.pid));
      expect(record).toMatchObject({ pid: child.pid, pgid: child.pid });
      expect(Number.isNaN(Date.parse(record.startedAt))).toBe(false);
    } finally {
      process.kill(-(child.pid as number), "SIGKILL");
      await exited;
    }
    expect(processStartTicks(child.pid as number)).toBeUndefined();
  });

  it("without a recorded start time, the pid alone decides", () => {
    expect(processAlive({ pid: process.pid, pgid: process.pid, startedAt: "t" })).toBe(true);
    expect(processAlive({ pid: DEAD_PID, pgid: DEAD_PID, startedAt: "t" })).toBe(false);
  });

  it("is waited for, then its process group is stopped when it outlives the timeout", async () => {
    const child = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    const record = recordProcess(child.pid as number);
    let now = 0;
    // An injected clock: the wait runs out after three polls, whatever the machine's speed.
    const outcome = await settleOrphan(record, { timeoutMs: 3, pollMs: 1, now: () => now++ });
    expect(outcome).toBe("stopped");
    await exited;
    expect(processAlive(record)).toBe(false);
    expect(await settleOrphan(record, { timeoutMs: 1000 })).toBe("gone");
  });

  it("one that ends on its own within the timeout is waited for, never signalled", async () => {
    const { record, exited } = detached("sleep", ["0.2"]);
    // The injected clock never moves: only the process ending can end the wait.
    expect(await settleOrphan(record, { timeoutMs: 1, pollMs: 5, now: () => 1000 })).toBe("exited");
    expect(await exited).toEqual({ code: 0, signal: null });
  });

  it("the default clock is the monotonic one: a long timeout is waited for", async () => {
    const { record, exited } = detached("sleep", ["0.2"]);
    expect(await settleOrphan(record, { timeoutMs: 600_000, pollMs: 5 })).toBe("exited");
    await exited;
  });

  it("stopping signals the whole process group, not only its leader", async () => {
    const { record, first, exited } = detached("sh", ["-c", "sleep 600 & echo $!; wait"]);
    const grandchild = Number(await first);
    expect(await settleOrphan(record, { timeoutMs: 0 })).toBe("stopped");
    await exited;
    // The grandchild got the signal at the same moment, but may take a moment longer to end.
    for (let look = 0; look < 200 && !finished(grandchild); look += 1) await new Promise((r) => setTimeout(r, 50));
    try {
      expect(finished(grandchild)).toBe(true);
    } finally {
      if (!finished(grandchild)) process.kill(grandchild, "SIGKILL");
    }
  });

  it("SIGTERM first: talosctl may end cleanly before SIGKILL", async () => {
    const { record, first, exited } = detached(process.execPath, [
      "-e",
      "process.on('SIGTERM', () => setTimeout(() => process.exit(0), 50)); setInterval(() => {}, 1000); console.log('ready')",
    ]);
    await first;
    expect(await settleOrphan(record, { timeoutMs: 0 })).toBe("stopped");
    expect(await exited).toEqual({ code: 0, signal: null });
  });

  it("one that ignores SIGTERM is killed", async () => {
    const { record, first, exited } = detached(process.execPath, [
      "-e",
      "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready')",
    ]);
    await first;
    expect(await settleOrphan(record, { timeoutMs: 0 })).toBe("stopped");
    expect(await exited).toEqual({ code: null, signal: "SIGKILL" });
  }, 60_000);
});
