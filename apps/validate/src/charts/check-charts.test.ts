import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { RuleContext } from "../rules/rule.js";
import { parseManifestText } from "../tree/load-documents.js";
import {
  BASE,
  CUBEFS_TGZ,
  cubefsIndex,
  fakeRepositories,
  helmRelease,
  helmRepository,
} from "./__fixtures__/helm-repositories.js";
import { type ChartCache, openChartCache, sha256 } from "./chart-cache.js";
import { CHART_RULE, chartRule, checkCharts, releaseCharts } from "./check-charts.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-chart-cache-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let lastText = "";
const documents = (objects: object[]) => {
  lastText = objects.map((object) => stringify(object)).join("---\n");
  return parseManifestText(lastText, {
    file: "flux/infrastructure/podinfo.yaml",
    absolutePath: "/x/flux/infrastructure/podinfo.yaml",
  }).documents;
};

const repository = (url: string, type?: string) => ({
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "HelmRepository",
  metadata: { name: "podinfo", namespace: "flux-system" },
  spec: { url, ...(type ? { type } : {}) },
});
const release = (version: string) => ({
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  kind: "HelmRelease",
  metadata: { name: "podinfo", namespace: "apps" },
  spec: {
    chart: {
      spec: {
        chart: "podinfo",
        version,
        sourceRef: { kind: "HelmRepository", name: "podinfo", namespace: "flux-system" },
      },
    },
  },
});

/** 1-based line of the first line containing `text` in the file `documents(…)` parsed last. */
const lineOf = (text: string) => lastText.split("\n").findIndex((line) => line.includes(text)) + 1;

const cache = () => openChartCache(mkdtempSync(path.join(scratch, "kubeforge-chart-cache-")));

describe("checkCharts without a network", () => {
  it("says an OCI source cannot be checked (a warning), and contacts nothing", async () => {
    const findings = await checkCharts(
      documents([repository("oci://ghcr.io/stefanprodan/charts", "oci"), release("6.9.2")]),
      {
        cache: cache(),
        request: { fetch: () => Promise.reject(new Error("no network in this test")) },
      },
    );
    expect(findings).toEqual([
      expect.objectContaining({
        rule: "helm-chart",
        severity: "warning",
        object: "HelmRelease apps/podinfo",
        message: expect.stringContaining("comes from an OCI registry"),
      }),
    ]);
  });

  it("leaves version ranges to helm-chart-version and missing sources to flux-references", () => {
    expect(releaseCharts(documents([repository("https://example.invalid"), release(">=6.0.0")]))).toEqual([]);
    expect(releaseCharts(documents([release("6.9.2")]))).toEqual([]);
  });

  it("turns a failing request into one finding with the HelmRelease and the fix", async () => {
    const findings = await checkCharts(documents([repository("https://charts.example.invalid"), release("6.9.2")]), {
      cache: cache(),
      request: {
        fetch: () => Promise.reject(Object.assign(new Error("fetch failed"), { cause: { code: "ENOTFOUND" } })),
      },
    });
    expect(findings).toEqual([
      expect.objectContaining({
        severity: "error",
        file: "flux/infrastructure/podinfo.yaml",
        object: "HelmRelease apps/podinfo",
        message: expect.stringContaining("is unreachable (ENOTFOUND)"),
        hint: expect.stringContaining("check spec.url of the HelmRepository"),
      }),
    ]);
  });
});

const cubefsRepository = helmRepository("cubefs", `${BASE}/cubefs`);

/** Values homelab gives the real cubefs 3.2.0 chart (a subset). */
const CUBEFS_VALUES = {
  component: { client: false, csi: true, monitor: false },
  csi: {
    driverName: "csi.cubefs.com",
    kubeletPath: "/var/lib/kubelet",
    controller: { nodeSelector: { "component.cubefs.io/csi": "enabled" } },
    node: { resources: { enabled: true, limits: { cpu: "1" } } },
    storageClass: { setToDefault: false },
  },
  metanode: { total_mem: "4294967296" },
};

