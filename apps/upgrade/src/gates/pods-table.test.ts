// The pod-health gate, case by case (cases written for the mutants `pnpm mutation upgrade-gates` left alive):
// what blocks an upgrade, what is only reported, and the exact words of each finding.
import { describe, expect, it } from "vitest";
import { checkPodHealth, type KubePodState, podProblem, SYSTEM_NAMESPACES } from "./pods.js";

const pod = (name: string, extra: Partial<KubePodState> = {}): KubePodState => ({
  namespace: "apps",
  name,
  node: "cp-1",
  phase: "Running",
  ready: true,
  restarts: 0,
  ...extra,
});

describe("podProblem", () => {
  it.each([
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "CreateContainerConfigError",
    "CreateContainerError",
    "InvalidImageName",
    "RunContainerError",
  ])("a container waiting with %s is a problem, named as it is", (reason) => {
    expect(podProblem(pod("a", { waiting: ["PodInitializing", reason] }))).toBe(reason);
  });

  it.each([
    ["a benign waiting reason", { waiting: ["ContainerCreating"], ready: true }, undefined],
    ["one restart", { waiting: ["CrashLoopBackOff"], restarts: 1 }, "CrashLoopBackOff, 1 restart(s)"],
    ["OOMKilled but Ready again", { lastTerminated: ["OOMKilled"], ready: true, restarts: 3 }, undefined],
    ["OOMKilled, readiness unknown", { lastTerminated: ["Error", "OOMKilled"], ready: undefined }, "OOMKilled"],
    ["an ordinary last termination", { lastTerminated: ["Error"], ready: true }, undefined],
    ["Pending", { phase: "Pending", ready: undefined }, "Pending"],
    ["Unknown", { phase: "Unknown", ready: undefined }, "Unknown"],
    ["Running, readiness not reported", { ready: undefined }, undefined],
    ["Running, not Ready, restarted", { ready: false, restarts: 2 }, "Running but not Ready, 2 restart(s)"],
    ["Failed with a bad waiting reason (finished)", { phase: "Failed", waiting: ["CrashLoopBackOff"] }, undefined],
    [
      "Succeeded after an OOM kill (finished)",
      { phase: "Succeeded", lastTerminated: ["OOMKilled"], ready: false },
      undefined,
    ],
  ] as const)("%s", (_, extra, expected) => {
    expect(podProblem(pod("a", extra as Partial<KubePodState>))).toBe(expected);
  });
});

describe("checkPodHealth", () => {
  it("lists at most five pods, then an ellipsis", () => {
    const bad = (n: number) =>
      Array.from({ length: n }, (_, i) => pod(`p${i}`, { namespace: "kube-system", ready: false }));
    expect(checkPodHealth(bad(5)).detail).toBe(
      "5 pod(s) unhealthy on nodes and in system namespaces: kube-system/p0 Running but not Ready, kube-system/p1 Running but not Ready, kube-system/p2 Running but not Ready, kube-system/p3 Running but not Ready, kube-system/p4 Running but not Ready",
    );
    expect(checkPodHealth(bad(6)).detail).toMatch(/kube-system\/p4 Running but not Ready, …$/);
  });

  it("every default system namespace blocks wherever its pod runs; another namespace list replaces them", () => {
    for (const namespace of SYSTEM_NAMESPACES) {
      expect(checkPodHealth([pod("x", { namespace, node: "cp-3", ready: false })], { node: "cp-1" }).ok).toBe(false);
    }
    const storage = pod("x", { namespace: "cubefs", node: "cp-3", ready: false });
    expect(checkPodHealth([storage], { node: "cp-1" }).ok).toBe(true);
    expect(checkPodHealth([storage], { node: "cp-1", systemNamespaces: ["cubefs"] }).ok).toBe(false);
    const dns = pod("coredns", { namespace: "kube-system", node: "cp-3", ready: false });
    expect(checkPodHealth([dns], { node: "cp-1", systemNamespaces: ["cubefs"] }).ok).toBe(true);
  });

  it("without a node, a pod with an empty node name is unscheduled and does not block", () => {
    expect(checkPodHealth([pod("x", { node: "", ready: false })]).ok).toBe(true);
    expect(checkPodHealth([pod("x", { node: "cp-2", ready: false })]).ok).toBe(false);
  });

  it("counts every pod it was given in the healthy message", () => {
    expect(checkPodHealth([pod("a"), pod("b"), pod("c")], { node: "cp-1" })).toEqual({
      ok: true,
      detail: "pods on cp-1 and in system namespaces healthy (3 pods)",
    });
  });
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
