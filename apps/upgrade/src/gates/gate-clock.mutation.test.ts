// @ts-nocheck
// waitForGate and guardCheck against a clock that does not start at zero (performance.now never does), with
// the real default clock, and with checks that use up the whole timeout themselves.
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Gate, type GateResult, guardCheck, waitForGate } from "./gate.js";

/** A fake monotonic clock starting at `start`, moved only by the checks and the injected sleep. */
const fakeClock = (start: number) => {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    spend: (ms: number) => {
      now += ms;
    },
  };
};

/** Fails `failures` times, then passes; records the budget of each check. */
const flaky = (failures: number, spend: (ms: number) => void = () => {}, checkMs = 0) => {
  const budgets: number[] = [];
  let calls = 0;
  const gate: Gate = {
    name: "kube-nodes-ready",
    async check(budgetMs?: number): Promise<GateResult> {
      budgets.push(budgetMs as number);
      spend(checkMs);
      calls += 1;
      return calls > failures ? { ok: true, detail: "ok" } : { ok: false, detail: `attempt ${calls}` };
    },
  };
  return { gate, budgets };
};

afterEach(() => {
  vi.useRealTimers();
});

describe("gate polling on a clock that does not start at zero", () => {
  it("each check gets the time left and the gate stops at its timeout, measured from its own start", async () => {
    const clock = fakeClock(5_000);
    const { gate, budgets } = flaky(100);
    const result = await waitForGate(gate, { timeoutMs: 1000, intervalMs: 300, now: clock.now, sleep: clock.sleep });
    expect(result).toEqual({ ok: false, detail: "attempt 4", elapsedMs: 1000 });
    expect(budgets).toEqual([1000, 700, 400, 100]);
  });

  it("a gate that passes on its third attempt is not cut short", async () => {
    const clock = fakeClock(123_456);
    const { gate } = flaky(2);
    expect(await waitForGate(gate, { timeoutMs: 1000, intervalMs: 300, now: clock.now, sleep: clock.sleep })).toEqual({
      ok: true,
      detail: "ok",
      elapsedMs: 600,
    });
  });
});

describe("a check that uses up the timeout itself", () => {
  it("ends the gate at once: no 'waiting' report after the time is up (exactly at, or past, the timeout)", async () => {
    for (const checkMs of [30, 50]) {
      const clock = fakeClock(1_000);
      const { gate } = flaky(100, clock.spend, checkMs);
      const seen: number[] = [];
      const result = await waitForGate(gate, {
        timeoutMs: 30,
        intervalMs: 10,
        now: clock.now,
        sleep: clock.sleep,
        onWait: (_result, elapsed) => seen.push(elapsed),
      });
      expect(result).toEqual({ ok: false, detail: "attempt 1", elapsedMs: checkMs });
      expect(seen).toEqual([]);
    }
  });
});

describe("the default clock", () => {
  it("a gate that never passes times out on performance.now without an injected clock", async () => {
    const { gate } = flaky(Number.POSITIVE_INFINITY);
    const result = await waitForGate(gate, { timeoutMs: 20, intervalMs: 5 });
    expect(result.ok).toBe(false);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(20);
  });
});

describe("guardCheck leaves no timer behind", () => {
  // A pending 60 s deadline timer would keep the CLI's process alive for a minute after the run ended.
  it("after a check that answers, passes or throws", async () => {
    vi.useFakeTimers();
    expect(await guardCheck(async () => ({ ok: true, detail: "fine" }))).toEqual({ ok: true, detail: "fine" });
    expect(vi.getTimerCount()).toBe(0);
    expect(
      await guardCheck(async () => {
        throw new Error("boom");
      }),
    ).toEqual({ ok: false, detail: "boom" });
    expect(vi.getTimerCount()).toBe(0);
  });
});
