// The resume state and the run locks, stated case by case (mutants that survived the earlier suite). The run
// lock left state.ts: a local lock beside the state file (lock/local-lock.ts, readLock still re-exported here)
// and a cluster Lease (lock/cluster-lease.ts).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakeLeases } from "./__fixtures__/fake-leases.js";
import { acquireClusterLock, leaseExpired, RUN_LEASE } from "./lock/cluster-lease.js";
import { acquireLocalLock } from "./lock/local-lock.js";
import { readLock, readState, type UpgradeState, writeState } from "./state.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-state-m-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const dir = () => mkdtempSync(path.join(scratch, "kubeforge-state-m-"));
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

  it("a file that is not JSON says so, with the fix", async () => {
    const file = path.join(dir(), "s.json");
    writeFileSync(file, "{ nope");
    await expect(readState(file)).rejects.toMatchObject({
      code: "E_STATE",
      message: `${file} is not JSON`,
      hint: "remove it (progress is re-read from the cluster)",
    });
  });

  it("a file that cannot be read for another reason than absence is not taken for 'no state'", async () => {
    await expect(readState(dir())).rejects.toMatchObject({ code: "EISDIR" });
  });
});

describe("local run lock (cases)", () => {
  it("a fresh lock records this process, host and a run token; release removes it", async () => {
    const file = path.join(dir(), "l.lock");
    const taken = await acquireLocalLock(file, { identity: "me/1/x" });
    const lock = await readLock(file);
    expect(lock).toMatchObject({ pid: process.pid, host: hostname(), alive: true, identity: "me/1/x" });
    expect(lock?.token).toBe(taken.info.token);
    expect(taken.tookOver).toBeUndefined();
    expect(Number.isNaN(Date.parse(lock?.since ?? ""))).toBe(false);
    await taken.release();
    expect(await readLock(file)).toBeUndefined();
  });

  it("a lock from another host is taken as alive (its process cannot be checked from here)", async () => {
    const file = path.join(dir(), "l.lock");
    writeFileSync(
      file,
      JSON.stringify({ pid: 2 ** 22 + 999, host: `${hostname()}-elsewhere`, since: "t", token: "o" }),
    );
    expect((await readLock(file))?.alive).toBe(true);
    const refused = (await acquireLocalLock(file).catch((caught: unknown) => caught)) as Error & {
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
    expect((await readLock(file))?.token).toBe("o");
  });

  it("a dead process on this host is taken over, and the dead run (with its Lease identity) is reported", async () => {
    const file = path.join(dir(), "l.lock");
    const dead = { pid: 2 ** 22 + 999, host: hostname(), since: "t", token: "dead", identity: "me/9/dead" };
    writeFileSync(file, JSON.stringify(dead));
    expect((await readLock(file))?.alive).toBe(false);
    const taken = await acquireLocalLock(file);
    expect(taken.tookOver).toMatchObject(dead);
    expect((await readLock(file))?.token).toBe(taken.info.token);
    await taken.release();
  });

  // Root may signal every process, so there the EPERM path cannot be reached.
  it.skipIf(process.getuid?.() === 0)("a process of another user (EPERM on signal 0) is alive", async () => {
    const file = path.join(dir(), "l.lock");
    writeFileSync(file, JSON.stringify({ pid: 1, host: hostname(), since: "t", token: "o" }));
    expect((await readLock(file))?.alive).toBe(true);
  });

  it("pid 1 on this host is alive, so its lock refuses", async () => {
    const file = path.join(dir(), "l.lock");
    writeFileSync(file, JSON.stringify({ pid: 1, host: hostname(), since: "t", token: "o" }));
    await expect(acquireLocalLock(file)).rejects.toMatchObject({ code: "E_LOCKED" });
  });

  it("releasing a lock that is already gone does not throw", async () => {
    const file = path.join(dir(), "l.lock");
    const taken = await acquireLocalLock(file);
    await taken.release();
    await expect(taken.release()).resolves.toBeUndefined();
  });

  it("an unreadable lock file is neither taken over nor removed: the run refuses", async () => {
    // Changed: the old lock took over a file it could not parse. Locks are now written whole (link of a
    // complete file), so an unreadable one is not a half-written lock of ours and is left alone.
    const file = path.join(dir(), "l.lock");
    writeFileSync(file, "{ garbage");
    expect(await readLock(file)).toBeUndefined();
    await expect(acquireLocalLock(file)).rejects.toMatchObject({ code: "E_LOCKED" });
    expect(readFileSync(file, "utf8")).toBe("{ garbage");
  });

  it("a lock in a folder that does not exist creates the folder (0700)", async () => {
    // Changed: the folder used to be required (ENOENT); the lock now lives in the XDG state dir it creates.
    const folder = path.join(dir(), "missing");
    const taken = await acquireLocalLock(path.join(folder, "l.lock"));
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    await taken.release();
  });

  it("a lock under a regular file is an error, not a takeover", async () => {
    const file = path.join(dir(), "plain");
    writeFileSync(file, "");
    // mkdir answers EEXIST or ENOTDIR depending on the platform: a file-system error either way, never E_LOCKED.
    await expect(acquireLocalLock(path.join(file, "l.lock"))).rejects.toMatchObject({
      code: expect.stringMatching(/^E(EXIST|NOTDIR)$/),
    });
  });
});

const NOW = new Date("2026-11-30T12:00:00.000Z");
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();
const clusterLock = (store: ReturnType<typeof fakeLeases>, extra: { takeOverFrom?: string } = {}) =>
  acquireClusterLock({ kube: store.kube, identity: "me", durationSeconds: 60, now: () => NOW, ...extra });

describe("cluster run lock (cases)", () => {
  it("no Lease: it is created under this run's identity; release deletes it", async () => {
    const store = fakeLeases();
    const lock = await clusterLock(store);
    expect(store.lease).toMatchObject({ holder: "me", durationSeconds: 60, renewTime: NOW.toISOString() });
    expect(() => lock.assertHeld()).not.toThrow();
    await lock.release();
    expect(store.lease).toBeUndefined();
  });

  it("a Lease another run renewed within its duration refuses, naming the holder", async () => {
    const store = fakeLeases({ holder: "other", durationSeconds: 60, renewTime: ago(60) });
    const refused = (await clusterLock(store).catch((caught: unknown) => caught)) as Error & { code: string };
    expect(refused).toMatchObject({ code: "E_LOCKED", gate: "no-upgrade-in-progress" });
    expect(refused.message).toContain(`${RUN_LEASE.namespace}/${RUN_LEASE.name}: other, renewed ${ago(60)}`);
    expect(store.lease?.holder).toBe("other");
  });

  it("an expired Lease, or the dead run's own, is taken over; another run's is not", async () => {
    const expired = fakeLeases({ holder: "other", durationSeconds: 60, renewTime: ago(61) });
    await (await clusterLock(expired)).release();
    const own = fakeLeases({ holder: "dead-run", durationSeconds: 60, renewTime: ago(1) });
    const lock = await clusterLock(own, { takeOverFrom: "dead-run" });
    expect(own.lease?.holder).toBe("me");
    await lock.release();
    const foreign = fakeLeases({ holder: "other", durationSeconds: 60, renewTime: ago(1) });
    await expect(clusterLock(foreign, { takeOverFrom: "dead-run" })).rejects.toMatchObject({ code: "E_LOCKED" });
  });

  it("release deletes only its own Lease", async () => {
    const store = fakeLeases();
    const lock = await clusterLock(store);
    store.set({ holder: "other", durationSeconds: 60, renewTime: NOW.toISOString() });
    await lock.release();
    expect(store.lease?.holder).toBe("other");
  });

  it("losing the create race is E_LOCKED naming the winner", async () => {
    const store = fakeLeases();
    const kube = {
      ...store.kube,
      readLease: async (namespace: string, name: string) => {
        const seen = await store.kube.readLease(namespace, name);
        if (!seen) store.set({ holder: "winner", durationSeconds: 60, renewTime: NOW.toISOString() });
        return seen;
      },
    };
    const refused = (await acquireClusterLock({ kube, identity: "me", now: () => NOW }).catch(
      (caught: unknown) => caught,
    )) as Error;
    expect(refused).toMatchObject({ code: "E_LOCKED" });
    expect(refused.message).toContain(": winner, renewed");
  });

  it("expiry: no holder is expired; exactly the duration is not; an unreadable time is not", () => {
    expect(leaseExpired({ resourceVersion: "1" }, NOW)).toBe(true);
    expect(leaseExpired({ resourceVersion: "1", holder: "h", durationSeconds: 30, renewTime: ago(30) }, NOW)).toBe(
      false,
    );
    expect(leaseExpired({ resourceVersion: "1", holder: "h", durationSeconds: 30, renewTime: ago(31) }, NOW)).toBe(
      true,
    );
    expect(leaseExpired({ resourceVersion: "1", holder: "h", acquireTime: ago(61) }, NOW)).toBe(true);
    expect(leaseExpired({ resourceVersion: "1", holder: "h", renewTime: "soon" }, NOW)).toBe(false);
  });
});
