// The chart check against a real Helm repository served on 127.0.0.1 from ../shared/conformance/charts.
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadCluster } from "@kubeforge/config";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { type HelmRepoServer, startHelmRepoServer } from "../../test/charts/helm-repo-server.js";
import { loadDocuments } from "../tree/load-documents.js";
import { openChartCache } from "./chart-cache.js";
import { checkCharts } from "./check-charts.js";
import { formatOutdated, outdatedCharts, outdatedReleases } from "./outdated.js";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const clustersDir = path.resolve(packageDir, "../../clusters");
const bin = path.join(packageDir, "bin/kubeforge-validate.mjs");

let server: HelmRepoServer;
let workDir: string;

beforeAll(async () => {
  server = await startHelmRepoServer();
  workDir = await mkdtemp(path.join(tmpdir(), "kubeforge-charts-"));
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
}, 120_000);

let copies = 0;

/** A copy of a cluster's flux/ tree whose HelmRepositories point at the loopback server; `edit` may change a file. */
async function copyTree(cluster: string, edit?: { file: string; change: (text: string) => string }): Promise<string> {
  const dir = path.join(workDir, `${cluster}-${++copies}`);
  await cp(path.join(clustersDir, cluster, "flux"), path.join(dir, "flux"), { recursive: true });
  const sources = path.join(dir, "flux/infrastructure/helm-repositories.yaml");
  const documents = parseAllDocuments(await readFile(sources, "utf8")).map((document) => document.toJS());
  for (const document of documents) document.spec.url = server.url(document.metadata.name);
  await writeFile(sources, documents.map((document) => stringify(document)).join("---\n"));
  if (edit) {
    const file = path.join(dir, "flux", edit.file);
    await writeFile(file, edit.change(await readFile(file, "utf8")));
  }
  return dir;
}

async function check(dir: string, options: { offline?: boolean; cacheDir?: string; timeoutMs?: number } = {}) {
  const loaded = await loadDocuments(path.join(dir, "flux"), { displayBase: workDir });
  const cache = openChartCache(options.cacheDir ?? path.join(dir, "cache"));
  return checkCharts(loaded.documents, {
    cache,
    ...(options.offline ? { offline: true } : {}),
    request: { timeoutMs: options.timeoutMs ?? 60_000 },
  });
}

describe.each(["homelab", "staging"])("the %s cluster", (cluster) => {
  it("passes the chart check with 0 findings; a second run is offline from the cache", async () => {
    const dir = await copyTree(cluster);
    const before = server.requests.length;
    expect(await check(dir)).toEqual([]);
    // index.yaml of 5 repositories and 5 archives, the real cilium and cubefs ones verified by their real digest.
    expect(
      server.requests
        .slice(before)
        .filter((request) => request.endsWith(".tgz"))
        .sort(),
    ).toEqual([
      "/cilium/cilium-1.19.5.tgz",
      "/cubefs/cubefs-3.2.0.tgz",
      "/grafana-community/loki-12.0.0.tgz",
      "/grafana/alloy-1.11.1.tgz",
      "/prometheus-community/kube-prometheus-stack-88.5.2.tgz",
    ]);
    const again = server.requests.length;
    expect(await check(dir, { offline: true })).toEqual([]);
    expect(await check(dir)).toEqual([]);
    expect(server.requests.length).toBe(again);
  });
});

