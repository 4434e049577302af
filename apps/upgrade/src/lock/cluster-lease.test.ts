// The cluster lock while a run lasts: who holds it, renewal every third of its duration, losing it (taken,
// deleted, changed, not renewable, or simply expired while the run was paused), and release by its holder only.
// Fake timers drive both the renewal interval and the monotonic clock, so nothing here depends on timing.
import { hostname } from "node:os";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeLeases } from "../__fixtures__/fake-leases.js";
import { UpgradeError } from "../errors.js";
import type { KubeClient } from "../gates/nodes.js";
import { acquireClusterLock, DEFAULT_LEASE_SECONDS, newLockIdentity, readClusterLock } from "./cluster-lease.js";

const NOW = new Date("2026-11-30T12:00:00.000Z");
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();
const refusal = async (promise: Promise<unknown>) =>
  (await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )) as UpgradeError;
const heldError = (lock: { assertHeld(): void }) => {
  try {
    lock.assertHeld();
    return undefined;
  } catch (error) {
    return error as UpgradeError;
  }
};

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("taking the cluster lock", () => {
  it("defaults: a 60 s Lease under a fresh host/pid/uuid identity, stamped with the wall clock", async () => {
    const store = fakeLeases();
    const lock = await acquireClusterLock({ kube: store.kube });
    expect(lock.identity).toMatch(new RegExp(`^${hostname()}/${process.pid}/[0-9a-f-]{36}$`));
    expect(store.lease).toMatchObject({
      holder: lock.identity,
      durationSeconds: DEFAULT_LEASE_SECONDS,
      acquireTime: NOW.toISOString(),
      renewTime: NOW.toISOString(),
    });
    expect(DEFAULT_LEASE_SECONDS).toBe(60);
    await lock.release();
  });

  it("two identities are never the same (takeover compares them)", () => {
    expect(newLockIdentity()).not.toBe(newLockIdentity());
  });

  it("a Lease with no holder is free", async () => {
    const store = fakeLeases({ durationSeconds: 60, renewTime: at(0) });
    const lock = await acquireClusterLock({ kube: store.kube, identity: "me" });
    expect(store.lease?.holder).toBe("me");
    await lock.release();
  });

  it("the refusal names the holder, when it renewed and when its Lease expires", async () => {
    const store = fakeLeases({ holder: "other", durationSeconds: 30, renewTime: at(-10) });
    const error = await refusal(acquireClusterLock({ kube: store.kube, identity: "me" }));
    expect(error).toBeInstanceOf(UpgradeError);
    expect(error).toMatchObject({
      code: "E_LOCKED",
      gate: "no-upgrade-in-progress",
      message: `another upgrade holds the cluster lock (Lease kube-system/kubeforge-upgrade: other, renewed ${at(-10)})`,
      hint: "wait for it to finish; if that run is gone, the Lease expires 30s after its last renewal",
    });
    expect(store.writes).toEqual([]);
  });

  it("a holder with no renewTime or duration: the refusal says so and uses the default duration", async () => {
    const store = fakeLeases({ holder: "other", acquireTime: at(-5) });
    const error = await refusal(acquireClusterLock({ kube: store.kube, identity: "me" }));
    expect(error.message).toBe(
      "another upgrade holds the cluster lock (Lease kube-system/kubeforge-upgrade: other, renewed ?)",
    );
    expect(error.hint).toBe("wait for it to finish; if that run is gone, the Lease expires 60s after its last renewal");
  });

  it("losing the takeover race (409) is E_LOCKED; an unreadable winner is still a refusal", async () => {
    const store = fakeLeases({ holder: "old", durationSeconds: 60, renewTime: at(-120) });
    let reads = 0;
    const kube: KubeClient = {
      ...store.kube,
      readLease: async (namespace, name) => {
        reads += 1;
        if (reads === 1) {
          const seen = await store.kube.readLease?.(namespace, name);
          store.set({ holder: "winner", durationSeconds: 60, renewTime: at(0) });
          return seen;
        }
        throw new Error("apiserver gone");
      },
    };
    const error = await refusal(acquireClusterLock({ kube, identity: "me" }));
    expect(error).toMatchObject({ code: "E_LOCKED" });
    expect(error.message).toContain(": another run, renewed ?");
    expect(store.lease?.holder).toBe("winner");
  });

  it("an API error is E_CONNECT with its message and the RBAC the run needs", async () => {
    const store = fakeLeases();
    store.fail(new Error("leases.coordination.k8s.io is forbidden"));
    const error = await refusal(acquireClusterLock({ kube: store.kube, identity: "me" }));
    expect(error).toMatchObject({
      code: "E_CONNECT",
      message: "cannot take the cluster lock: leases.coordination.k8s.io is forbidden",
      hint: "the run needs to create a Lease in kube-system (RBAC: coordination.k8s.io leases create/update/delete)",
    });
  });

  it.each(["readLease", "createLease", "replaceLease", "deleteLease"] as const)(
    "a client without %s cannot hold the lock: E_CONNECT before any call",
    async (missing) => {
      const store = fakeLeases();
      const kube: KubeClient = { ...store.kube, [missing]: undefined };
      const error = await refusal(acquireClusterLock({ kube, identity: "me" }));
      expect(error).toMatchObject({
        code: "E_CONNECT",
        message: "the Kubernetes client cannot manage Leases, so the run lock cannot be taken",
        hint: "use createKubeClient",
      });
      expect(store.lease).toBeUndefined();
    },
  );
});

