import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { guardInterrupts, INTERRUPT_SIGNALS, type InterruptSignal } from "./interrupts.js";

// process.emit runs the listeners as a real signal would, without signalling the test runner; the runner's own
// listeners are set aside meanwhile.
const signals = Object.keys(INTERRUPT_SIGNALS) as InterruptSignal[];
let saved: Map<InterruptSignal, NodeJS.SignalsListener[]>;
beforeEach(() => {
  saved = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
  for (const signal of signals) process.removeAllListeners(signal);
});
afterEach(() => {
  for (const signal of signals) {
    process.removeAllListeners(signal);
    for (const listener of saved.get(signal) ?? []) process.on(signal, listener);
  }
});

describe("guardInterrupts", () => {
  it("runs the cleanup and exits 128+n at once outside hold()", () => {
    const events: string[] = [];
    guardInterrupts({
      cleanup: () => events.push("cleanup"),
      message: ({ signal, held }) => `${signal} held=${held}\n`,
      write: (text) => events.push(text),
      exit: (code) => events.push(`exit ${code}`),
    });
    process.emit("SIGTERM");
    expect(events).toEqual(["cleanup", "SIGTERM held=false\n", "exit 143"]);
    expect(process.listenerCount("SIGINT")).toBe(0);
  });

  it("lets held work finish before a signal that arrived meanwhile takes effect", async () => {
    const events: string[] = [];
    const guard = guardInterrupts({
      cleanup: () => events.push("cleanup"),
      message: ({ held }) => `held=${held}\n`,
      write: (text) => events.push(text),
      exit: (code) => events.push(`exit ${code}`),
    });
    const result = await guard.hold(async () => {
      events.push("write 1");
      process.emit("SIGINT");
      await new Promise((resolve) => setImmediate(resolve));
      events.push("write 2");
      return "done";
    });
    expect(result).toBe("done");
    expect(events).toEqual(["write 1", "write 2", "cleanup", "held=true\n", "exit 130"]);
  });

  it("does nothing after release()", () => {
    const exit = vi.fn();
    guardInterrupts({ exit }).release();
    expect(process.listenerCount("SIGHUP")).toBe(0);
    expect(exit).not.toHaveBeenCalled();
  });
});
