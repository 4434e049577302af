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
  /**
   * Talos machine stage (`talosctl get machinestatus`), as Talos spells it: running, upgrading, rebooting,
   * "shutting down" (with a space), … (MACHINE_STAGES in src/talosctl.ts).
   */
  stage: string;
  /** Changes at every reboot (Node status.nodeInfo.bootID). */
  bootId: string;
  /** LifecycleService path: the installer image pulled so far (talosctl waits for it, with no deadline). */
  pulled?: string;
  /** LifecycleService path: talosctl's drain finished evicting the node's pods. */
  evicted?: boolean;
}

/** The phases of `talosctl upgrade` (1.13+ client, 1.13+ node: LifecycleService), each its own call. */
export type LifecyclePhase = "pull" | "install" | "cordon" | "evict" | "reboot" | "uncordon";

export interface SimPod {
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  phase: string;
  /** Ready condition; Running pods are Ready unless this says false. */
  ready?: boolean;
  /** A container's waiting reason (CrashLoopBackOff, ImagePullBackOff). */
  waiting?: string;
  restarts?: number;
}

export interface ControlHandlers {
  upgrade(address: string, image: string): void;
  lifecycle(address: string, phase: LifecyclePhase, image: string): void;
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
        bootID: node.bootId,
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
    status: {
      phase: pod.phase,
      conditions: [{ type: "Ready", status: pod.phase === "Running" && pod.ready !== false ? "True" : "False" }],
      containerStatuses: [
        {
          name: "main",
          image: "registry.k8s.io/pause:3.10",
          imageID: "",
          ready: pod.phase === "Running" && pod.ready !== false,
          restartCount: pod.restarts ?? 0,
          state: pod.waiting ? { waiting: { reason: pod.waiting } } : pod.phase === "Running" ? { running: {} } : {},
        },
      ],
    },
  };
}

function send(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

async function readRaw(request: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of request) text += chunk;
  return text;
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
  /** Leases written through the API (the run lock), by `namespace/name`, with their resourceVersion. */
  readonly leaseObjects: Map<string, { spec: Record<string, unknown>; resourceVersion: number }>;
  close(): Promise<void>;
}

export async function startFakeKube(
  state: { nodes: SimNode[]; pods: SimPod[] },
  control: ControlHandlers,
  tls: { cert: string; key: string },
): Promise<FakeKube> {
  const hits = new Map<string, number>();
  const leases = new Map<string, string>();
  const leaseObjects = new Map<string, { spec: Record<string, unknown>; resourceVersion: number }>();
  let revision = 100;
  const conflict = (response: ServerResponse, message: string) =>
    send(response, 409, {
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      message,
      reason: "Conflict",
      code: 409,
    });
  const leaseJson = (
    namespace: string,
    name: string,
    stored: { spec: Record<string, unknown>; resourceVersion: number },
  ) => ({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name, namespace, resourceVersion: String(stored.resourceVersion) },
    spec: stored.spec,
  });
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
      const leaseList = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases$/.exec(url.pathname);
      if (request.method === "POST" && leaseList) {
        const body = JSON.parse((await readRaw(request)) || "{}");
        const key = `${leaseList[1]}/${body.metadata?.name}`;
        if (leaseObjects.has(key)) return conflict(response, `leases "${body.metadata?.name}" already exists`);
        const stored = { spec: body.spec ?? {}, resourceVersion: ++revision };
        leaseObjects.set(key, stored);
        return send(response, 201, leaseJson(leaseList[1] ?? "", body.metadata?.name, stored));
      }
      const lease = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases\/([^/]+)$/.exec(url.pathname);
      const object = lease ? leaseObjects.get(`${lease[1]}/${lease[2]}`) : undefined;
      if (lease && object && request.method === "GET")
        return send(response, 200, leaseJson(lease[1] ?? "", lease[2] ?? "", object));
      if (lease && request.method === "PUT") {
        const body = JSON.parse((await readRaw(request)) || "{}");
        if (!object) return send(response, 404, { kind: "Status", code: 404, reason: "NotFound", message: "no lease" });
        if (String(object.resourceVersion) !== body.metadata?.resourceVersion) {
          return conflict(response, "the object has been modified; please apply your changes to the latest version");
        }
        const stored = { spec: body.spec ?? {}, resourceVersion: ++revision };
        leaseObjects.set(`${lease[1]}/${lease[2]}`, stored);
        return send(response, 200, leaseJson(lease[1] ?? "", lease[2] ?? "", stored));
      }
      if (lease && request.method === "DELETE") {
        const body = JSON.parse((await readRaw(request)) || "{}");
        if (!object) return send(response, 404, { kind: "Status", code: 404, reason: "NotFound", message: "no lease" });
        const wanted = body.preconditions?.resourceVersion;
        if (wanted !== undefined && String(object.resourceVersion) !== wanted)
          return conflict(response, "precondition failed");
        leaseObjects.delete(`${lease[1]}/${lease[2]}`);
        return send(response, 200, { kind: "Status", apiVersion: "v1", status: "Success", code: 200 });
      }
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
          return send(response, 200, {
            // The Kubernetes node name, which talosctl's drain resolves (Nodename) and names in its errors.
            hostname: node.hostname,
            up: node.up,
            talos: node.talos,
            ready: node.ready,
            stage: node.stage,
            bootId: node.bootId,
            unschedulable: node.unschedulable,
            pulled: node.pulled,
            evicted: node.evicted ?? false,
          });
        }
        if (request.method === "GET" && url.pathname === "/__sim/nodes") {
          return send(response, 200, { nodes: state.nodes });
        }
        const body = await readBody(request);
        if (request.method === "POST" && url.pathname === "/__sim/upgrade") {
          control.upgrade(body.node ?? "", body.image ?? "");
          return send(response, 202, { accepted: true });
        }
        if (request.method === "POST" && url.pathname === "/__sim/lifecycle") {
          control.lifecycle(body.node ?? "", body.phase as LifecyclePhase, body.image ?? "");
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
    leaseObjects,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
