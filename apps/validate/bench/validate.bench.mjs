// Benchmark: a synthetic cluster tree of 10,000 objects validated offline (schemas, Flux graph, policies).
// Kustomize builds are left out (they measure kubectl, not the validator). Run `pnpm build` first.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { validateTree } from "../dist/index.js";

const TARGET = 10_000;

function namespaceObjects(ns) {
  const labels = { "app.kubernetes.io/managed-by": "bench" };
  const out = [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: ns, labels: { ...labels, "pod-security.kubernetes.io/enforce": "restricted" } },
    },
    {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "quota", namespace: ns },
      spec: { hard: { "requests.cpu": "4", pods: "50" } },
    },
    {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: "limits", namespace: ns },
      spec: { limits: [{ type: "Container", default: { cpu: "500m", memory: "512Mi" } }] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "default-deny", namespace: ns },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "app", namespace: ns } },
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "app", namespace: ns },
      spec: { minAvailable: 1, selector: { matchLabels: { app: "app-0" } } },
    },
    {
      apiVersion: "helm.toolkit.fluxcd.io/v2",
      kind: "HelmRelease",
      metadata: { name: "redis", namespace: ns },
      spec: {
        interval: "1h",
        chart: {
          spec: {
            chart: "redis",
            version: "20.6.1",
            sourceRef: { kind: "HelmRepository", name: "charts", namespace: "flux-system" },
          },
        },
        values: { replica: { replicaCount: 1 } },
      },
    },
  ];
  for (let i = 0; i < 5; i++) {
    const app = `app-${i}`;
    out.push(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: app, namespace: ns, labels: { app } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app } },
          template: {
            metadata: { labels: { app } },
            spec: {
              serviceAccountName: "app",
              securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
              containers: [
                {
                  name: "main",
                  image: `ghcr.io/example/${app}:1.${i}.0`,
                  ports: [{ containerPort: 8080, name: "http" }],
                  env: [{ name: "MODE", value: "bench" }],
                  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                  readinessProbe: { httpGet: { path: "/healthz", port: "http" } },
                  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                },
              ],
            },
          },
        },
      },
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: app, namespace: ns },
        spec: { selector: { app }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
      },
    );
  }
  for (let i = 0; i < 3; i++) {
    out.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `config-${i}`, namespace: ns },
      data: { key: `value-${i}` },
    });
  }
  return out;
}

function toYaml(objects) {
  return objects.map((object) => `---\n${stringify(object)}`).join("");
}

const root = await mkdtemp(path.join(tmpdir(), "kubeforge-validate-bench-"));
try {
  const flux = path.join(root, "clusters", "bench", "flux");
  await mkdir(path.join(flux, "apps"), { recursive: true });
  const sources = [
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata: { name: "flux-system", namespace: "flux-system" },
      spec: { interval: "1m", url: "ssh://git@example.com/bench.git", ref: { branch: "main" } },
    },
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "HelmRepository",
      metadata: { name: "charts", namespace: "flux-system" },
      spec: { interval: "1h", url: "https://charts.example.com" },
    },
    {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "apps", namespace: "flux-system" },
      spec: {
        interval: "10m",
        path: "./clusters/bench/flux/apps",
        prune: true,
        sourceRef: { kind: "GitRepository", name: "flux-system" },
      },
    },
  ];
  await writeFile(path.join(flux, "sources.yaml"), toYaml(sources));
  let objects = sources.length;
  for (let n = 0; objects < TARGET; n++) {
    const batch = namespaceObjects(`team-${String(n).padStart(4, "0")}`).slice(0, TARGET - objects);
    await writeFile(path.join(flux, "apps", `team-${n}.yaml`), toYaml(batch));
    objects += batch.length;
  }
  const options = {
    dir: path.join(root, "clusters", "bench"),
    cwd: root,
    kustomize: false,
    loadModel: false,
    decrypt: false,
  };
  // Wall time depends on what else the machine runs; CPU time of this process is printed beside it.
  const measure = async () => {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    const report = await validateTree(options);
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(cpu);
    return { report, wall, cpu: (used.user + used.system) / 1e6 };
  };
  const rate = (seconds) => Math.round(TARGET / seconds).toLocaleString("en-US");
  const line = (label, { wall, cpu }) =>
    `validate ${label}: ${wall.toFixed(2)} s wall = ${rate(wall)} objects/s (CPU ${cpu.toFixed(2)} s = ${rate(cpu)} objects/s)`;
  const cold = await measure();
  const warm = [await measure(), await measure(), await measure()].sort((a, b) => a.wall - b.wall)[1];
  const { report } = cold;
  const errors = report.findings.filter((finding) => finding.severity === "error");
  console.log(
    `validate: ${report.stats.objects} objects in ${report.stats.files} files, ${report.findings.length} findings`,
  );
  console.log(line("first run (loads the schemas)", cold));
  console.log(line("steady state (median of 3)", warm));
  if (report.stats.objects !== TARGET || errors.length > 0) {
    console.error(report.findings.slice(0, 5));
    process.exitCode = 1;
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
