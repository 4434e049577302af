import { type Cluster, RELEASES, type ReleaseTable } from "@kubeforge/config";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseManifestText } from "../tree/load-documents.js";
import { BASE, cubefsIndex, fakeRepositories, helmRelease, helmRepository } from "./__fixtures__/helm-repositories.js";
import { formatOutdated, type OutdatedEntry, outdatedCharts, outdatedReleases } from "./outdated.js";

const cluster = (talos: string, kubernetes: string) =>
  ({ talos: { version: talos }, kubernetes: { version: kubernetes } }) as unknown as Cluster;

describe("outdatedReleases (the project's release table)", () => {
  it("newer Talos patches and lines, and the newer Kubernetes releases the Talos line supports", () => {
    expect(outdatedReleases(cluster("v1.13.2", "v1.35.2"))).toEqual([
      {
        component: "Talos",
        current: "v1.13.2",
        newer: ["v1.14.0", "v1.13.9"],
        note: "newest known patch per line (RELEASES in @kubeforge/config)",
      },
      {
        component: "Kubernetes",
        current: "v1.35.2",
        // Talos 1.13 supports Kubernetes up to 1.36: not v1.37.1.
        newer: ["v1.36.4", "v1.35.5"],
        note: "newest known patch per minor that Talos 1.13 supports",
      },
    ]);
  });

  it("the newest known releases are up to date", () => {
    const [talos, kubernetes] = outdatedReleases(cluster("v1.14.0", "v1.37.1"));
    expect(talos?.newer).toEqual([]);
    expect(kubernetes?.newer).toEqual([]);
    expect(outdatedReleases(cluster("v1.13.9", "v1.36.4")).map((entry) => entry.newer)).toEqual([["v1.14.0"], []]);
  });

  it("a Talos line the table does not know: only newer patches of the cluster's Kubernetes minor", () => {
    expect(outdatedReleases(cluster("v1.10.3", "v1.33.1"))).toEqual([
      expect.objectContaining({ component: "Talos", newer: ["v1.14.0", "v1.13.9", "v1.12.11", "v1.11.6"] }),
      expect.objectContaining({
        component: "Kubernetes",
        newer: ["v1.33.6"],
        note: "newest known patch per minor that Talos 1.10 supports",
      }),
    ]);
  });

  it("a version that does not parse gets no entry of its own", () => {
    expect(outdatedReleases(cluster("latest", "v1.33.1"))).toEqual([
      {
        component: "Kubernetes",
        current: "v1.33.1",
        newer: ["v1.33.6"],
        note: "newest known patch per minor that Talos latest supports",
      },
    ]);
    expect(outdatedReleases(cluster("v1.13.2", "1.35"))).toEqual([
      expect.objectContaining({ component: "Talos", newer: ["v1.14.0", "v1.13.9"] }),
    ]);
  });

  it("matches the Talos line by major and minor, and skips table entries that do not parse", () => {
    const table: ReleaseTable = {
      talos: [
        {
          ...(RELEASES.talos[2] as ReleaseTable["talos"][number]),
          version: "v2.13.0",
          kubernetes: { min: "1.31", max: "1.37" },
        },
        { ...(RELEASES.talos[2] as ReleaseTable["talos"][number]), version: "not-a-version" },
        {
          ...(RELEASES.talos[2] as ReleaseTable["talos"][number]),
          version: "v1.13.9",
          kubernetes: { min: "1.31", max: "1.36" },
        },
      ],
      kubernetes: ["v1.35.5", "garbage", "v1.36.4", "v1.37.1"],
    };
    expect(outdatedReleases(cluster("v1.13.2", "v1.35.2"), table)).toEqual([
      expect.objectContaining({ component: "Talos", newer: ["v1.13.9", "v2.13.0"] }),
      expect.objectContaining({ component: "Kubernetes", newer: ["v1.36.4", "v1.35.5"] }),
    ]);
  });
});

const documents = (objects: object[]) =>
  parseManifestText(objects.map((object) => stringify(object)).join("---\n"), {
    file: "flux/infrastructure/charts.yaml",
    absolutePath: "/x/flux/infrastructure/charts.yaml",
  }).documents;

