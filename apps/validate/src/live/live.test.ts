import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { type FakeApiServer, type FakeObject, startFakeApiServer } from "../../test/fake-api-server.js";
import { fixturesDir, packageDir, repoRoot } from "../../test/fixtures.js";
import { listYamlFiles } from "../tree/load-documents.js";
import { checkLive } from "./check-live.js";
import { openKubeConfig } from "./kube-client.js";

const ready = {
  conditions: [
    { type: "Ready", status: "True", reason: "ReconciliationSucceeded", message: "Applied revision: main@sha1:abc" },
  ],
};

async function homelabObjects(): Promise<FakeObject[]> {
  const out: FakeObject[] = [];
  for (const file of await listYamlFiles(path.join(repoRoot, "clusters", "homelab", "flux"))) {
    for (const document of parseAllDocuments(await readFile(file, "utf8"))) {
      const object = document.toJS() as FakeObject;
      if (!object?.kind || object.apiVersion.startsWith("kustomize.config.k8s.io/")) continue;
      // The server adds fields the tree does not declare; they are not drift.
      object.metadata = {
        ...object.metadata,
        uid: `uid-${out.length}`,
        resourceVersion: "42",
        creationTimestamp: "2026-11-01T00:00:00Z",
      };
      if (object.apiVersion.includes("toolkit.fluxcd.io")) object.status = ready;
      out.push(object);
    }
  }
  return out;
}

let server: FakeApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("--live drift", () => {
  it("reports objects missing from the cluster, changed fields and Flux objects not Ready", async () => {
    const objects = await homelabObjects();
    const quota = objects.find((o) => o.kind === "ResourceQuota" && o.metadata.namespace === "apps");
    if (!quota) throw new Error("homelab tree has no ResourceQuota in apps");
    (quota.spec as { hard: Record<string, string> }).hard.pods = "20";
    const dns = objects.findIndex(
      (o) => o.kind === "NetworkPolicy" && o.metadata.namespace === "monitoring" && o.metadata.name === "allow-dns",
    );
    objects.splice(dns, 1);
    const apps = objects.find((o) => o.kind === "Kustomization" && o.metadata.name === "apps");
    if (apps)
      apps.status = {
        conditions: [{ type: "Ready", status: "False", reason: "BuildFailed", message: "kustomize build failed" }],
      };
    server = await startFakeApiServer(objects);
    const kubeConfig = openKubeConfig({ kubeconfig: await server.writeKubeconfig() });
    const findings = await checkLive({ dir: path.join(repoRoot, "clusters", "homelab"), kubeConfig, cwd: repoRoot });
    expect(findings.map((f) => [f.rule, f.file, f.path, f.object, f.message])).toEqual([
      [
        "drift",
        "clusters/homelab/flux/infrastructure/namespace-apps.yaml",
        "spec.hard.pods",
        "ResourceQuota apps/default-quota",
        'declared "50", cluster has "20"',
      ],
      [
        "drift",
        "clusters/homelab/flux/infrastructure/namespace-monitoring.yaml",
        "metadata.name",
        "NetworkPolicy monitoring/allow-dns",
        "NetworkPolicy monitoring/allow-dns is declared but missing from the cluster",
      ],
      [
        "flux-ready",
        "live: flux",
        "status.conditions[Ready]",
        "Kustomization flux-system/apps",
        "not Ready (BuildFailed): kustomize build failed",
      ],
    ]);
    expect(server.requests).toContain("GET /api/v1/namespaces/apps/resourcequotas/default-quota");
    expect(server.requests).toContain(
      "GET /apis/rbac.authorization.k8s.io/v1/clusterrolebindings/oidc-viewers-homelab-local-view",
    );
    expect(server.requests).toContain("GET /apis/kustomize.toolkit.fluxcd.io/v1/kustomizations");
    expect(server.requests).toContain("GET /apis/helm.toolkit.fluxcd.io/v2/helmreleases");
  });
});

describe("--live drift on a small tree", () => {
  it("reports kinds the cluster does not serve and changed labels", async () => {
    server = await startFakeApiServer([
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "team", labels: { "pod-security.kubernetes.io/enforce": "privileged" } },
      },
    ]);
    const kubeConfig = openKubeConfig({ kubeconfig: await server.writeKubeconfig() });
    const findings = await checkLive({ dir: path.join(fixturesDir, "live"), kubeConfig, cwd: fixturesDir });
    expect(findings.map((f) => [f.rule, f.file, f.line, f.path, f.message])).toEqual([
      [
        "drift",
        "live/objects.yaml",
        6,
        "metadata.labels.pod-security.kubernetes.io/enforce",
        'declared "restricted", cluster has "privileged"',
      ],
      [
        "drift",
        "live/objects.yaml",
        8,
        "apiVersion",
        "the cluster does not serve monitoring.coreos.com/v1 ServiceMonitor",
      ],
      ["flux-ready", "live: flux", undefined, "", "the cluster does not serve helm.toolkit.fluxcd.io/v2 helmreleases"],
      [
        "flux-ready",
        "live: flux",
        undefined,
        "",
        "the cluster does not serve kustomize.toolkit.fluxcd.io/v1 kustomizations",
      ],
    ]);
  });
});

