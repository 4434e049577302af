import { describe, expect, it } from "vitest";
import { checkPodHealth, type KubePodState, podProblem } from "./pods.js";

const pod = (name: string, extra: Partial<KubePodState> = {}): KubePodState => ({
  namespace: "apps",
  name,
  node: "cp-1",
  phase: "Running",
  ready: true,
  restarts: 0,
  ...extra,
});

describe("pod health", () => {
  it("names CrashLoopBackOff, OOMKilled, image pull failures and Running-but-not-Ready, with restarts", () => {
    expect(podProblem(pod("a", { ready: false, waiting: ["CrashLoopBackOff"], restarts: 7 }))).toBe(
      "CrashLoopBackOff, 7 restart(s)",
    );
    expect(podProblem(pod("b", { ready: false, lastTerminated: ["OOMKilled"], restarts: 2 }))).toBe(
      "OOMKilled, 2 restart(s)",
    );
    expect(podProblem(pod("c", { phase: "Pending", waiting: ["ImagePullBackOff"] }))).toBe("ImagePullBackOff");
    expect(podProblem(pod("d", { ready: false }))).toBe("Running but not Ready");
    expect(podProblem(pod("e"))).toBeUndefined();
    expect(podProblem(pod("job", { phase: "Succeeded", ready: false }))).toBeUndefined();
    expect(podProblem(pod("evicted", { phase: "Failed", ready: false }))).toBeUndefined();
  });

  it("blocks on the upgraded node and in system namespaces; reports the rest without blocking", () => {
    // Before: a crash-looping, never-Ready pod passed (phase Running), and any Pending pod anywhere blocked.
    const crashing = pod("web", { node: "cp-2", ready: false, waiting: ["CrashLoopBackOff"], restarts: 4 });
    expect(checkPodHealth([crashing], { node: "cp-2" })).toEqual({
      ok: false,
      detail: "1 pod(s) unhealthy on cp-2 and in system namespaces: apps/web CrashLoopBackOff, 4 restart(s)",
    });
    const dns = pod("coredns", { namespace: "kube-system", node: "cp-3", ready: false });
    expect(checkPodHealth([dns], { node: "cp-2" }).ok).toBe(false);
    const pending = pod("batch", { node: undefined, phase: "Pending", ready: false });
    const elsewhere = pod("api", { node: "cp-3", ready: false });
    expect(checkPodHealth([pending, elsewhere, pod("ok", { node: "cp-2" })], { node: "cp-2" })).toEqual({
      ok: true,
      detail:
        "pods on cp-2 and in system namespaces healthy (3 pods); not blocking: apps/batch Pending, apps/api Running but not Ready",
    });
  });

  it("without a node (final checks), pods on any node block; unscheduled ones outside system namespaces do not", () => {
    expect(checkPodHealth([pod("api", { node: "cp-3", ready: false })]).ok).toBe(false);
    expect(checkPodHealth([pod("batch", { node: undefined, phase: "Pending" })]).ok).toBe(true);
  });
});
