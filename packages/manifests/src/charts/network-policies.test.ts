// What each namespace of the example clusters may and may not reach, read from the committed Flux tree
// (the files Flux applies), against what the model states. A tiny policy evaluator stands in for the
// CNI: an egress rule admits an address when one of its ipBlocks holds it (outside every `except`) and
// the port matches; selector peers pick pods, never node or LAN addresses, so they are ignored here.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type Cluster, loadCluster, validateCluster } from "@kubeforge/config";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { fixtureInput } from "../../test/fixture-cluster.js";
import { componentsOf, namespacesOf } from "../components/index.js";
import { renderTree } from "../render/tree.js";
import { internetEgressBlocks, PRIVATE_RANGES_V4, PRIVATE_RANGES_V6 } from "./internet-egress.js";
import { KUBE_APISERVER_ENTITIES } from "./namespace-guardrails.js";

type Port = { port?: number | string; protocol?: string };
type Peer = { ipBlock?: { cidr: string; except?: string[] }; namespaceSelector?: unknown; podSelector?: unknown };
type Policy = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: {
    podSelector?: unknown;
    policyTypes?: string[];
    egress?: { to?: Peer[]; ports?: Port[] }[];
    ingress?: { from?: Peer[]; ports?: Port[] }[];
    endpointSelector?: { matchLabels?: Record<string, string> };
  };
};

const repo = path.resolve(import.meta.dirname, "../../../..");

function ipv4ToNumber(address: string): number {
  return address.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

function inCidr(address: string, cidr: string): boolean {
  if (address.includes(":") || cidr.includes(":")) return false; // the examples are IPv4
  const [base, bits] = cidr.split("/") as [string, string];
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4ToNumber(base) / size) * size;
  const value = ipv4ToNumber(address);
  return value >= start && value < start + size;
}

function peerAdmits(peer: Peer, address: string): boolean {
  if (!peer.ipBlock) return false;
  return inCidr(address, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((cidr) => inCidr(address, cidr));
}

function portAdmits(ports: Port[] | undefined, port: number, protocol: string): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((entry) => Number(entry.port) === port && (entry.protocol ?? "TCP") === protocol);
}

/** Whether any NetworkPolicy of the namespace lets its pods open `address:port`. */
function egressAllowed(policies: Policy[], namespace: string, address: string, port: number, protocol = "TCP") {
  return policies
    .filter((policy) => policy.kind === "NetworkPolicy" && policy.metadata.namespace === namespace)
    .flatMap((policy) => policy.spec.egress ?? [])
    .some(
      (rule) =>
        portAdmits(rule.ports, port, protocol) &&
        (rule.to === undefined || rule.to.length === 0 || rule.to.some((peer) => peerAdmits(peer, address))),
    );
}

function readPolicies(fluxDir: string): Policy[] {
  const policies: Policy[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith(".yaml")) {
        for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
          const object = document.toJS() as Policy | null;
          if (object?.kind === "NetworkPolicy" || object?.kind === "CiliumNetworkPolicy") policies.push(object);
        }
      }
    }
  };
  walk(fluxDir);
  return policies;
}

describe("internetEgressBlocks", () => {
  const result = validateCluster(fixtureInput());
  if (!result.ok) throw new Error("fixture invalid");
  const cluster = result.cluster;

  it("excepts the node network, the VIP, the pod and service networks and every private IPv4 range", () => {
    expect(internetEgressBlocks(cluster)).toEqual([
      {
        cidr: "0.0.0.0/0",
        except: [
          "10.0.0.0/24",
          "10.0.0.10/32",
          "10.244.0.0/16",
          "10.96.0.0/12",
          "10.0.0.0/8",
          "172.16.0.0/12",
          "192.168.0.0/16",
          "100.64.0.0/10",
          "169.254.0.0/16",
        ],
      },
    ]);
  });

  it("adds ::/0 minus the IPv6 networks, ULA and link-local when a cluster network is IPv6", () => {
    const dual = {
      ...cluster,
      network: { ...cluster.network, podCidr: "fd00:10:244::/56", serviceCidr: "fd00:10:96::/112" },
    } as Cluster;
    const blocks = internetEgressBlocks(dual);
    expect(blocks[1]).toEqual({ cidr: "::/0", except: ["fd00:10:244::/56", "fd00:10:96::/112", ...PRIVATE_RANGES_V6] });
    expect(blocks[0]?.except).toEqual(["10.0.0.0/24", "10.0.0.10/32", ...PRIVATE_RANGES_V4]);
  });

  it("renders egressToLan as one ipBlock with only its ports", () => {
    const input = fixtureInput();
    const namespaces = input.namespaces ?? [];
    const first = namespaces[0] as NonNullable<typeof namespaces>[number];
    const lan = { cidr: "192.168.1.20/32", ports: [{ port: 2049 }], description: "NAS" };
    const withLan = validateCluster({
      ...input,
      namespaces: [{ ...first, allow: { ...first.allow, egressToLan: [lan] } }, ...namespaces.slice(1)],
    });
    if (!withLan.ok) throw new Error(JSON.stringify(withLan.errors));
    const objects = renderTree(withLan.cluster)
      .filter((file) => file.path.endsWith("namespace-ns-1.yaml"))
      .flatMap((file) => parseAllDocuments(file.content).map((document) => document.toJS() as Policy));
    const policies = objects.filter((object) => object.kind === "NetworkPolicy");
    expect(egressAllowed(policies, "ns-1", "192.168.1.20", 2049)).toBe(true);
    expect(egressAllowed(policies, "ns-1", "192.168.1.20", 22)).toBe(false);
    expect(egressAllowed(policies, "ns-1", "192.168.1.21", 2049)).toBe(false);
  });

  it("refuses a LAN allowance without ports", () => {
    const input = fixtureInput();
    const namespaces = input.namespaces ?? [];
    const result = validateCluster({
      ...input,
      namespaces: [{ name: "x", allow: { egressToLan: [{ cidr: "192.168.1.20/32", ports: [] }] } }, ...namespaces],
    });
    expect(result.ok).toBe(false);
  });
});

