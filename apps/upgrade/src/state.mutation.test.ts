// The resume state and the run lock, stated case by case (mutants of state.ts that survived the earlier suite).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { acquireLock, readLock, readState, type UpgradeState, writeState } from "./state.js";

const dir = () => mkdtempSync(path.join(tmpdir(), "kubeforge-state-m-"));
const state: UpgradeState = {
  version: 1,
  cluster: "lab",
  environment: "production",
  target: { talos: "v1.13.9", kubernetes: "v1.35.2" },
  status: "failed",
  startedAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2000-01-01T00:00:00.000Z",
  completed: [],
  failure: { code: "E_GATE", message: "quorum", gate: "etcd-quorum-without-node", at: "2026-01-01T00:02:00.000Z" },
};

describe("state file (cases)", () => {
  it("writeState stamps updatedAt with the current time", async () => {
    const file = path.join(dir(), "s.json");
    const before = Date.now();
    await writeState(file, state);
    const written = JSON.parse(readFileSync(file, "utf8")) as UpgradeState;
    expect(Date.parse(written.updatedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect({ ...written, updatedAt: state.updatedAt }).toEqual(state);
  });

  it("a schema error names the file, the field path and its message, with the fix", async () => {
    const file = path.join(dir(), "s.json");
    writeFileSync(file, JSON.stringify({ ...state, target: { talos: "v1.13.9", kubernetes: 5 } }));
    const error = (await readState(file).catch((caught: unknown) => caught)) as Error & { code: string; hint: string };
    expect(error.code).toBe("E_STATE");
    expect(error.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: target\\.kubernetes: `));
    expect(error.hint).toBe("remove it (progress is re-read from the cluster)");
  });

  it("a file that cannot be read for another reason than absence is not taken for 'no state'", async () => {
    await expect(readState(dir())).rejects.toMatchObject({ code: "EISDIR" });
  });
});

describe("run lock (cases)", () => {
  it("a fresh lock records this process and host; release removes it", async () => {
    const file = path.join(dir(), "l.lock");
    const release = await acquireLock(file);
    const lock = await readLock(file);
    expect(lock).toMatchObject({ pid: process.pid, host: hostname(), alive: true });
    expect(Number.isNaN(Date.parse(lock?.since ?? ""))).toBe(false);
    await release();
    expect(await readLock(file)).toBeUndefined();
  });

  it("a lock from another host is taken as alive (its process cannot be checked from here)", async () => {
    const file = path.join(dir(), "l.lock");
    writeFileSync(file, JSON.stringify({ pid: 2 ** 22 + 999, host: `${hostname()}-elsewhere`, since: "t" }));
    expect((await readLock(file))?.alive).toBe(true);
    const refused = (await acquireLock(file).catch((caught: unknown) => caught)) as Error & {
      code: string;
      gate: string;
      hint: string;
    };
    expect(refused.code).toBe("E_LOCKED");
    expect(refused.gate).toBe("no-upgrade-in-progress");
    expect(refused.message).toBe(
      `another upgrade (pid ${2 ** 22 + 999} on ${hostname()}-elsewhere, since t) holds ${file}`,
    );
    expect(refused.hint).toBe("wait for it to finish; remove the lock only if that process is gone");
  });

  // Root may signal every process, so there the EPERM path cannot be reached.
  it.skipIf(process.getuid?.() === 0)("a process of another user (EPERM on signal 0) is alive", async () => {
    const file = path.join(dir(), "l.lock");
    writeFileSync(file, JSON.stringify({ pid: 1, host: hostname(), since: "t" }));
    expect((await readLock(file))?.alive).toBe(true);
  });

  it("pid 1 on this host is alive, so its lock refuses", async () => {
    const file = path.join(dir(), "l.lock");
    writeFileSync(file, JSON.stringify({ pid: 1, host: hostname(), since: "t" }));
    await expect(acquireLock(file)).rejects.toMatchObject({ code: "E_LOCKED" });
  });

  it("an unreadable lock file is taken over", async () => {
    const file = path.join(dir(), "l.lock");
    writeFileSync(file, "{ garbage");
    expect(await readLock(file)).toBeUndefined();
    const release = await acquireLock(file);
    expect((await readLock(file))?.pid).toBe(process.pid);
    await release();
  });

  it("a lock in a folder that does not exist is an error, not a takeover", async () => {
    await expect(acquireLock(path.join(dir(), "missing", "l.lock"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});
