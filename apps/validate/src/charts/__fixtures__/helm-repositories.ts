// Helm repositories in memory for unit tests, served through `request.fetch` from the real indexes and
// archives of ../shared/conformance/charts (relative archive URLs, real digests). Nothing leaves the process.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { SHARED_CHARTS } from "../../../test/charts/shared-charts.js";

/** Base URL of the fake repositories: loopback, and never contacted (the fake `fetch` answers). */
export const BASE = "http://127.0.0.1:9";

export const sharedFile = (...parts: string[]): Buffer => readFileSync(path.join(SHARED_CHARTS, ...parts));

/** The real cubefs-3.2.0.tgz of the cubefs repository. */
export const CUBEFS_TGZ = sharedFile("repos", "cubefs", "cubefs-3.2.0.tgz");

export interface FakeRepositories {
  /** Bodies by URL; a test may replace or delete one. */
  readonly files: Map<string, Uint8Array>;
  /** URLs requested so far. */
  readonly requests: string[];
  readonly fetch: typeof fetch;
}

/** `${BASE}/cubefs` (index and archive), `${BASE}/cilium` and `${BASE}/grafana-community` (indexes only). */
export function fakeRepositories(): FakeRepositories {
  const files = new Map<string, Uint8Array>([
    [`${BASE}/cubefs/index.yaml`, sharedFile("index", "cubefs.yaml")],
    [`${BASE}/cubefs/cubefs-3.2.0.tgz`, CUBEFS_TGZ],
    [`${BASE}/cilium/index.yaml`, sharedFile("index", "cilium.yaml")],
    [`${BASE}/grafana-community/index.yaml`, sharedFile("index", "grafana-community.yaml")],
  ]);
  const requests: string[] = [];
  const fake = async (input: string | URL | Request) => {
    const url = String(input);
    requests.push(url);
    const body = files.get(url);
    return body ? new Response(body) : new Response("not found", { status: 404 });
  };
  return { files, requests, fetch: fake as typeof fetch };
}

/** An index.yaml built from the real cubefs one, changed by `edit`. */
export function cubefsIndex(edit: (entries: Record<string, Record<string, unknown>[]>) => void): Uint8Array {
  const index = parse(sharedFile("index", "cubefs.yaml").toString()) as {
    entries: Record<string, Record<string, unknown>[]>;
  };
  edit(index.entries);
  return Buffer.from(stringify(index));
}

export const helmRepository = (name: string, url: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "HelmRepository",
  metadata: { name, namespace: "flux-system" },
  spec: { interval: "1h", url, ...extra },
});

export const helmRelease = (options: {
  name?: string;
  namespace?: string;
  chart?: string;
  version?: string;
  source?: string;
  values?: Record<string, unknown>;
  valuesFrom?: unknown[];
}) => ({
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  kind: "HelmRelease",
  metadata: {
    name: options.name ?? "cubefs",
    ...(options.namespace === "" ? {} : { namespace: options.namespace ?? "cubefs" }),
  },
  spec: {
    interval: "30m",
    chart: {
      spec: {
        chart: options.chart ?? "cubefs",
        version: options.version ?? "3.2.0",
        sourceRef: { kind: "HelmRepository", name: options.source ?? "cubefs", namespace: "flux-system" },
      },
    },
    ...(options.valuesFrom ? { valuesFrom: options.valuesFrom } : {}),
    ...(options.values ? { values: options.values } : {}),
  },
});
