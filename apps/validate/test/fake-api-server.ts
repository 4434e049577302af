// An in-process fake Kubernetes API server (node:http) for live-mode tests. It speaks the real paths and JSON
// shapes the client uses: discovery (APIResourceList), lists, single-object GETs and Status 404s.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface FakeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

interface Resource {
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/**
 * Built-in resources served per group/version (a subset of a real cluster's discovery). Custom resources
 * (Flux, prometheus-operator…) are served only when the server holds objects of that kind, as if their
 * CRDs were installed.
 */
const RESOURCES: Record<string, Resource[]> = {
  v1: [
    { kind: "Namespace", plural: "namespaces", namespaced: false },
    { kind: "Node", plural: "nodes", namespaced: false },
    { kind: "Pod", plural: "pods", namespaced: true },
    { kind: "Event", plural: "events", namespaced: true },
    { kind: "Secret", plural: "secrets", namespaced: true },
    { kind: "ConfigMap", plural: "configmaps", namespaced: true },
    { kind: "Service", plural: "services", namespaced: true },
    { kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true },
    { kind: "ResourceQuota", plural: "resourcequotas", namespaced: true },
    { kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims", namespaced: true },
    { kind: "LimitRange", plural: "limitranges", namespaced: true },
  ],
  "apps/v1": [
    { kind: "Deployment", plural: "deployments", namespaced: true },
    { kind: "DaemonSet", plural: "daemonsets", namespaced: true },
    { kind: "StatefulSet", plural: "statefulsets", namespaced: true },
  ],
  "networking.k8s.io/v1": [{ kind: "NetworkPolicy", plural: "networkpolicies", namespaced: true }],
  "rbac.authorization.k8s.io/v1": [
    { kind: "ClusterRole", plural: "clusterroles", namespaced: false },
    { kind: "ClusterRoleBinding", plural: "clusterrolebindings", namespaced: false },
    { kind: "RoleBinding", plural: "rolebindings", namespaced: true },
  ],
  "scheduling.k8s.io/v1": [{ kind: "PriorityClass", plural: "priorityclasses", namespaced: false }],
  "storage.k8s.io/v1": [{ kind: "StorageClass", plural: "storageclasses", namespaced: false }],
};

export interface FakeApiServer {
  readonly url: string;
  /** Objects the server holds; tests mutate this array directly. */
  readonly objects: FakeObject[];
  /** `METHOD path?query` of every request, in order. */
  readonly requests: string[];
  /** Writes a kubeconfig pointing at the server and returns its path. */
  writeKubeconfig(): Promise<string>;
  close(): Promise<void>;
}

function status(code: number, reason: string, message: string) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith("y")) return `${lower.slice(0, -1)}ies`;
  if (lower.endsWith("s")) return `${lower}es`;
  return `${lower}s`;
}

/** The discovery table plus every kind the server holds (as if its CRD were installed). */
function servedResources(objects: readonly FakeObject[]): Record<string, Resource[]> {
  const served: Record<string, Resource[]> = Object.fromEntries(
    Object.entries(RESOURCES).map(([groupVersion, list]) => [groupVersion, [...list]]),
  );
  for (const object of objects) {
    const list = served[object.apiVersion] ?? [];
    served[object.apiVersion] = list;
    if (list.some((resource) => resource.kind === object.kind)) continue;
    list.push({
      kind: object.kind,
      plural: pluralOf(object.kind),
      namespaced: object.metadata.namespace !== undefined,
    });
  }
  return served;
}

function route(objects: readonly FakeObject[], url: URL): { code: number; body: unknown } {
  const served = servedResources(objects);
  const resourceOf = (groupVersion: string, plural: string) =>
    served[groupVersion]?.find((resource) => resource.plural === plural);
  const parts = url.pathname.split("/").filter(Boolean);
  let groupVersion: string;
  let rest: string[];
  if (parts[0] === "api" && parts[1] === "v1") {
    groupVersion = "v1";
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 3) {
    groupVersion = `${parts[1]}/${parts[2]}`;
    rest = parts.slice(3);
  } else {
    return { code: 404, body: status(404, "NotFound", `the server could not find the requested resource`) };
  }
  if (rest.length === 0) {
    const resources = served[groupVersion];
    if (!resources)
      return { code: 404, body: status(404, "NotFound", "the server could not find the requested resource") };
    return {
      code: 200,
      body: {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion,
        resources: resources.map((r) => ({
          name: r.plural,
          singularName: "",
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: ["get", "list"],
        })),
      },
    };
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name] = rest;
  const resource = resourceOf(groupVersion, plural ?? "");
  if (!resource)
    return { code: 404, body: status(404, "NotFound", "the server could not find the requested resource") };
  const matches = objects.filter(
    (object) =>
      object.apiVersion === groupVersion &&
      object.kind === resource.kind &&
      (namespace === undefined || object.metadata.namespace === namespace),
  );
  if (name) {
    const found = matches.find((object) => object.metadata.name === name);
    if (!found) return { code: 404, body: status(404, "NotFound", `${plural} "${name}" not found`) };
    return { code: 200, body: found };
  }
  let items = matches;
  const selector = url.searchParams.get("fieldSelector");
  if (selector) {
    const [field, value] = selector.split("=");
    items = items.filter((object) => String((object as Record<string, unknown>)[field ?? ""]) === value);
  }
  return {
    code: 200,
    body: { kind: `${resource.kind}List`, apiVersion: groupVersion, metadata: { resourceVersion: "1" }, items },
  };
}

export async function startFakeApiServer(objects: FakeObject[] = []): Promise<FakeApiServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    requests.push(`${request.method} ${url.pathname}${url.search}`);
    // Pod logs (text/plain): a pod object's `logs` field maps container names to their output.
    const log = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname);
    if (request.method === "GET" && log) {
      const pod = objects.find(
        (object) => object.kind === "Pod" && object.metadata.namespace === log[1] && object.metadata.name === log[2],
      );
      const text = (pod?.logs as Record<string, string> | undefined)?.[url.searchParams.get("container") ?? ""];
      response.writeHead(text === undefined ? 404 : 200, { "content-type": "text/plain" });
      response.end(text ?? "");
      return;
    }
    const { code, body } =
      request.method === "GET"
        ? route(objects, url)
        : { code: 405, body: status(405, "MethodNotAllowed", "read-only fake") };
    response.writeHead(code, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dirs: string[] = [];
  return {
    url,
    objects,
    requests,
    async writeKubeconfig() {
      const dir = await mkdtemp(path.join(tmpdir(), "kubeconfig-"));
      dirs.push(dir);
      const file = path.join(dir, "config");
      await writeFile(
        file,
        [
          "apiVersion: v1",
          "kind: Config",
          "clusters:",
          "  - name: fake",
          "    cluster:",
          `      server: ${url}`,
          // client-node refuses plain HTTP unless TLS verification is explicitly off.
          "      insecure-skip-tls-verify: true",
          "users:",
          "  - name: admin",
          "    user:",
          "      token: fake-token",
          "contexts:",
          "  - name: fake",
          "    context: {cluster: fake, user: admin}",
          "current-context: fake",
          "",
        ].join("\n"),
      );
      return file;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    },
  };
}
