// doctor against the in-process fake API server holding a broken cluster: each failure class is reported,
// and a silent API server (accepts TCP, never answers) gives a clear error well within 15 s.

import { mkdtempSync, rmSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { execa } from "execa";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type FakeApiServer, type FakeObject, startFakeApiServer } from "../../test/fake-api-server.js";
import { type FakeService, healthyMember, runningServices, writeFakeTalosctl } from "../../test/fake-talosctl.js";
import { packageDir } from "../../test/fixtures.js";
import { formatDoctorReport } from "./doctor/report.js";
import { runDoctor } from "./doctor.js";
import { openKubeConfig } from "./kube-client.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-doctor-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const NOW = Date.parse("2026-11-30T12:00:00Z");
const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

let server: FakeApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const node = (name: string, ready: string): FakeObject => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name },
  status: {
    conditions: [{ type: "Ready", status: ready, reason: ready === "True" ? "KubeletReady" : "KubeletNotReady" }],
  },
});

const container = (name: string, extra: Record<string, unknown>) => ({
  name,
  image: "x:1",
  imageID: "",
  ready: false,
  restartCount: 0,
  ...extra,
});

function pod(name: string, status: Record<string, unknown>, extra: Record<string, unknown> = {}): FakeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "apps" },
    spec: { containers: [{ name: "main", image: "x:1" }] },
    status,
    ...extra,
  };
}

const flux = (apiVersion: string, kind: string, name: string, extra: Record<string, unknown>): FakeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: "flux-system", generation: 3 },
  spec: {},
  status: { observedGeneration: 3, conditions: [{ type: "Ready", status: "True", reason: "Succeeded" }] },
  ...extra,
});

const event = (name: string, reason: string, message: string, extra: Record<string, unknown>): FakeObject => ({
  apiVersion: "v1",
  kind: "Event",
  metadata: { name, namespace: "apps" },
  type: "Warning",
  reason,
  message,
  involvedObject: { kind: "Pod", namespace: "apps", name: "crash" },
  ...extra,
});

function brokenCluster(): FakeObject[] {
  return [
    node("node-1", "True"),
    node("node-2", "False"),
    pod(
      "crash",
      {
        phase: "Running",
        conditions: [{ type: "Ready", status: "False" }],
        containerStatuses: [
          container("main", {
            restartCount: 12,
            state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 5m0s restarting failed container" } },
            lastState: { terminated: { reason: "Error", exitCode: 1 } },
          }),
        ],
      },
      { logs: { main: "starting\nconnecting to db:5432\npanic: connection refused\n" } },
    ),
    pod("oom", {
      phase: "Running",
      conditions: [{ type: "Ready", status: "False" }],
      containerStatuses: [
        container("main", {
          restartCount: 3,
          state: { running: {} },
          lastState: { terminated: { reason: "OOMKilled", exitCode: 137 } },
        }),
      ],
    }),
    pod("pull", {
      phase: "Pending",
      containerStatuses: [
        container("main", { state: { waiting: { reason: "ImagePullBackOff", message: "x:1 not found" } } }),
      ],
    }),
    pod("unready", {
      phase: "Running",
      conditions: [{ type: "Ready", status: "False" }],
      containerStatuses: [container("main", { state: { running: {} } })],
    }),
    pod("init", {
      phase: "Pending",
      initContainerStatuses: [
        container("migrate", { restartCount: 2, state: { waiting: { reason: "CrashLoopBackOff" } } }),
      ],
      containerStatuses: [container("main", { state: { waiting: { reason: "PodInitializing" } } })],
    }),
    pod("unschedulable", {
      phase: "Pending",
      conditions: [
        {
          type: "PodScheduled",
          status: "False",
          reason: "Unschedulable",
          message: "0/3 nodes are available: 3 Insufficient cpu.",
        },
      ],
    }),
    pod("evicted", { phase: "Failed", reason: "Evicted", message: "The node was low on resource: memory." }),
    pod("fine", {
      phase: "Running",
      conditions: [{ type: "Ready", status: "True" }],
      containerStatuses: [container("main", { ready: true, state: { running: {} } })],
    }),
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "api", namespace: "apps" },
      spec: { replicas: 3 },
      status: {
        availableReplicas: 1,
        conditions: [
          {
            type: "ReplicaFailure",
            status: "True",
            reason: "FailedCreate",
            message:
              'pods "api-7d9-x" is forbidden: exceeded quota: apps-quota, requested: pods=1, used: pods=10, limited: pods=10',
          },
        ],
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db", namespace: "apps" },
      spec: { replicas: 1 },
      status: { availableReplicas: 1, readyReplicas: 1 },
    },
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data-db-1", namespace: "apps" },
      spec: { storageClassName: "cubefs" },
      status: { phase: "Pending" },
    },
    flux("source.toolkit.fluxcd.io/v1", "GitRepository", "flux-system", {
      status: {
        conditions: [
          { type: "Ready", status: "False", reason: "GitOperationFailed", message: "authentication required" },
        ],
      },
    }),
    flux("source.toolkit.fluxcd.io/v1", "HelmRepository", "cilium", {}),
    flux("source.toolkit.fluxcd.io/v1beta2", "OCIRepository", "podinfo", {
      status: {
        conditions: [{ type: "Ready", status: "False", reason: "OCIArtifactPullFailed", message: "not found" }],
      },
    }),
    flux("source.toolkit.fluxcd.io/v1", "HelmChart", "flux-system-cilium", {
      metadata: { name: "flux-system-cilium", namespace: "flux-system", generation: 5 },
    }),
    flux("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "apps", { spec: { suspend: true } }),
    flux("helm.toolkit.fluxcd.io/v2beta2", "HelmRelease", "grafana", {
      status: { conditions: [{ type: "Ready", status: "False", reason: "UpgradeFailed", message: "timeout" }] },
    }),
    event("e-old", "BackOff", "Back-off restarting failed container", { lastTimestamp: minutesAgo(600), count: 1 }),
    event("e1", "BackOff", "Back-off restarting failed container", { lastTimestamp: minutesAgo(20), count: 4 }),
    event("e2", "BackOff", "Back-off restarting failed container", {
      eventTime: minutesAgo(30),
      series: { count: 6, lastObservedTime: minutesAgo(2) },
    }),
    event("e3", "FailedScheduling", "0/3 nodes are available", { eventTime: minutesAgo(5) }),
  ];
}