describe("a broken tree", () => {
  it("loki pinned to 12.0.1: an error naming the release, the file and existing versions", async () => {
    const dir = await copyTree("homelab", {
      file: "apps/logging.yaml",
      change: (text) => text.replace("version: 12.0.0", "version: 12.0.1"),
    });
    const findings = await check(dir);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: "helm-chart",
      severity: "error",
      file: expect.stringMatching(/flux\/apps\/logging\.yaml$/),
      object: "HelmRelease logging/loki",
      path: "spec.chart.spec.version",
      message: expect.stringContaining("has no version 12.0.1"),
    });
    expect(findings[0]?.message).toContain("newest: 18.11.0");
    expect(findings[0]?.hint).toContain("pin an existing version: 12.0.0 (the nearest below) or 18.11.0 (the newest)");
  });

  it("csi.storageClass.enabled: an unknown key with the closest existing one", async () => {
    const dir = await copyTree("homelab", {
      file: "infrastructure/cubefs.yaml",
      change: (text) => text.replace(/( +)setToDefault: false/, "$1enabled: false"),
    });
    const findings = await check(dir);
    expect(findings).toEqual([
      expect.objectContaining({
        rule: "helm-chart",
        object: "HelmRelease cubefs/cubefs",
        path: "spec.values.csi.storageClass.enabled",
        hint: expect.stringContaining("did you mean `csi.storageClass.setToDefault`?"),
      }),
    ]);
  });

  it("a value the chart's values.schema.json refuses is an error", async () => {
    const dir = await copyTree("homelab", {
      file: "infrastructure/cilium.yaml",
      change: (text) => text.replace(/kubeProxyReplacement: true/, "kubeProxyReplacement: [1]"),
    });
    const findings = await check(dir);
    expect(findings.map((finding) => finding.path)).toContain("spec.values.kubeProxyReplacement");
  });

  it("values from a ConfigMap: checked like inline values; a file that is not YAML is one finding", async () => {
    const configMap = (text: string) =>
      `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cubefs-values\n  namespace: cubefs\ndata:\n  values.yaml: |\n${text
        .split("\n")
        .map((line) => `    ${line}`)
        .join("\n")}\n`;
    const withValuesFrom = (text: string) => (file: string) =>
      `${file.replace("  values:\n", "  valuesFrom:\n    - kind: ConfigMap\n      name: cubefs-values\n  values:\n")}${configMap(text)}`;
    const broken = await copyTree("homelab", {
      file: "infrastructure/cubefs.yaml",
      change: withValuesFrom("csi:\n  storageClass: [unclosed"),
    });
    expect(await check(broken)).toEqual([
      expect.objectContaining({
        object: "HelmRelease cubefs/cubefs",
        path: "spec.valuesFrom[0]",
        message: expect.stringContaining("the values file values.yaml of ConfigMap cubefs/cubefs-values"),
        hint: expect.stringContaining("fix the YAML under data.values.yaml"),
      }),
    ]);
    const unknown = await copyTree("homelab", {
      file: "infrastructure/cubefs.yaml",
      change: withValuesFrom("metanode:\n  totalMem: 1"),
    });
    expect(await check(unknown)).toEqual([
      expect.objectContaining({
        path: "spec.values.metanode.totalMem",
        hint: expect.stringContaining("`metanode.total_mem`"),
      }),
    ]);
  });

  it("--offline with an empty cache says which charts it could not check", async () => {
    const dir = await copyTree("staging");
    const findings = await check(dir, { offline: true, cacheDir: path.join(dir, "empty-cache") });
    expect(findings).toHaveLength(5);
    for (const finding of findings) {
      expect(finding).toMatchObject({ severity: "warning", message: expect.stringContaining("was not checked") });
    }
  });
});

describe("bad repositories: one clear finding each, never a hang", () => {
  const withServedFile = async (urlPath: string, body: Buffer, run: () => Promise<void>) => {
    const original = server.files.get(urlPath) as Buffer;
    server.files.set(urlPath, body);
    try {
      await run();
    } finally {
      server.files.set(urlPath, original);
    }
  };

  it("an unreachable repository", async () => {
    const dir = await copyTree("homelab", {
      file: "infrastructure/helm-repositories.yaml",
      change: (text) => text.replace(/url: http:\/\/127\.0\.0\.1:\d+\/cubefs/, "url: http://127.0.0.1:9/cubefs"),
    });
    const findings = await check(dir);
    expect(findings).toEqual([
      expect.objectContaining({
        object: "HelmRelease cubefs/cubefs",
        message: expect.stringContaining("cannot read the Helm repository of chart cubefs 3.2.0"),
        hint: expect.stringContaining("check spec.url"),
      }),
    ]);
  });

  it("a repository that answers junk", async () => {
    const dir = await copyTree("homelab");
    await withServedFile("/cubefs/index.yaml", Buffer.from("<html>not a helm repo</html>"), async () => {
      const findings = await check(dir);
      expect(findings).toHaveLength(1);
      expect(findings[0]?.message).toContain("is not a Helm repository index");
    });
  });

  it("an archive that does not match the index digest", async () => {
    const dir = await copyTree("homelab");
    const real = server.files.get("/cubefs/cubefs-3.2.0.tgz") as Buffer;
    const changed = Buffer.from(real);
    changed[changed.length - 20] = (changed[changed.length - 20] ?? 0) ^ 0xff;
    await withServedFile("/cubefs/cubefs-3.2.0.tgz", changed, async () => {
      const findings = await check(dir);
      expect(findings).toHaveLength(1);
      expect(findings[0]?.message).toContain("does not match the index digest");
    });
  });

  it("a truncated archive whose digest the index lists", async () => {
    const dir = await copyTree("homelab");
    const truncated = (server.files.get("/cubefs/cubefs-3.2.0.tgz") as Buffer).subarray(0, 5000);
    const { sha256 } = await import("./chart-cache.js");
    const index = (server.files.get("/cubefs/index.yaml") as Buffer).toString();
    const rewritten = index.replace(/digest: \w+/, `digest: ${sha256(truncated)}`);
    await withServedFile("/cubefs/index.yaml", Buffer.from(rewritten), () =>
      withServedFile("/cubefs/cubefs-3.2.0.tgz", Buffer.from(truncated), async () => {
        const findings = await check(dir);
        expect(findings).toHaveLength(1);
        expect(findings[0]?.message).toContain("not a complete gzip file");
      }),
    );
  });
});

