import { afterEach, describe, expect, it, vi } from "vitest";
import type { Talosctl } from "../talosctl.js";
import { type Gate, type GateResult, waitForGate } from "./gate.js";
import { type GateClients, makeGate } from "./index.js";

const never = <T>() => new Promise<T>(() => {});

/** Clients whose every call hangs, like an API server behind a half-open connection. */
const hanging: GateClients = {
  talosctl: { version: never, upgrade: never, upgradeKubernetes: never } as unknown as Talosctl,
  kube: { listNodes: never, listPods: never },
  etcd: { endpoints: [], credentials: { ca: "", cert: "", key: "" } },
  checkTimeoutMs: 50,
};

/** A gate that fails `failures` times, then passes; counts its checks and records each budget it was given. */
function flaky(failures: number): Gate & { budgets: (number | undefined)[] } {
  const budgets: (number | undefined)[] = [];
  let calls = 0;
  return {
    name: "kube-nodes-ready",
    budgets,
    async check(budgetMs?: number): Promise<GateResult> {
      budgets.push(budgetMs);
      calls += 1;
      return calls > failures ? { ok: true, detail: "ok" } : { ok: false, detail: `attempt ${calls}` };
    },
  };
}

/** A fake monotonic clock moved only by the fake sleep: no wall-clock time or timing assumption. */
function fakeClock() {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("gate deadlines", () => {
  it("a check whose call never answers fails instead of hanging", async () => {
    const result = await makeGate("kube-nodes-ready", hanging, {}).check();
    expect(result).toEqual({ ok: false, detail: "no answer within 50ms" });
  });

  it("a check's deadline is cut to the gate's remaining time", async () => {
    const result = await makeGate("kube-nodes-ready", { ...hanging, checkTimeoutMs: 60_000 }, {}).check(20);
    expect(result).toEqual({ ok: false, detail: "no answer within 20ms" });
  });

  it("waitForGate gives each check at most the time left, and stops at its timeout by the injected clock", async () => {
    const clock = fakeClock();
    const gate = flaky(100);
    const result = await waitForGate(gate, { timeoutMs: 1000, intervalMs: 300, now: clock.now, sleep: clock.sleep });
    expect(result.ok).toBe(false);
    expect(result.elapsedMs).toBe(1000);
    expect(gate.budgets).toEqual([1000, 700, 400, 100]);
  });
});

describe("clock jumps", () => {
  it("a +1 h wall-clock jump neither fails a gate at once (monotonic clock by default)", async () => {
    // Before: with Date.now, the jump made the gate's elapsed time an hour and it failed on the spot.
    const real = Date.now();
    let jumped = false;
    vi.spyOn(Date, "now").mockImplementation(() => {
      const value = jumped ? real + 3_600_000 : real;
      jumped = true;
      return value;
    });
    const result = await waitForGate(flaky(1), { timeoutMs: 5000, intervalMs: 1 });
    expect(result.ok).toBe(true);
  });

  it("a −40 s wall-clock jump does not stretch a gate past its timeout", async () => {
    const clock = fakeClock();
    vi.spyOn(Date, "now").mockImplementation(() => 1_000_000 - 40_000);
    const result = await waitForGate(flaky(1000), {
      timeoutMs: 5000,
      intervalMs: 1000,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(result.ok).toBe(false);
    expect(result.elapsedMs).toBe(5000);
  });
});