describe("holding the cluster lock", () => {
  it("renews every third of its duration, keeping acquireTime, and not more often", async () => {
    const store = fakeLeases();
    const lock = await acquireClusterLock({ kube: store.kube, identity: "me", durationSeconds: 60 });
    await vi.advanceTimersByTimeAsync(19_999);
    expect(store.writes).toEqual(["create me"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.lease).toMatchObject({ holder: "me", durationSeconds: 60, acquireTime: at(0), renewTime: at(20) });
    await vi.advanceTimersByTimeAsync(40_000);
    expect(store.writes).toEqual(["create me", "replace me", "replace me", "replace me"]);
    expect(store.lease).toMatchObject({ acquireTime: at(0), renewTime: at(60) });
    expect(heldError(lock)).toBeUndefined();
    await lock.release();
    expect(store.writes.at(-1)).toBe("delete");
    expect(store.lease).toBeUndefined();
  });

  it("a very short Lease is renewed at most every 200 ms", async () => {
    const store = fakeLeases();
    const lock = await acquireClusterLock({ kube: store.kube, identity: "me", durationSeconds: 0.3 });
    await vi.advanceTimersByTimeAsync(199);
    expect(store.writes).toEqual(["create me"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.writes).toEqual(["create me", "replace me"]);
    await lock.release();
  });

  it("a renewal that keeps no acquireTime gets one", async () => {
    const store = fakeLeases();
    const lock = await acquireClusterLock({ kube: store.kube, identity: "me", durationSeconds: 60 });
    store.set({ holder: "me", durationSeconds: 60, renewTime: at(0) });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(store.lease).toMatchObject({ holder: "me", acquireTime: at(20), renewTime: at(20) });
    await lock.release();
  });

  it("taken by another run: lost once, every later check refuses naming the new holder, release leaves it", async () => {
    const store = fakeLeases();
    const lost: string[] = [];
    const lock = await acquireClusterLock({
      kube: store.kube,
      identity: "me",
      durationSeconds: 60,
      onLost: (reason) => lost.push(reason),
    });
    store.set({ holder: "other", durationSeconds: 60, renewTime: at(0) });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(lost).toEqual(["the cluster lock was taken by other"]);
    const error = heldError(lock);
    expect(error).toBeInstanceOf(UpgradeError);
    expect(error).toMatchObject({
      code: "E_LOCKED",
      gate: "no-upgrade-in-progress",
      message: "stopped: the cluster lock was taken by other",
      hint: "another run may be upgrading this cluster now: check `kubeforge-upgrade status` before anything else",
    });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(lost).toHaveLength(1);
    await lock.release();
    expect(store.lease?.holder).toBe("other");
    expect(store.writes).toEqual(["create me"]);
  });

  it("deleted under the run: lost, naming nobody", async () => {
    const store = fakeLeases();
    const lock = await acquireClusterLock({ kube: store.kube, identity: "me", durationSeconds: 60 });
    store.remove();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(heldError(lock)?.message).toBe("stopped: the cluster lock was taken by nobody (deleted)");
    await lock.release();
    expect(store.writes).toEqual(["create me"]);
  });

  it("changed between the renewal's read and write (409): lost", async () => {
    const store = fakeLeases();
    const kube: KubeClient = {
      ...store.kube,
      replaceLease: async (namespace, name, spec, version) => {
        store.set({ holder: "me", durationSeconds: 60, renewTime: at(0) });
        return (store.kube.replaceLease as NonNullable<KubeClient["replaceLease"]>)(namespace, name, spec, version);
      },
    };
    const lock = await acquireClusterLock({ kube, identity: "me", durationSeconds: 60 });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(heldError(lock)?.message).toBe("stopped: the cluster lock changed under this run");
    await lock.release();
  });

  it("renewals failing: held while the Lease is still valid, lost from the moment it can have expired", async () => {
    const store = fakeLeases();
    const lost: string[] = [];
    const lock = await acquireClusterLock({
      kube: store.kube,
      identity: "me",
      durationSeconds: 60,
      onLost: (reason) => lost.push(reason),
    });
    await vi.advanceTimersByTimeAsync(20_000); // renewed at 20 s: valid until 80 s
    store.fail(new Error("connect ECONNREFUSED"));
    await vi.advanceTimersByTimeAsync(40_000); // 60 s: two renewals failed
    expect(lost).toEqual([]);
    expect(heldError(lock)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(19_999);
    expect(heldError(lock)).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1); // 80 s: another run may now take it over
    expect(heldError(lock)?.message).toMatch(/^stopped: the cluster lock could not be renewed for 60s/);
    expect(lost).toHaveLength(1);
    store.fail(undefined);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(store.writes).toEqual(["create me", "replace me"]);
    await lock.release();
  });

  it("the failed renewal at the expiry names the error", async () => {
    const store = fakeLeases();
    const lost: string[] = [];
    await acquireClusterLock({
      kube: store.kube,
      identity: "me",
      durationSeconds: 60,
      onLost: (reason) => lost.push(reason),
    });
    store.fail(new Error("connect ECONNREFUSED"));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lost).toEqual(["the cluster lock could not be renewed for 60s: connect ECONNREFUSED"]);
  });

  it("a run paused past the Lease's duration (Ctrl-Z, a VM pause) no longer holds it when it wakes", async () => {
    // Before: a paused process fires no renewal, so the first check after waking passed although the Lease had
    // expired and another run could have taken it; the paused run then started talosctl on a second node.
    vi.useRealTimers();
    vi.useFakeTimers({ now: NOW, toFake: ["performance", "Date"] });
    const store = fakeLeases();
    const lock = await acquireClusterLock({ kube: store.kube, identity: "me", durationSeconds: 60 });
    vi.advanceTimersByTime(59_999); // moves the clocks only: the (real) renewal timer has not fired
    expect(heldError(lock)).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(heldError(lock)).toMatchObject({
      code: "E_LOCKED",
      message: "stopped: the cluster lock was not renewed for 60s and may have expired",
    });
    await lock.release();
  });

  it("one renewal at a time: a slow API server does not make the run race itself into a conflict", async () => {
    const store = fakeLeases();
    let unblock: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    let slow = false;
    const kube: KubeClient = {
      ...store.kube,
      readLease: async (namespace, name) => {
        const seen = await store.kube.readLease?.(namespace, name);
        if (slow) await blocked;
        return seen;
      },
    };
    const lock = await acquireClusterLock({ kube, identity: "me", durationSeconds: 60 });
    slow = true;
    await vi.advanceTimersByTimeAsync(50_000); // ticks at 20 s and 40 s; the first renewal still waits
    slow = false;
    unblock();
    await vi.advanceTimersByTimeAsync(0);
    expect(heldError(lock)).toBeUndefined();
    expect(store.writes).toEqual(["create me", "replace me"]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(store.writes).toEqual(["create me", "replace me", "replace me"]);
    expect(heldError(lock)).toBeUndefined();
    await lock.release();
  });

  it("release waits for a renewal under way, then deletes at the version it reads", async () => {
    const store = fakeLeases();
    let unblock: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    const kube: KubeClient = {
      ...store.kube,
      replaceLease: async (...args) => {
        await blocked;
        return (store.kube.replaceLease as NonNullable<KubeClient["replaceLease"]>)(...args);
      },
    };
    const lock = await acquireClusterLock({ kube, identity: "me", durationSeconds: 60 });
    await vi.advanceTimersByTimeAsync(20_000);
    const released = lock.release();
    unblock();
    await released;
    expect(store.writes).toEqual(["create me", "replace me", "delete"]);
    expect(heldError(lock)?.message).toBe("stopped: released");
    // Released: no more renewals.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(store.writes).toHaveLength(3);
  });

  it("release survives an unreachable API (the Lease then expires on its own)", async () => {
    const store = fakeLeases();
    const lock = await acquireClusterLock({ kube: store.kube, identity: "me", durationSeconds: 60 });
    store.fail(new Error("gone"));
    await expect(lock.release()).resolves.toBeUndefined();
    expect(store.lease?.holder).toBe("me");
  });
});

describe("status: readClusterLock", () => {
  it("shows the holder and whether it expired; nothing when absent or unreadable", async () => {
    const live = fakeLeases({ holder: "other", durationSeconds: 60, renewTime: at(-30) });
    expect(await readClusterLock(live.kube)).toEqual({ ...live.lease, expired: false });
    const stale = fakeLeases({ holder: "other", durationSeconds: 60, renewTime: at(-61) });
    expect(await readClusterLock(stale.kube)).toEqual({ ...stale.lease, expired: true });
    expect(await readClusterLock(fakeLeases().kube)).toBeUndefined();
    const down = fakeLeases({ holder: "other" });
    down.fail(new Error("gone"));
    expect(await readClusterLock(down.kube)).toBeUndefined();
    expect(await readClusterLock({ listNodes: async () => [], listPods: async () => [] })).toBeUndefined();
  });
});
