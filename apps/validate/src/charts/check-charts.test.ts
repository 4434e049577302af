import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseManifestText } from "../tree/load-documents.js";
import { openChartCache } from "./chart-cache.js";
import { checkCharts, releaseCharts } from "./check-charts.js";

const documents = (objects: object[]) =>
  parseManifestText(objects.map((object) => stringify(object)).join("---\n"), {
    file: "flux/infrastructure/podinfo.yaml",
    absolutePath: "/x/flux/infrastructure/podinfo.yaml",
  }).documents;

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

describe("checkCharts without a network", () => {
  const cache = () => openChartCache(mkdtempSync(path.join(tmpdir(), "kubeforge-chart-cache-")));

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
