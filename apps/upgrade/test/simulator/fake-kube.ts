// An in-process fake Kubernetes API (real paths and JSON for nodes and pods) plus the simulator's control
// routes under /__sim/ that the fake talosctl calls.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";

export interface SimNode {
  readonly hostname: string;
  readonly address: string;
  talos: string;
  kubelet: string;
  ready: boolean;
  unschedulable: boolean;
  /** Reachable through the Talos API (false while rebooting). */
  up: boolean;
}

export interface SimPod {
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  phase: string;
}

export interface ControlHandlers {
  upgrade(address: string, image: string): void;
  upgradeKubernetes(to: string): void;
}

function nodeObject(node: SimNode) {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: node.hostname, labels: { "kubernetes.io/hostname": node.hostname } },
    spec: node.unschedulable ? { unschedulable: true } : {},
    status: {
      addresses: [
        { type: "InternalIP", address: node.address },
        { type: "Hostname", address: node.hostname },
      ],
      conditions: [
        {
          type: "Ready",
          status: node.ready ? "True" : "False",
          reason: node.ready ? "KubeletReady" : "KubeletNotReady",
          message: node.ready ? "kubelet is posting ready status" : "node is rebooting",
          lastHeartbeatTime: "2026-01-01T00:00:00Z",
          lastTransitionTime: "2026-01-01T00:00:00Z",
        },
      ],
      nodeInfo: {
        kubeletVersion: node.kubelet,
        kubeProxyVersion: "",
        osImage: `Talos (${node.talos})`,
        operatingSystem: "linux",
        architecture: "amd64",
        containerRuntimeVersion: "containerd://2.1.0",
        kernelVersion: "6.12.0-talos",
        bootID: "",
        machineID: "",
        systemUUID: "",
      },
    },
  };
}

function podObject(pod: SimPod) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: pod.name, namespace: pod.namespace },
    spec: { nodeName: pod.node, containers: [{ name: "main", image: "registry.k8s.io/pause:3.10" }] },
    status: { phase: pod.phase },
  };
}

function send(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<Record<string, string>> {
  let text = "";
  for await (const chunk of request) text += chunk;
  return text ? (JSON.parse(text) as Record<string, string>) : {};
}

export interface FakeKube {
  readonly server: Server;
  readonly url: string;
  /** Requests served, by path (for assertions on what the orchestrator asked). */
  readonly hits: Map<string, number>;
  /** Lease holders by `namespace/name` (kube-vip's plndr-cp-lock names the VIP holder); absent leases are 404. */
  readonly leases: Map<string, string>;
  close(): Promise<void>;
}

export async function startFakeKube(
  state: { nodes: SimNode[]; pods: SimPod[] },
  control: ControlHandlers,
  tls: { cert: string; key: string },
): Promise<FakeKube> {
  const hits = new Map<string, number>();
  const leases = new Map<string, string>();
  const server = createServer({ cert: tls.cert, key: tls.key }, async (request, response) => {
    const url = new URL(request.url ?? "/", "https://localhost");
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    try {
      if (request.method === "GET" && url.pathname === "/api/v1/nodes") {
        return send(response, 200, {
          apiVersion: "v1",
          kind: "NodeList",
          metadata: { resourceVersion: "1" },
          items: state.nodes.map(nodeObject),
        });
      }
      if (request.method === "GET" && url.pathname === "/api/v1/pods") {
        return send(response, 200, {
          apiVersion: "v1",
          kind: "PodList",
          metadata: { resourceVersion: "1" },
          items: state.pods.map(podObject),
        });
      }
      const lease = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases\/([^/]+)$/.exec(url.pathname);
      const holder = lease ? leases.get(`${lease[1]}/${lease[2]}`) : undefined;
      if (request.method === "GET" && lease && holder !== undefined) {
        return send(response, 200, {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: lease[2], namespace: lease[1], resourceVersion: "1" },
          spec: { holderIdentity: holder, leaseDurationSeconds: 5 },
        });
      }
      if (url.pathname.startsWith("/__sim/")) {
        const node = state.nodes.find((candidate) => candidate.address === url.searchParams.get("node"));
        if (request.method === "GET" && url.pathname === "/__sim/node") {
          if (!node) return send(response, 404, { error: "unknown node" });
          return send(response, 200, { up: node.up, talos: node.talos, ready: node.ready });
        }
        if (request.method === "GET" && url.pathname === "/__sim/nodes") {
          return send(response, 200, { nodes: state.nodes });
        }
        const body = await readBody(request);
        if (request.method === "POST" && url.pathname === "/__sim/upgrade") {
          control.upgrade(body.node ?? "", body.image ?? "");
          return send(response, 202, { accepted: true });
        }
        if (request.method === "POST" && url.pathname === "/__sim/upgrade-k8s") {
          control.upgradeKubernetes(body.to ?? "");
          return send(response, 202, { accepted: true });
        }
      }
      send(response, 404, {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        message: `the server could not find ${url.pathname}`,
        reason: "NotFound",
        code: 404,
      });
    } catch (error) {
      send(response, 500, { kind: "Status", status: "Failure", message: String(error), code: 500 });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address !== "object") throw new Error("fake Kubernetes API did not bind");
  return {
    server,
    url: `https://127.0.0.1:${address.port}`,
    hits,
    leases,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
