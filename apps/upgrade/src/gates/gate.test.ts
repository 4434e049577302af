import { describe, expect, it } from "vitest";
import type { Talosctl } from "../talosctl.js";
import { waitForGate } from "./gate.js";
import { type GateClients, makeGate } from "./index.js";

const never = <T>() => new Promise<T>(() => {});

/** Clients whose every call hangs, like an API server behind a half-open connection. */
const hanging: GateClients = {
  talosctl: { version: never, upgrade: never, upgradeKubernetes: never } as unknown as Talosctl,
  kube: { listNodes: never, listPods: never },
  etcd: { endpoints: [], credentials: { ca: "", cert: "", key: "" } },
  checkTimeoutMs: 50,
};

describe("gate deadlines", () => {
  it("a check whose call never answers fails instead of hanging", async () => {
    const result = await makeGate("kube-nodes-ready", hanging, {}).check();
    expect(result).toEqual({ ok: false, detail: "no answer within 50ms" });
  });

  it("waitForGate returns at its timeout even when every check hangs", async () => {
    const started = Date.now();
    const result = await waitForGate(makeGate("pods-running", hanging, {}), { timeoutMs: 200, intervalMs: 20 });
    expect(result.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