describe("checkCharts against real repository indexes and archives", () => {
  it("passes the real cubefs 3.2.0, verified by its index digest, and fills the cache for --offline", async () => {
    const repos = fakeRepositories();
    const chartCache = cache();
    const tree = documents([cubefsRepository, helmRelease({ values: CUBEFS_VALUES })]);
    expect(await checkCharts(tree, { cache: chartCache, request: { fetch: repos.fetch } })).toEqual([]);
    // The relative URL of the index entry is resolved against the repository.
    expect(repos.requests).toEqual([`${BASE}/cubefs/index.yaml`, `${BASE}/cubefs/cubefs-3.2.0.tgz`]);
    const digest = sha256(CUBEFS_TGZ);
    expect(chartCache.readDigest(`${BASE}/cubefs`, "cubefs", "3.2.0")).toBe(digest);
    expect(chartCache.readArchive(digest)?.equals(CUBEFS_TGZ)).toBe(true);

    // From the cache: no request, offline or not, and the values are still checked.
    const offline = await checkCharts(
      documents([cubefsRepository, helmRelease({ values: { csi: { storageClass: { enabled: false } } } })]),
      { cache: chartCache, offline: true, request: { fetch: repos.fetch } },
    );
    expect(offline).toEqual([
      expect.objectContaining({ path: "spec.values.csi.storageClass.enabled", severity: "error" }),
    ]);
    expect(await checkCharts(tree, { cache: chartCache, request: { fetch: repos.fetch } })).toEqual([]);
    expect(repos.requests).toHaveLength(2);
  });

  it("reads each repository's index once for all its HelmReleases", async () => {
    const repos = fakeRepositories();
    const tree = documents([
      cubefsRepository,
      helmRelease({ namespace: "a" }),
      helmRelease({ namespace: "b", version: "3.2.9" }),
      helmRelease({ namespace: "c", version: "3.2.8" }),
    ]);
    const findings = await checkCharts(tree, { cache: cache(), request: { fetch: repos.fetch } });
    expect(findings.map((finding) => finding.object)).toEqual(["HelmRelease b/cubefs", "HelmRelease c/cubefs"]);
    expect(repos.requests.filter((url) => url.endsWith("/index.yaml"))).toEqual([`${BASE}/cubefs/index.yaml`]);
  });

  it("a key the chart ignores: an error at the key's line, naming chart, path and the key meant", async () => {
    const repos = fakeRepositories();
    const tree = documents([
      cubefsRepository,
      helmRelease({ values: { ...CUBEFS_VALUES, csi: { storageClass: { enabled: false } } } }),
    ]);
    const findings = await checkCharts(tree, { cache: cache(), request: { fetch: repos.fetch } });
    expect(findings).toEqual([
      {
        rule: "helm-chart",
        severity: "error",
        file: "flux/infrastructure/podinfo.yaml",
        line: expect.any(Number),
        object: "HelmRelease cubefs/cubefs",
        path: "spec.values.csi.storageClass.enabled",
        message:
          "`csi.storageClass.enabled` is not a value of chart cubefs 3.2.0: not in its defaults and read by none of its templates, so Helm ignores it",
        hint: "did you mean `csi.storageClass.setToDefault`? Fix the key in the generator (or remove it)",
      },
    ]);
    expect(findings[0]?.line).toBe(lineOf("enabled: false"));
  });

  it("a key written with dots as for `helm --set`: named as one key, at its own line", async () => {
    const repos = fakeRepositories();
    const tree = documents([
      cubefsRepository,
      helmRelease({ values: { csi: { driverName: "csi.cubefs.com", "storageClass.setToDefault": false } } }),
    ]);
    const findings = await checkCharts(tree, { cache: cache(), request: { fetch: repos.fetch } });
    expect(findings).toEqual([
      expect.objectContaining({
        path: "spec.values.csi.storageClass.setToDefault",
        line: lineOf("storageClass.setToDefault: false"),
        message: expect.stringContaining("`csi.storageClass.setToDefault` is not a value of chart cubefs 3.2.0"),
        hint: "Helm takes `storageClass.setToDefault` as one key (only --set splits at dots): write it as nested keys in the generator",
      }),
    ]);
  });

  it("a pinned version the index does not list: the nearest below and the newest released one", async () => {
    const repos = fakeRepositories();
    const ciliumRelease = (version: string) =>
      helmRelease({ name: "cilium", namespace: "kube-system", chart: "cilium", source: "cilium", version });
    const tree = documents([helmRepository("cilium", `${BASE}/cilium`), ciliumRelease("1.19.7")]);
    const findings = await checkCharts(tree, { cache: cache(), request: { fetch: repos.fetch } });
    expect(findings).toEqual([
      {
        rule: "helm-chart",
        severity: "error",
        file: "flux/infrastructure/podinfo.yaml",
        line: expect.any(Number),
        object: "HelmRelease kube-system/cilium",
        path: "spec.chart.spec.version",
        message: `chart cilium has no version 1.19.7 in ${BASE}/cilium (newest: 1.20.0, 1.19.6, 1.19.5, 1.19.4, 1.19.3)`,
        hint: "pin an existing version: 1.19.6 (the nearest below) or 1.20.0 (the newest); kubeforge pins its charts in packages/manifests/src/components/versions.ts",
      },
    ]);
    // Only index.yaml was read: nothing to download.
    expect(repos.requests).toEqual([`${BASE}/cilium/index.yaml`]);
  });

  it("the nearest below is the newest: named once; below every version: the newest only", async () => {
    const repos = fakeRepositories();
    const above = await checkCharts(documents([cubefsRepository, helmRelease({ version: "3.3.0" })]), {
      cache: cache(),
      request: { fetch: repos.fetch },
    });
    expect(above.map((finding) => [finding.message, finding.hint])).toEqual([
      [
        `chart cubefs has no version 3.3.0 in ${BASE}/cubefs (newest: 3.2.0)`,
        "pin an existing version: 3.2.0 (the nearest below); kubeforge pins its charts in packages/manifests/src/components/versions.ts",
      ],
    ]);
    const below = await checkCharts(documents([cubefsRepository, helmRelease({ version: "3.1.9" })]), {
      cache: cache(),
      request: { fetch: repos.fetch },
    });
    expect(below[0]?.hint).toBe(
      "pin an existing version: 3.2.0 (the newest); kubeforge pins its charts in packages/manifests/src/components/versions.ts",
    );
  });

  it("a chart with only pre-releases: says to pin one listed in the index", async () => {
    const repos = fakeRepositories();
    repos.files.set(
      `${BASE}/cubefs/index.yaml`,
      cubefsIndex((entries) => {
        entries.cubefs = [{ ...entries.cubefs?.[0], version: "3.3.0-rc.1" }];
      }),
    );
    const findings = await checkCharts(documents([cubefsRepository, helmRelease({ version: "3.2.0" })]), {
      cache: cache(),
      request: { fetch: repos.fetch },
    });
    expect(findings.map((finding) => finding.hint)).toEqual([
      "pin an existing version: one listed in the index; kubeforge pins its charts in packages/manifests/src/components/versions.ts",
    ]);
  });

  it("a pin with a leading v matches the index's plain version", async () => {
    const repos = fakeRepositories();
    const findings = await checkCharts(documents([cubefsRepository, helmRelease({ version: "v3.2.0" })]), {
      cache: cache(),
      request: { fetch: repos.fetch },
    });
    expect(findings).toEqual([]);
    expect(repos.requests).toContain(`${BASE}/cubefs/cubefs-3.2.0.tgz`);
  });

  it("a plain pin matches an index that writes its versions with a v, as Helm's constraint does", async () => {
    const repos = fakeRepositories();
    repos.files.set(
      `${BASE}/cubefs/index.yaml`,
      cubefsIndex((entries) => {
        for (const entry of entries.cubefs ?? []) entry.version = `v${String(entry.version)}`;
      }),
    );
    for (const version of ["3.2.0", "v3.2.0"]) {
      expect(
        await checkCharts(documents([cubefsRepository, helmRelease({ version })]), {
          cache: cache(),
          request: { fetch: repos.fetch },
        }),
      ).toEqual([]);
    }
  });

  it("a request option that cannot work (a negative deadline) is a finding, not a crash", async () => {
    const repos = fakeRepositories();
    const findings = await checkCharts(documents([cubefsRepository, helmRelease({})]), {
      cache: cache(),
      request: { fetch: repos.fetch, timeoutMs: -1 },
    });
    expect(findings).toEqual([
      expect.objectContaining({
        path: "spec.chart.spec.sourceRef",
        message: expect.stringMatching(
          /^cannot read the Helm repository of chart cubefs 3\.2\.0: The value of "delay" is out of range/,
        ),
      }),
    ]);
  });

  it("a chart the repository does not have: an error at spec.chart.spec.chart listing the charts there", async () => {
    const repos = fakeRepositories();
    const tree = documents([
      helmRepository("grafana-community", `${BASE}/grafana-community`),
      helmRelease({ name: "alloy", namespace: "monitoring", chart: "alloy", source: "grafana-community" }),
    ]);
    expect(await checkCharts(tree, { cache: cache(), request: { fetch: repos.fetch } })).toEqual([
      expect.objectContaining({
        severity: "error",
        object: "HelmRelease monitoring/alloy",
        path: "spec.chart.spec.chart",
        message: `the repository ${BASE}/grafana-community has no chart named alloy`,
        hint: "fix spec.chart.spec.chart or the HelmRepository (charts there: loki, grafana)",
      }),
    ]);
  });

  it("lists at most 8 charts of a repository, and says none for an empty one", async () => {
    const repos = fakeRepositories();
    const names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    repos.files.set(
      `${BASE}/cubefs/index.yaml`,
      cubefsIndex((entries) => {
        delete entries.cubefs;
        for (const name of names) entries[name] = [{ name, version: "1.0.0", urls: [`${name}-1.0.0.tgz`] }];
      }),
    );
    const many = await checkCharts(documents([cubefsRepository, helmRelease({})]), {
      cache: cache(),
      request: { fetch: repos.fetch },
    });
    expect(many[0]?.hint).toBe(
      "fix spec.chart.spec.chart or the HelmRepository (charts there: a, b, c, d, e, f, g, h)",
    );

    repos.files.set(`${BASE}/cubefs/index.yaml`, Buffer.from("apiVersion: v1\nentries:\n  cubefs: []\n"));
    const none = await checkCharts(documents([cubefsRepository, helmRelease({})]), {
      cache: cache(),
      request: { fetch: repos.fetch },
    });
    expect(none.map((finding) => [finding.path, finding.message, finding.hint])).toEqual([
      [
        "spec.chart.spec.chart",
        `the repository ${BASE}/cubefs has no chart named cubefs`,
        "fix spec.chart.spec.chart or the HelmRepository (charts there: cubefs)",
      ],
    ]);
    repos.files.set(`${BASE}/cubefs/index.yaml`, Buffer.from("apiVersion: v1\nentries: {}\n"));
    const empty = await checkCharts(documents([cubefsRepository, helmRelease({})]), {
      cache: cache(),
      request: { fetch: repos.fetch },
    });
    expect(empty[0]?.hint).toBe("fix spec.chart.spec.chart or the HelmRepository (charts there: none)");
  });

  it("an index entry without a download URL", async () => {
    const repos = fakeRepositories();
    repos.files.set(
      `${BASE}/cubefs/index.yaml`,
      cubefsIndex((entries) => {
        for (const entry of entries.cubefs ?? []) entry.urls = [];
      }),
    );
    expect(
      await checkCharts(documents([cubefsRepository, helmRelease({})]), {
        cache: cache(),
        request: { fetch: repos.fetch },
      }),
    ).toEqual([
      expect.objectContaining({
        severity: "error",
        path: "spec.chart.spec.version",
        message: "the index lists chart cubefs 3.2.0 without a download URL",
        hint: "report it to the chart's maintainers or pin another version",
      }),
    ]);
  });

  it("an archive the repository does not serve: the URL and the HTTP status", async () => {
    const repos = fakeRepositories();
    repos.files.delete(`${BASE}/cubefs/cubefs-3.2.0.tgz`);
    expect(
      await checkCharts(documents([cubefsRepository, helmRelease({})]), {
        cache: cache(),
        request: { fetch: repos.fetch },
      }),
    ).toEqual([
      expect.objectContaining({
        severity: "error",
        path: "spec.chart.spec.version",
        message: `cannot download chart cubefs 3.2.0: ${BASE}/cubefs/cubefs-3.2.0.tgz answered HTTP 404`,
        hint: "check the network and rerun; the repository may be down",
      }),
    ]);
  });

  it("an archive that does not match the index digest is refused and not cached", async () => {
    const repos = fakeRepositories();
    const changed = Buffer.from(CUBEFS_TGZ);
    changed[changed.length - 20] = (changed[changed.length - 20] ?? 0) ^ 0xff;
    repos.files.set(`${BASE}/cubefs/cubefs-3.2.0.tgz`, changed);
    const chartCache = cache();
    const findings = await checkCharts(documents([cubefsRepository, helmRelease({})]), {
      cache: chartCache,
      request: { fetch: repos.fetch },
    });
    expect(findings).toEqual([
      expect.objectContaining({
        severity: "error",
        path: "spec.chart.spec.version",
        message: `chart cubefs 3.2.0 from ${BASE}/cubefs/cubefs-3.2.0.tgz does not match the index digest (sha256 ${sha256(changed)}, index says ${sha256(CUBEFS_TGZ)})`,
        hint: expect.stringContaining("do not install it"),
      }),
    ]);
    expect(chartCache.readDigest(`${BASE}/cubefs`, "cubefs", "3.2.0")).toBeUndefined();
    expect(chartCache.readArchive(sha256(changed))).toBeUndefined();
  });

  it("an index entry without a digest: the archive is taken as served", async () => {
    const repos = fakeRepositories();
    repos.files.set(
      `${BASE}/cubefs/index.yaml`,
      cubefsIndex((entries) => {
        for (const entry of entries.cubefs ?? []) delete entry.digest;
      }),
    );
    expect(
      await checkCharts(documents([cubefsRepository, helmRelease({ values: CUBEFS_VALUES })]), {
        cache: cache(),
        request: { fetch: repos.fetch },
      }),
    ).toEqual([]);
  });

  it("a broken archive whose digest the index lists: an error, and nothing cached", async () => {
    const repos = fakeRepositories();
    const truncated = CUBEFS_TGZ.subarray(0, 5000);
    repos.files.set(`${BASE}/cubefs/cubefs-3.2.0.tgz`, truncated);
    repos.files.set(
      `${BASE}/cubefs/index.yaml`,
      cubefsIndex((entries) => {
        for (const entry of entries.cubefs ?? []) entry.digest = sha256(truncated);
      }),
    );
    const chartCache = cache();
    const findings = await checkCharts(documents([cubefsRepository, helmRelease({})]), {
      cache: chartCache,
      request: { fetch: repos.fetch },
    });
    expect(findings).toEqual([
      expect.objectContaining({
        severity: "error",
        path: "spec.chart.spec.version",
        message: expect.stringMatching(/^chart cubefs 3\.2\.0: the archive is not a complete gzip file/),
        hint: "the repository serves a broken archive: retry later or pin another version",
      }),
    ]);
    expect(chartCache.readDigest(`${BASE}/cubefs`, "cubefs", "3.2.0")).toBeUndefined();
  });

  it("a cache that cannot be written costs nothing but the download", async () => {
    const repos = fakeRepositories();
    const real = cache();
    const readOnly: ChartCache = {
      ...real,
      writeArchive: () => {
        throw new Error("EROFS");
      },
      writeDigest: () => {
        throw new Error("EROFS");
      },
    };
    expect(
      await checkCharts(documents([cubefsRepository, helmRelease({ values: CUBEFS_VALUES })]), {
        cache: readOnly,
        request: { fetch: repos.fetch },
      }),
    ).toEqual([]);
  });

  it("a pin whose archive left the cache is downloaded again", async () => {
    const repos = fakeRepositories();
    const chartCache = cache();
    chartCache.writeDigest(`${BASE}/cubefs`, "cubefs", "3.2.0", sha256("gone"));
    expect(
      await checkCharts(documents([cubefsRepository, helmRelease({})]), {
        cache: chartCache,
        request: { fetch: repos.fetch },
      }),
    ).toEqual([]);
    expect(repos.requests).toEqual([`${BASE}/cubefs/index.yaml`, `${BASE}/cubefs/cubefs-3.2.0.tgz`]);
  });

  it("--offline with a chart not in the cache: a warning naming the cache, and no request", async () => {
    const repos = fakeRepositories();
    const chartCache = cache();
    const findings = await checkCharts(documents([cubefsRepository, helmRelease({})]), {
      cache: chartCache,
      offline: true,
      request: { fetch: repos.fetch },
    });
    expect(findings).toEqual([
      expect.objectContaining({
        severity: "warning",
        object: "HelmRelease cubefs/cubefs",
        path: "spec.chart.spec.version",
        message: `chart cubefs 3.2.0 was not checked: it is not in the chart cache (${chartCache.dir}) and --offline forbids downloading it`,
        hint: "run once without --offline to fill the cache",
      }),
    ]);
    expect(repos.requests).toEqual([]);
  });

  it("an OCI repository (by URL or by type) is a warning at the sourceRef, with no request", async () => {
    const repos = fakeRepositories();
    for (const source of [
      helmRepository("cubefs", "oci://ghcr.io/cubefs/charts"),
      helmRepository("cubefs", "https://ghcr.io/cubefs/charts", { type: "oci" }),
    ]) {
      const url = String(source.spec.url);
      expect(
        await checkCharts(documents([source, helmRelease({})]), { cache: cache(), request: { fetch: repos.fetch } }),
      ).toEqual([
        expect.objectContaining({
          severity: "warning",
          path: "spec.chart.spec.sourceRef",
          message: `chart cubefs 3.2.0 comes from an OCI registry (${url}), which the chart check cannot read yet`,
          hint: "check this chart by hand, or serve it from an HTTP Helm repository",
        }),
      ]);
    }
    expect(repos.requests).toEqual([]);
  });

  it("a repository that cannot be read: an error at the sourceRef with the reason", async () => {
    const repos = fakeRepositories();
    repos.files.delete(`${BASE}/cubefs/index.yaml`);
    expect(
      await checkCharts(documents([cubefsRepository, helmRelease({})]), {
        cache: cache(),
        request: { fetch: repos.fetch },
      }),
    ).toEqual([
      expect.objectContaining({
        severity: "error",
        path: "spec.chart.spec.sourceRef",
        message: `cannot read the Helm repository of chart cubefs 3.2.0: ${BASE}/cubefs/index.yaml answered HTTP 404`,
        hint: "check spec.url of the HelmRepository and the network; rerun with --offline to skip charts not in the cache",
      }),
    ]);
  });
});

