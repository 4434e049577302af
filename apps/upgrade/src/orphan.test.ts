import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { processAlive, processStartTicks, recordProcess, settleOrphan } from "./orphan.js";

describe("orphaned talosctl", () => {
  it("a recorded process is alive only with the same pid and start time (a reused pid is not it)", () => {
    const me = recordProcess(process.pid);
    expect(me.startTicks).toBe(processStartTicks(process.pid));
    expect(processAlive(me)).toBe(true);
    expect(processAlive({ ...me, startTicks: "1" })).toBe(false);
    expect(processAlive({ ...me, pid: 2 ** 22 + 12345 })).toBe(false);
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
});