for (const name of ["homelab", "staging"]) {
  describe(`clusters/${name}: what each namespace may reach`, async () => {
    const { cluster } = await loadCluster(path.join(repo, "clusters", name, "cluster.ts"));
    const policies = readPolicies(path.join(repo, "clusters", name, "flux"));
    const namespaces = namespacesOf(cluster, componentsOf(cluster));
    const nodes = cluster.nodes.map((node) => node.address);
    const lanHost = cluster.network.gateway;
    const lanPrivate = ["10.1.2.3", "172.16.5.5", "192.168.77.7", "100.64.1.1", "169.254.169.254"];

    it("renders the full except list on every 0.0.0.0/0 block", () => {
      const blocks = policies
        .flatMap((policy) => policy.spec.egress ?? [])
        .flatMap((rule) => rule.to ?? [])
        .filter((peer) => peer.ipBlock?.cidr === "0.0.0.0/0");
      expect(blocks.length).toBeGreaterThan(0);
      for (const block of blocks) {
        expect(block.ipBlock?.except).toEqual([
          cluster.network.nodeCidr,
          `${cluster.api.vip}/32`,
          cluster.network.podCidr,
          cluster.network.serviceCidr,
          ...PRIVATE_RANGES_V4,
        ]);
      }
    });

    it("lets a namespace reach public addresses only when the model allows egress to internet", () => {
      for (const namespace of namespaces) {
        expect(egressAllowed(policies, namespace.name, "1.1.1.1", 443), namespace.name).toBe(
          namespace.allow.egressToInternet,
        );
      }
      expect(namespaces.some((namespace) => namespace.allow.egressToInternet)).toBe(true);
    });

    it("keeps nodes (Talos API, etcd, kubelet), the VIP and the LAN closed unless the model opens them", () => {
      for (const namespace of namespaces) {
        const { allow } = namespace;
        for (const node of nodes) {
          for (const port of [50000, 2379, 10250]) {
            expect(egressAllowed(policies, namespace.name, node, port), `${namespace.name} → ${node}:${port}`).toBe(
              allow.egressToNodes,
            );
          }
          expect(egressAllowed(policies, namespace.name, node, cluster.api.port)).toBe(
            allow.egressToNodes || allow.egressToKubeApi,
          );
        }
        expect(egressAllowed(policies, namespace.name, cluster.api.vip, 22), namespace.name).toBe(false);
        expect(egressAllowed(policies, namespace.name, cluster.api.vip, cluster.api.port)).toBe(allow.egressToKubeApi);
        const lanAllowed = allow.egressToLan.length > 0;
        expect(egressAllowed(policies, namespace.name, lanHost, 443), `${namespace.name} → gateway`).toBe(lanAllowed);
        for (const address of lanPrivate) {
          expect(egressAllowed(policies, namespace.name, address, 443), `${namespace.name} → ${address}`).toBe(false);
        }
      }
    });

    it("admits ingress from outside networks only as the model states", () => {
      for (const namespace of namespaces) {
        const cidrs = policies
          .filter((policy) => policy.kind === "NetworkPolicy" && policy.metadata.namespace === namespace.name)
          .flatMap((policy) => policy.spec.ingress ?? [])
          .flatMap((rule) => rule.from ?? [])
          .flatMap((peer) => (peer.ipBlock ? [peer.ipBlock.cidr] : []));
        expect(cidrs, namespace.name).toEqual(namespace.allow.ingressFromCidrs);
      }
    });

    it("lets the API server reach the operator's webhook port only, through Cilium entities", () => {
      const cilium = policies.filter((policy) => policy.kind === "CiliumNetworkPolicy");
      expect(cilium.map((policy) => `${policy.metadata.namespace}/${policy.metadata.name}`)).toEqual([
        "monitoring/allow-kube-apiserver-prometheus-operator-webhook",
      ]);
      expect(cilium[0]?.spec).toEqual({
        endpointSelector: { matchLabels: { app: "kube-prometheus-stack-operator" } },
        ingress: [
          { fromEntities: KUBE_APISERVER_ENTITIES, toPorts: [{ ports: [{ port: "10250", protocol: "TCP" }] }] },
        ],
      });
      expect(KUBE_APISERVER_ENTITIES).toEqual(["kube-apiserver", "remote-node", "host"]);
    });
  });
}