/** The first line of the error `yaml` gives for `text`. */
function yamlError(text: string): string {
  try {
    parse(text);
  } catch (error) {
    return (error as Error).message.split("\n")[0] as string;
  }
  throw new Error("the text parsed");
}

describe("values from ConfigMaps (spec.valuesFrom)", () => {
  const configMap = (name: string, data: Record<string, string>, namespace = "cubefs") => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace },
    data,
  });
  const run = async (objects: object[]) => {
    const repos = fakeRepositories();
    return checkCharts(documents([cubefsRepository, ...objects]), { cache: cache(), request: { fetch: repos.fetch } });
  };

  it("checks them like inline values: values.yaml by default, or the valuesKey", async () => {
    const findings = await run([
      helmRelease({
        valuesFrom: [
          { kind: "ConfigMap", name: "one" },
          { kind: "ConfigMap", name: "two", valuesKey: "extra.yaml" },
        ],
      }),
      configMap("one", { "values.yaml": "metanode:\n  totalMem: 1\n" }),
      configMap("two", { "extra.yaml": "datanode:\n  disk: [/data0]\n", "values.yaml": "master:\n  replica: 3\n" }),
    ]);
    expect(findings.map((finding) => [finding.path, finding.hint])).toEqual([
      ["spec.values.metanode.totalMem", expect.stringContaining("did you mean `metanode.total_mem`?")],
      ["spec.values.datanode.disk", expect.stringContaining("did you mean `datanode.disks`?")],
    ]);
  });

  it("inline values are merged over them (null deletes a key they set)", async () => {
    expect(
      await run([
        helmRelease({
          valuesFrom: [{ kind: "ConfigMap", name: "one" }],
          values: { metanode: { totalMem: null } },
        }),
        configMap("one", { "values.yaml": "metanode:\n  totalMem: 1\n" }),
      ]),
    ).toEqual([]);
  });

  it("reads only ConfigMaps of the release's namespace, not Secrets nor targetPath entries", async () => {
    expect(
      await run([
        helmRelease({
          valuesFrom: [
            { kind: "ConfigMap", name: "elsewhere" },
            { kind: "Secret", name: "secret" },
            { kind: "ConfigMap", name: "path", targetPath: "csi.driverName" },
            { kind: "ConfigMap", name: "missing" },
            { kind: "ConfigMap", name: "nokey" },
            "junk",
          ],
        }),
        configMap("elsewhere", { "values.yaml": "bogus: 1\n" }, "other"),
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "secret", namespace: "cubefs" },
          stringData: { "values.yaml": "bogus: 1\n" },
        },
        configMap("secret", { "values.yaml": "bogus: 1\n" }),
        configMap("path", { "values.yaml": "bogus: 1\n" }),
        configMap("nokey", { "other.yaml": "bogus: 1\n" }),
      ]),
    ).toEqual([]);
  });

  it("finds the ConfigMap among objects of other kinds with its name", async () => {
    const findings = await run([
      helmRelease({ valuesFrom: [{ kind: "ConfigMap", name: "one" }] }),
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "one", namespace: "cubefs" },
        data: { "values.yaml": Buffer.from("fine: 1\n").toString("base64") },
      },
      configMap("one", { "values.yaml": "metanode:\n  totalMem: 1\n" }),
    ]);
    expect(findings.map((finding) => finding.path)).toEqual(["spec.values.metanode.totalMem"]);
  });

  it("in a tree without namespaces (kustomize sets them): the release, its repository and ConfigMaps still meet", async () => {
    const repos = fakeRepositories();
    const release = helmRelease({ namespace: "", valuesFrom: [{ kind: "ConfigMap", name: "one" }] });
    const tree = documents([
      { ...cubefsRepository, metadata: { name: "cubefs" } },
      {
        ...release,
        spec: {
          ...release.spec,
          chart: { spec: { ...release.spec.chart.spec, sourceRef: { kind: "HelmRepository", name: "cubefs" } } },
        },
      },
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "one" },
        data: { "values.yaml": "metanode:\n  totalMem: 1\n" },
      },
    ]);
    const findings = await checkCharts(tree, { cache: cache(), request: { fetch: repos.fetch } });
    expect(findings.map((finding) => [finding.object, finding.path])).toEqual([
      ["HelmRelease cubefs", "spec.values.metanode.totalMem"],
    ]);
  });

  it("a values file that is not YAML: one finding at the valuesFrom entry with the ConfigMap's file", async () => {
    const findings = await run([
      helmRelease({
        valuesFrom: [
          { kind: "ConfigMap", name: "fine" },
          { kind: "ConfigMap", name: "broken", valuesKey: "v.yaml" },
        ],
      }),
      configMap("fine", { "values.yaml": "metanode:\n  total_mem: '1'\n" }),
      configMap("broken", { "v.yaml": "csi:\n  storageClass: [unclosed\n" }),
    ]);
    expect(findings).toEqual([
      {
        rule: "helm-chart",
        severity: "error",
        file: "flux/infrastructure/podinfo.yaml",
        line: expect.any(Number),
        object: "HelmRelease cubefs/cubefs",
        path: "spec.valuesFrom[1]",
        message: `the values file v.yaml of ConfigMap cubefs/broken (flux/infrastructure/podinfo.yaml) is not YAML: ${yamlError("csi:\n  storageClass: [unclosed\n")}`,
        hint: "fix the YAML under data.v.yaml in flux/infrastructure/podinfo.yaml; Helm would refuse the release",
      },
    ]);
  });

  it("a values file that is YAML but not a map adds nothing, and takes nothing away", async () => {
    const findings = await run([
      helmRelease({
        valuesFrom: [
          { kind: "ConfigMap", name: "map" },
          { kind: "ConfigMap", name: "list" },
          { kind: "ConfigMap", name: "text" },
        ],
      }),
      configMap("map", { "values.yaml": "metanode:\n  totalMem: 1\n" }),
      configMap("list", { "values.yaml": "- bogus\n" }),
      configMap("text", { "values.yaml": "just words\n" }),
    ]);
    expect(findings.map((finding) => finding.path)).toEqual(["spec.values.metanode.totalMem"]);
  });
});