describe("kubeforge-validate", () => {
  const run = (args: string[], cacheHome: string) =>
    execa(process.execPath, [bin, ...args], {
      cwd: workDir,
      reject: false,
      env: { XDG_CACHE_HOME: cacheHome },
    });

  it("exits 1 on a copy with loki pinned to 12.0.1, naming the HelmRelease, the file and the fix", async () => {
    const dir = await copyTree("homelab", {
      file: "apps/logging.yaml",
      change: (text) => text.replace("version: 12.0.0", "version: 12.0.1"),
    });
    const result = await run(["--no-kustomize", "--json", dir], path.join(dir, "xdg"));
    expect(result.exitCode).toBe(1);
    const findings = JSON.parse(result.stdout).reports[0].findings.filter(
      (f: { rule: string }) => f.rule === "helm-chart",
    );
    expect(findings).toEqual([
      expect.objectContaining({
        object: "HelmRelease logging/loki",
        file: expect.stringMatching(/flux\/apps\/logging\.yaml$/),
        hint: expect.stringContaining("pin an existing version"),
      }),
    ]);
  });

  it("--outdated lists newer chart versions and exits 0", async () => {
    const dir = await copyTree("homelab");
    const result = await run(["--outdated", dir], path.join(dir, "xdg"));
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/HelmRelease kube-system\/cilium \(chart cilium\)\s+1\.19\.5\s+→ 1\.20\.0, 1\.19\.6/);
    expect(result.stdout).toMatch(/HelmRelease cubefs\/cubefs \(chart cubefs\)\s+3\.2\.0\s+up to date/);
  });

  it("exits 1 on a copy with csi.storageClass.enabled", async () => {
    const dir = await copyTree("staging", {
      file: "infrastructure/cubefs.yaml",
      change: (text) => text.replace(/( +)setToDefault: false/, "$1enabled: false"),
    });
    const result = await run(["--no-kustomize", dir], path.join(dir, "xdg"));
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("HelmRelease cubefs/cubefs");
    expect(result.stdout).toContain("did you mean `csi.storageClass.setToDefault`?");
    expect(result.stderr).not.toContain("    at ");
  });
});

describe("--outdated", () => {
  it("lists newer chart versions per HelmRelease and newer Talos/Kubernetes releases the project knows", async () => {
    const dir = await copyTree("homelab");
    const loaded = await loadDocuments(path.join(dir, "flux"), { displayBase: workDir });
    const charts = await outdatedCharts(loaded.documents, { request: { timeoutMs: 60_000 } });
    const byName = Object.fromEntries(charts.map((entry) => [entry.component, entry]));
    expect(byName["HelmRelease kube-system/cilium (chart cilium)"]?.newer.slice(0, 2)).toEqual(["1.20.0", "1.19.6"]);
    expect(byName["HelmRelease logging/loki (chart loki)"]?.newer[0]).toBe("18.11.0");
    expect(byName["HelmRelease cubefs/cubefs (chart cubefs)"]?.newer).toEqual([]);
    // Pre-releases are not offered.
    for (const entry of charts) for (const version of entry.newer) expect(version).not.toContain("-");

    const { cluster } = await loadCluster(path.join(clustersDir, "homelab/cluster.ts"));
    const releases = outdatedReleases({ ...cluster, talos: { ...cluster.talos, version: "v1.13.2" } });
    expect(releases).toEqual([
      expect.objectContaining({ component: "Talos", current: "v1.13.2", newer: ["v1.14.0", "v1.13.9"] }),
      // v1.35.2 → the newest v1.35 patch and v1.36 (Talos 1.13 supports up to 1.36), not 1.37.
      expect.objectContaining({ component: "Kubernetes", current: "v1.35.2", newer: ["v1.36.4", "v1.35.5"] }),
    ]);
    expect(formatOutdated("t", charts)).toMatch(/cilium\)\s+1\.19\.5\s+→ 1\.20\.0, 1\.19\.6/);
  });
});