describe("outdatedCharts (the repositories' indexes)", () => {
  it("newer released versions per HelmRelease, newest first, from each index read once", async () => {
    const repos = fakeRepositories();
    const entries = await outdatedCharts(
      documents([
        helmRepository("cilium", `${BASE}/cilium`),
        helmRepository("cubefs", `${BASE}/cubefs`),
        helmRepository("gone", `${BASE}/gone`),
        helmRepository("oci", "oci://ghcr.io/x/charts"),
        helmRelease({ name: "cilium", namespace: "kube-system", chart: "cilium", source: "cilium", version: "1.19.3" }),
        helmRelease({ name: "cilium-two", namespace: "", chart: "cilium", source: "cilium", version: "1.20.0" }),
        helmRelease({}),
        helmRelease({ name: "lost", chart: "lost", source: "gone", version: "1.0.0" }),
        helmRelease({ name: "podinfo", chart: "podinfo", source: "oci", version: "6.9.2" }),
      ]),
      { request: { fetch: repos.fetch } },
    );
    expect(entries).toEqual([
      {
        component: "HelmRelease kube-system/cilium (chart cilium)",
        current: "1.19.3",
        // 1.20.0-rc.1, 1.21.0-pre.0 and the other pre-releases are not offered.
        newer: ["1.20.0", "1.19.6", "1.19.5", "1.19.4"],
        note: `${BASE}/cilium`,
      },
      { component: "HelmRelease cilium-two (chart cilium)", current: "1.20.0", newer: [], note: `${BASE}/cilium` },
      { component: "HelmRelease cubefs/cubefs (chart cubefs)", current: "3.2.0", newer: [], note: `${BASE}/cubefs` },
      {
        component: "HelmRelease cubefs/lost (chart lost)",
        current: "1.0.0",
        newer: [],
        note: `not listed: ${BASE}/gone/index.yaml answered HTTP 404`,
      },
      {
        component: "HelmRelease cubefs/podinfo (chart podinfo)",
        current: "6.9.2",
        newer: [],
        note: "OCI source: not listed",
      },
    ]);
    expect(repos.requests).toEqual([
      `${BASE}/cilium/index.yaml`,
      `${BASE}/cubefs/index.yaml`,
      `${BASE}/gone/index.yaml`,
    ]);
  });

  it("a request that cannot be made (a negative deadline) is noted, not thrown", async () => {
    const repos = fakeRepositories();
    const [entry] = await outdatedCharts(documents([helmRepository("cubefs", `${BASE}/cubefs`), helmRelease({})]), {
      request: { fetch: repos.fetch, timeoutMs: -1 },
    });
    expect(entry?.note).toMatch(/^not listed: The value of "delay" is out of range/);
  });

  it("sorts an index listed in any order by version (3.10.0 after 3.9.1)", async () => {
    const repos = fakeRepositories();
    repos.files.set(
      `${BASE}/cubefs/index.yaml`,
      cubefsIndex((entries) => {
        const [first] = entries.cubefs ?? [];
        entries.cubefs = ["3.1.0", "3.9.1", "3.2.1", "3.10.0-rc.1", "3.10.0", "3.2.0"].map((version) => ({
          ...first,
          version,
        }));
      }),
    );
    const [entry] = await outdatedCharts(documents([helmRepository("cubefs", `${BASE}/cubefs`), helmRelease({})]), {
      request: { fetch: repos.fetch },
    });
    expect(entry?.newer).toEqual(["3.10.0", "3.9.1", "3.2.1"]);
  });

  it("a chart the index does not list has nothing newer", async () => {
    const repos = fakeRepositories();
    const [entry] = await outdatedCharts(
      documents([helmRepository("cubefs", `${BASE}/cubefs`), helmRelease({ chart: "other" })]),
      { request: { fetch: repos.fetch } },
    );
    expect(entry).toEqual({
      component: "HelmRelease cubefs/cubefs (chart other)",
      current: "3.2.0",
      newer: [],
      note: `${BASE}/cubefs`,
    });
  });
});

describe("formatOutdated", () => {
  it("one aligned line per component: up to date, why it is not listed, or the newer versions (five at most)", () => {
    const entries: OutdatedEntry[] = [
      { component: "Talos", current: "v1.13.2", newer: ["v1.14.0", "v1.13.9"] },
      { component: "HelmRelease a/b (chart b)", current: "1.0.0", newer: [], note: "http://x" },
      { component: "Kubernetes", current: "v1.37.1", newer: [] },
      {
        component: "HelmRelease c (chart c)",
        current: "2.0.0",
        newer: [],
        note: "not listed: http://c is unreachable",
      },
      { component: "HelmRelease o (chart o)", current: "6.9.2", newer: [], note: "OCI source: not listed" },
      { component: "HelmRelease f (chart f)", current: "1.0.0", newer: ["1.5.0", "1.4.0", "1.3.0", "1.2.0", "1.1.0"] },
      { component: "HelmRelease s (chart s)", current: "1.0.0", newer: ["7", "6", "5", "4", "3", "2", "1"] },
    ];
    expect(formatOutdated("kubeforge-validate --outdated clusters/homelab", entries)).toBe(
      [
        "kubeforge-validate --outdated clusters/homelab",
        "  Talos                      v1.13.2   → v1.14.0, v1.13.9",
        "  HelmRelease a/b (chart b)  1.0.0     up to date",
        "  Kubernetes                 v1.37.1   up to date",
        "  HelmRelease c (chart c)    2.0.0     not listed: http://c is unreachable",
        "  HelmRelease o (chart o)    6.9.2     OCI source: not listed",
        "  HelmRelease f (chart f)    1.0.0     → 1.5.0, 1.4.0, 1.3.0, 1.2.0, 1.1.0",
        "  HelmRelease s (chart s)    1.0.0     → 7, 6, 5, 4, 3 (+2 more)",
        "",
      ].join("\n"),
    );
  });

  it("an empty list is the title alone", () => {
    expect(formatOutdated("t", [])).toBe("t\n\n");
  });
});