describe("releaseCharts", () => {
  const tree = (chartSpec: Record<string, unknown>, repo: object = cubefsRepository, namespace = "cubefs") =>
    documents([
      repo,
      {
        apiVersion: "helm.toolkit.fluxcd.io/v2",
        kind: "HelmRelease",
        metadata: { name: "cubefs", namespace },
        spec: { chart: { spec: chartSpec } },
      },
    ]);
  const sourceRef = { kind: "HelmRepository", name: "cubefs", namespace: "flux-system" };

  it("takes exact versions (v prefix, pre-release, build) and leaves ranges and partial versions", () => {
    for (const version of ["3.2.0", "v3.2.0", "3.2.0-rc.1", "3.2.0+build.5", "10.20.30-alpha+001"]) {
      expect(releaseCharts(tree({ chart: "cubefs", version, sourceRef })).map((target) => target.version)).toEqual([
        version,
      ]);
    }
    for (const version of [
      "3.2",
      "3",
      "~3.2.0",
      "^3.2.0",
      "3.2.0 - 3.3.0",
      "3.2.x",
      "3.2.0.1",
      "x3.2.0",
      "3.2.0-",
      ">=3.2.0",
    ]) {
      expect(releaseCharts(tree({ chart: "cubefs", version, sourceRef }))).toEqual([]);
    }
  });

  it("resolves the HelmRepository (namespace defaults to the release's) and says whether it is OCI", () => {
    const [target] = releaseCharts(tree({ chart: "cubefs", version: "3.2.0", sourceRef }));
    expect(target).toMatchObject({ chart: "cubefs", version: "3.2.0", url: `${BASE}/cubefs`, oci: false });
    expect(target?.repository.object.kind).toBe("HelmRepository");
    expect(target?.release.object.kind).toBe("HelmRelease");

    const sameNamespace = tree(
      { chart: "cubefs", version: "3.2.0", sourceRef: { kind: "HelmRepository", name: "cubefs" } },
      cubefsRepository,
      "flux-system",
    );
    expect(releaseCharts(sameNamespace)).toHaveLength(1);
    const otherNamespace = tree({
      chart: "cubefs",
      version: "3.2.0",
      sourceRef: { kind: "HelmRepository", name: "cubefs" },
    });
    expect(releaseCharts(otherNamespace)).toEqual([]);

    const oci = tree({ chart: "cubefs", version: "3.2.0", sourceRef }, helmRepository("cubefs", "oci://ghcr.io/x"));
    expect(releaseCharts(oci)[0]?.oci).toBe(true);
    const ociType = tree(
      { chart: "cubefs", version: "3.2.0", sourceRef },
      helmRepository("cubefs", "https://ghcr.io/x", { type: "oci" }),
    );
    expect(releaseCharts(ociType)[0]?.oci).toBe(true);
    const noUrl = tree({ chart: "cubefs", version: "3.2.0", sourceRef }, { ...cubefsRepository, spec: {} });
    expect(releaseCharts(noUrl)[0]?.url).toBe("");
  });

  it("skips releases from other sources or without a chart name and version", () => {
    expect(
      releaseCharts(tree({ chart: "cubefs", version: "3.2.0", sourceRef: { ...sourceRef, kind: "GitRepository" } })),
    ).toEqual([]);
    expect(releaseCharts(tree({ chart: "cubefs", version: "3.2.0" }))).toEqual([]);
    expect(releaseCharts(tree({ version: "3.2.0", sourceRef }))).toEqual([]);
    expect(releaseCharts(tree({ chart: "cubefs", sourceRef }))).toEqual([]);
    expect(releaseCharts(tree({ chart: "cubefs", version: 3.2, sourceRef }))).toEqual([]);
    // chartRef (an OCIRepository or HelmChart) instead of chart.spec
    const chartRef = documents([
      cubefsRepository,
      {
        apiVersion: "helm.toolkit.fluxcd.io/v2",
        kind: "HelmRelease",
        metadata: { name: "x", namespace: "cubefs" },
        spec: { chartRef: { kind: "OCIRepository", name: "x" } },
      },
      {
        apiVersion: "helm.toolkit.fluxcd.io/v2",
        kind: "HelmRelease",
        metadata: { name: "y", namespace: "cubefs" },
        spec: { chart: "cubefs" },
      },
    ]);
    expect(releaseCharts(chartRef)).toEqual([]);
    // a HelmRelease of another API group is not Flux's
    const foreign = tree({ chart: "cubefs", version: "3.2.0", sourceRef });
    expect(releaseCharts(foreign)).toHaveLength(1);
    expect(
      releaseCharts(
        foreign
          .map((document) => ({ ...document, object: { ...document.object, apiVersion: "helm.example.com/v1" } }))
          .slice(0),
      ),
    ).toHaveLength(0);
    // a repository of another kind with the same name does not count
    const gitRepository = { ...cubefsRepository, kind: "GitRepository" };
    expect(releaseCharts(tree({ chart: "cubefs", version: "3.2.0", sourceRef }, gitRepository))).toEqual([]);
  });
});

describe("chartRule", () => {
  it("is the helm-chart rule, running the chart check with its options", async () => {
    const rule = chartRule({ offline: true, cache: cache() });
    expect(rule.id).toBe(CHART_RULE);
    expect(CHART_RULE).toBe("helm-chart");
    expect(rule.description).toContain("HelmReleases pin a chart version that exists");
    const findings = await rule.check({
      documents: documents([cubefsRepository, helmRelease({})]),
    } as unknown as RuleContext);
    expect(findings).toEqual([
      expect.objectContaining({
        rule: "helm-chart",
        severity: "warning",
        message: expect.stringContaining("was not checked"),
      }),
    ]);
  });
});
