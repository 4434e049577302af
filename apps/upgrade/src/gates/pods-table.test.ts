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