async function doctor(objects: FakeObject[]) {
  server = await startFakeApiServer(objects);
  const config = openKubeConfig({ kubeconfig: await server.writeKubeconfig() });
  return runDoctor(
    {
      core: config.makeApiClient(CoreV1Api),
      custom: config.makeApiClient(CustomObjectsApi),
      apps: config.makeApiClient(AppsV1Api),
    },
    { now: NOW },
  );
}

describe("doctor on a broken cluster", () => {
  it("reports every failure class with the object, the reason and what to run next", async () => {
    const findings = await doctor(brokenCluster());
    const lines = findings.map((finding) => `${finding.severity} ${finding.object}: ${finding.message.split("\n")[0]}`);
    expect(lines).toEqual([
      "error Node node-2: is NotReady (KubeletNotReady: )",
      "error Pod apps/crash: container main CrashLoopBackOff: back-off 5m0s restarting failed container, 12 restart(s); last terminated: Error (exit 1)",
      "warning Pod apps/evicted: Evicted: The node was low on resource: memory.",
      "error Pod apps/init: init container migrate CrashLoopBackOff, 2 restart(s)",
      "error Pod apps/oom: container main OOMKilled, 3 restart(s) — raise its memory limit or find the leak",
      "error Pod apps/pull: container main ImagePullBackOff: x:1 not found",
      "error Pod apps/unready: Running but not Ready (containers not ready: main)",
      "error Pod apps/unschedulable: Pending: not scheduled (Unschedulable): 0/3 nodes are available: 3 Insufficient cpu.",
      'error Deployment apps/api: 1/3 replicas available — pods "api-7d9-x" is forbidden: exceeded quota: apps-quota, requested: pods=1, used: pods=10, limited: pods=10',
      "error PersistentVolumeClaim apps/data-db-1: Pending (storage class cubefs)",
      "error GitRepository flux-system/flux-system: not Ready (GitOperationFailed): authentication required",
      "warning HelmChart flux-system/flux-system-cilium: Ready, but for generation 3: the change to generation 5 is not reconciled yet",
      "error HelmRelease flux-system/grafana: not Ready (UpgradeFailed): timeout",
      "warning Kustomization flux-system/apps: is suspended: Flux does not reconcile it",
      "error OCIRepository flux-system/podinfo: not Ready (OCIArtifactPullFailed): not found",
      // Sorted by last occurrence; e1 and e2 are one group (4 + 6); the 10 h old one is dropped.
      `warning Pod apps/crash: ${new Date(NOW - 5 * 60_000).toISOString()} FailedScheduling: 0/3 nodes are available`,
      `warning Pod apps/crash: ${new Date(NOW - 2 * 60_000).toISOString()} BackOff: Back-off restarting failed container (×10)`,
    ]);
    const crash = findings.find((finding) => finding.object === "Pod apps/crash");
    expect(crash?.message).toContain("last log lines of main (previous run):");
    expect(crash?.message).toContain("panic: connection refused");
    expect(server?.requests).toContain(
      "GET /api/v1/namespaces/apps/pods/crash/log?container=main&previous=true&tailLines=5",
    );
    const report = formatDoctorReport("doctor", findings);
    expect(report.indexOf("UNHEALTHY")).toBeLessThan(report.indexOf("WARNINGS"));
    expect(report).toContain("12 error(s), 5 warning(s)");
  });

  it("a healthy cluster has no findings", async () => {
    const findings = await doctor([
      node("node-1", "True"),
      flux("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "apps", {}),
      flux("helm.toolkit.fluxcd.io/v2", "HelmRelease", "cilium", {}),
    ]);
    expect(findings).toEqual([]);
  });
});

describe("doctor with Talos credentials", () => {
  const cp = (name: string, address: string): FakeObject => ({
    ...node(name, "True"),
    metadata: { name, labels: { "node-role.kubernetes.io/control-plane": "" } },
    status: {
      conditions: [{ type: "Ready", status: "True" }],
      addresses: [{ type: "InternalIP", address }],
    },
  });

  async function talosDoctor(bin: string, dir: string, objects: FakeObject[]): Promise<string[]> {
    server = await startFakeApiServer(objects);
    const config = openKubeConfig({ kubeconfig: await server.writeKubeconfig() });
    const findings = await runDoctor(
      { core: config.makeApiClient(CoreV1Api), custom: config.makeApiClient(CustomObjectsApi) },
      { now: NOW, talos: { talosconfig: path.join(dir, "talosconfig"), bin } },
    );
    return findings
      .filter((finding) => finding.file === "live: talos" || finding.file === "live: etcd")
      .map((finding) => `${finding.severity} ${finding.object}: ${finding.message}`);
  }

  it("reports failed Talos services and unhealthy etcd members through talosctl", async () => {
    const dir = await mkdtemp(path.join(scratch, "fake-talosctl-"));
    // talosctl 1.14's table shapes: node-2's kubelet failed, its etcd member has errors.
    const bin = await writeFakeTalosctl(dir, {
      version: "1.14",
      nodes: {
        "10.0.0.1": { etcd: healthyMember("aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa"), services: runningServices() },
        "10.0.0.2": {
          etcd: healthyMember("bbbbbbbbbbbbbbbb", "aaaaaaaaaaaaaaaa", {
            raftIndex: 90,
            raftAppliedIndex: 90,
            errors: "etcdserver: mvcc: database space exceeded",
          }),
          services: [
            runningServices()[0] as FakeService,
            {
              id: "kubelet",
              state: "Failed",
              health: "Fail",
              lastChange: "2m0s",
              lastEvent: "Error running Containerd(kubelet): exit 1",
            },
          ],
        },
      },
    });
    const talos = await talosDoctor(bin, dir, [cp("node-1", "10.0.0.1"), cp("node-2", "10.0.0.2")]);
    expect(talos).toEqual([
      "error Node node-2: service kubelet: Failed, health Fail — Error running Containerd(kubelet): exit 1",
      "error Node node-2: etcd reports errors: etcdserver: mvcc: database space exceeded",
    ]);
  });

  it("with talosctl 1.14 and one etcd member down, reports only that member", async () => {
    // Before: talosctl 1.14 exits 1 when one node fails (rows of the others still printed) and the doctor
    // said "etcd did not answer" for all three members.
    const dir = await mkdtemp(path.join(scratch, "fake-talosctl-"));
    const reason = "rpc error: code = Unavailable desc = connection refused";
    const bin = await writeFakeTalosctl(dir, {
      version: "1.14",
      nodes: {
        "10.0.0.1": { etcd: healthyMember("aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa"), services: runningServices() },
        "10.0.0.2": { etcd: healthyMember("bbbbbbbbbbbbbbbb", "aaaaaaaaaaaaaaaa"), services: runningServices() },
        "10.0.0.3": { etcd: healthyMember("cccccccccccccccc", "aaaaaaaaaaaaaaaa"), services: runningServices() },
      },
      down: { "10.0.0.3": reason },
    });
    const talos = await talosDoctor(bin, dir, [
      cp("node-1", "10.0.0.1"),
      cp("node-2", "10.0.0.2"),
      cp("node-3", "10.0.0.3"),
    ]);
    expect(talos).toEqual([
      `error Node node-3: talosctl services did not answer: ${reason}`,
      `error Node node-3: etcd did not answer: ${reason}`,
    ]);
  });
});

describe("doctor against a silent API server", () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it("exits with a clear error within 15 s instead of hanging", async () => {
    // Before: the CLI hung for as long as the socket stayed open.
    silent = createServer((socket) => {
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const dir = await mkdtemp(path.join(scratch, "kubeconfig-"));
    const kubeconfig = path.join(dir, "config");
    await writeFile(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n  - name: s\n    cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}\nusers:\n  - name: u\n    user: {token: t}\ncontexts:\n  - name: s\n    context: {cluster: s, user: u}\ncurrent-context: s\n`,
    );
    const started = performance.now();
    const result = await execa(process.execPath, [path.join(packageDir, "bin", "kubeforge-validate.mjs"), "doctor"], {
      env: { KUBECONFIG: kubeconfig },
      reject: false,
      timeout: 60_000,
    });
    const seconds = (performance.now() - started) / 1000;
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("listing nodes: the API server did not answer within 8s");
    // A generous bound on a loaded machine; the deadline itself is 8 s.
    expect(seconds).toBeLessThan(15 + 10);
  }, 90_000);
});
