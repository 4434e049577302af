// An in-process fake Kubernetes API (node:http, loopback only) with what bootstrap touches: /version, namespaces,
// Secrets, a FluxInstance, and Flux Kustomizations/HelmReleases that turn Ready a few polls after the FluxInstance
// is created.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeFluxApi {
  readonly url: string;
  readonly secrets: Map<string, unknown>;
  readonly requests: string[];
  fluxInstance?: unknown;
  close(): Promise<void>;
}

export async function startFakeFluxApi(options: { pollsUntilReady?: number } = {}): Promise<FakeFluxApi> {
  const namespaces = new Set<string>(["default", "kube-system"]);
  let polls = 0;
  const state: FakeFluxApi = {
    url: "",
    secrets: new Map(),
    requests: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const conditions = (ready: boolean) => [
    ready
      ? { type: "Ready", status: "True", reason: "ReconciliationSucceeded", message: "Applied revision: main@sha1:abc" }
      : {
          type: "Ready",
          status: "False",
          reason: "DependencyNotReady",
          message: "dependency 'flux-system/infrastructure' is not ready",
        },
  ];
  const fluxList = (kind: string, apiVersion: string, names: string[], ready: boolean) => ({
    apiVersion,
    kind: `${kind}List`,
    items: names.map((name) => ({
      apiVersion,
      kind,
      metadata: { name, namespace: "flux-system", generation: 1 },
      status: { observedGeneration: 1, conditions: conditions(ready) },
    })),
  });
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://localhost");
      state.requests.push(`${request.method} ${url.pathname}`);
      const send = (code: number, data: unknown) => {
        response.writeHead(code, { "content-type": "application/json" });
        response.end(JSON.stringify(data));
      };
      const conflict = () =>
        send(409, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "AlreadyExists", code: 409 });
      const parsed = body ? JSON.parse(body) : undefined;
      const { pathname } = url;
      if (pathname === "/fake/flux-installed") {
        state.fluxInstance = { installedBy: "flux install" };
        return send(200, {});
      }
      if (pathname === "/version") return send(200, { major: "1", minor: "35", gitVersion: "v1.35.5" });
      if (request.method === "POST" && pathname === "/api/v1/namespaces") {
        if (namespaces.has(parsed.metadata.name)) return conflict();
        namespaces.add(parsed.metadata.name);
        return send(201, parsed);
      }
      const secret = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/.exec(pathname);
      if (secret) {
        const key = `${secret[1]}/${secret[2] ?? parsed?.metadata?.name}`;
        if (request.method === "POST") {
          if (state.secrets.has(key)) return conflict();
          state.secrets.set(key, parsed);
          return send(201, parsed);
        }
        if (request.method === "PUT") {
          state.secrets.set(key, parsed);
          return send(200, parsed);
        }
      }
      if (pathname.startsWith("/apis/fluxcd.controlplane.io/v1/namespaces/flux-system/fluxinstances")) {
        if (request.method === "POST") {
          if (state.fluxInstance) return conflict();
          state.fluxInstance = parsed;
          return send(201, parsed);
        }
        if (request.method === "GET")
          return state.fluxInstance ? send(200, state.fluxInstance) : send(404, { kind: "Status", code: 404 });
        if (request.method === "PUT") {
          state.fluxInstance = parsed;
          return send(200, parsed);
        }
      }
      if (pathname === "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations") {
        if (!state.fluxInstance) return send(404, { kind: "Status", code: 404, reason: "NotFound" });
        polls++;
        const ready = polls > (options.pollsUntilReady ?? 2);
        return send(
          200,
          fluxList(
            "Kustomization",
            "kustomize.toolkit.fluxcd.io/v1",
            ["flux-system", "infrastructure", "configs", "apps"],
            ready,
          ),
        );
      }
      if (pathname === "/apis/helm.toolkit.fluxcd.io/v2/helmreleases") {
        if (!state.fluxInstance) return send(404, { kind: "Status", code: 404, reason: "NotFound" });
        return send(
          200,
          fluxList(
            "HelmRelease",
            "helm.toolkit.fluxcd.io/v2",
            ["cilium", "kube-prometheus-stack"],
            polls > (options.pollsUntilReady ?? 2),
          ),
        );
      }
      send(404, {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        reason: "NotFound",
        code: 404,
        message: `${request.method} ${pathname}`,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  (state as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