function node(name: string, readyStatus: string, extra: Record<string, unknown> = {}): FakeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name },
    status: {
      conditions: [
        {
          type: "Ready",
          status: readyStatus,
          reason: readyStatus === "True" ? "KubeletReady" : "KubeletNotReady",
          message: readyStatus === "True" ? "kubelet is posting ready status" : "PLEG is not healthy",
        },
      ],
    },
    ...extra,
  };
}

function pod(namespace: string, name: string, phase: string, waiting?: string): FakeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: { containers: [{ name: "main", image: "x:1" }] },
    status: {
      phase,
      ...(waiting
        ? {
            containerStatuses: [
              {
                name: "main",
                ready: false,
                restartCount: 7,
                image: "x:1",
                imageID: "",
                state: { waiting: { reason: waiting } },
              },
            ],
          }
        : {}),
    },
  };
}

function event(name: string, type: string, time: string, reason: string, message: string): FakeObject {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name, namespace: "apps" },
    type,
    reason,
    message,
    lastTimestamp: time,
    count: 3,
    involvedObject: { kind: "Pod", namespace: "apps", name: "web-1" },
  };
}

function doctorObjects(): FakeObject[] {
  return [
    node("node-1", "True"),
    node("node-2", "False"),
    node("node-3", "True", { spec: { unschedulable: true } }),
    pod("apps", "web-1", "Running", "CrashLoopBackOff"),
    pod("apps", "web-2", "Pending", "ImagePullBackOff"),
    pod("apps", "job-1", "Succeeded"),
    pod("kube-system", "cilium-x", "Running"),
    event("e2", "Warning", "2026-11-25T10:05:00Z", "BackOff", "Back-off restarting failed container"),
    event("e1", "Warning", "2026-11-25T10:00:00Z", "FailedScheduling", "0/3 nodes are available"),
    event("e3", "Normal", "2026-11-25T10:06:00Z", "Pulled", "Pulled image"),
    {
      apiVersion: "helm.toolkit.fluxcd.io/v2",
      kind: "HelmRelease",
      metadata: { name: "cilium", namespace: "kube-system" },
      spec: {},
      status: {
        conditions: [
          { type: "Ready", status: "False", reason: "InstallFailed", message: "timeout waiting for condition" },
        ],
      },
    },
    {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "apps", namespace: "flux-system" },
      spec: { suspend: true },
      status: ready,
    },
  ];
}

describe("doctor", () => {
  it("runs from the CLI and exits 1 on problems", async () => {
    server = await startFakeApiServer(doctorObjects());
    const kubeconfig = await server.writeKubeconfig();
    const result = await execa(process.execPath, [path.join(packageDir, "bin", "kubeforge-validate.mjs"), "doctor"], {
      env: { KUBECONFIG: kubeconfig },
      reject: false,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("kubeforge-validate doctor (context fake)");
    // Grouped by severity (the per-class checks are in doctor.test.ts).
    expect(result.stdout).toContain("UNHEALTHY (");
    expect(result.stdout).toContain("[nodes] Node node-2: is NotReady");
    expect(result.stdout.indexOf("UNHEALTHY")).toBeLessThan(result.stdout.indexOf("WARNINGS"));
  });
});

describe("openKubeConfig", () => {
  it("fails clearly when there is no kubeconfig instead of falling back to localhost:8080", async () => {
    const home = await mkdtemp(path.join(tmpdir(), "home-"));
    try {
      expect(() => openKubeConfig({ env: { HOME: home } })).toThrow(/no kubeconfig found/);
      const result = await execa(process.execPath, [path.join(packageDir, "bin", "kubeforge-validate.mjs"), "doctor"], {
        env: { HOME: home, KUBECONFIG: "" },
        extendEnv: false,
        reject: false,
      });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/^kubeforge-validate: no kubeconfig found/);
      expect(result.stderr).not.toContain("internal error");
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it("rejects an unknown context", async () => {
    server = await startFakeApiServer();
    const kubeconfig = await server.writeKubeconfig();
    expect(() => openKubeConfig({ kubeconfig, context: "prod" })).toThrow(/no context "prod"/);
  });
});
