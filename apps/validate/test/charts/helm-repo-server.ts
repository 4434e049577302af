// A real Helm repository on 127.0.0.1 built from ../shared/conformance/charts: the real indexes with
// their URLs rewritten to loopback, the real archives, and for charts that have no archive there an
// archive built here from the chart's files with a matching index entry. Nothing is copied into the project.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { createTar } from "nanotar";
import { parse, stringify } from "yaml";
import { sha256 } from "../../src/charts/chart-cache.js";
import { readFolder, SHARED_CHARTS } from "./shared-charts.js";

/** The tree's HelmRepository names and which shared index and charts serve each. */
const REPOSITORIES: Record<string, { index?: string; archives: string[]; built: [string, string][] }> = {
  cilium: { index: "cilium.yaml", archives: ["cilium/cilium-1.19.5.tgz"], built: [] },
  cubefs: { index: "cubefs.yaml", archives: ["cubefs/cubefs-3.2.0.tgz"], built: [] },
  "grafana-community": { index: "grafana-community.yaml", archives: [], built: [["loki", "12.0.0"]] },
  grafana: { index: "grafana.yaml", archives: [], built: [["alloy", "1.11.1"]] },
  // Its real index was too large to keep; one entry for the pinned chart stands in for it.
  "prometheus-community": { archives: [], built: [["kube-prometheus-stack", "88.5.2"]] },
};

/** A chart archive as `helm package` lays it out: every file under a `<chart>/` folder. */
export function packChart(name: string, version: string): Buffer {
  const files = readFolder(path.join(SHARED_CHARTS, name, version));
  const tar = createTar(
    [...files]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([file, data]) => ({ name: `${name}/${file}`, data, attrs: { mtime: 0 } })),
  );
  return gzipSync(tar);
}

export interface HelmRepoServer {
  /** Base URL of a repository, e.g. http://127.0.0.1:41234/cubefs */
  url(name: string): string;
  /** Files served, by URL path; tests may replace one (junk, truncated archive). */
  readonly files: Map<string, Buffer>;
  /** Paths requested so far. */
  readonly requests: string[];
  close(): Promise<void>;
}

interface IndexDocument {
  entries: Record<string, Record<string, unknown>[]>;
  [key: string]: unknown;
}

export async function startHelmRepoServer(): Promise<HelmRepoServer> {
  const files = new Map<string, Buffer>();
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const urlPath = (request.url ?? "/").split("?")[0] ?? "/";
    requests.push(urlPath);
    const body = files.get(urlPath);
    if (!body) {
      response.writeHead(404).end("not found");
      return;
    }
    response.writeHead(200, { "content-length": body.length }).end(body);
  });
  // A loaded machine leaves long gaps between requests; never close a socket the client may reuse.
  server.keepAliveTimeout = 600_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  for (const [repo, spec] of Object.entries(REPOSITORIES)) {
    const index: IndexDocument = spec.index
      ? (parse(readFileSync(path.join(SHARED_CHARTS, "index", spec.index), "utf8")) as IndexDocument)
      : { apiVersion: "v1", entries: {} };
    for (const entries of Object.values(index.entries)) {
      for (const entry of entries) entry.urls = [`${base}/${repo}/${entry.name}-${entry.version}.tgz`];
    }
    for (const archive of spec.archives) {
      files.set(`/${repo}/${path.basename(archive)}`, readFileSync(path.join(SHARED_CHARTS, "repos", archive)));
    }
    for (const [name, version] of spec.built) {
      const bytes = packChart(name, version);
      files.set(`/${repo}/${name}-${version}.tgz`, bytes);
      const list = index.entries[name] ?? [];
      index.entries[name] = list;
      const entry = list.find((candidate) => candidate.version === version);
      const fields = { name, version, digest: sha256(bytes), urls: [`${base}/${repo}/${name}-${version}.tgz`] };
      if (entry) Object.assign(entry, fields);
      else list.unshift({ apiVersion: "v2", ...fields });
    }
    files.set(`/${repo}/index.yaml`, Buffer.from(stringify(index)));
  }
  return {
    url: (name) => `${base}/${name}`,
    files,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
