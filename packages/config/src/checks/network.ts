// Cross-field checks of the node, pod and service networks and the API VIP.
import type { ConfigIssue } from "../errors.js";
import type { Cluster } from "../schema/cluster.js";
import {
  addressBits,
  contains,
  hasHostBits,
  isNetworkOrBroadcast,
  networkOf,
  overlaps,
  parseAddress,
  parseCidr,
} from "./cidr.js";

const NETWORKS = ["nodeCidr", "podCidr", "serviceCidr"] as const;

export function checkCidrs(cluster: Cluster): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const parsed = NETWORKS.map((key) => [key, parseCidr(cluster.network[key])] as const);
  for (const [key, cidr] of parsed) {
    if (cidr && hasHostBits(cidr)) {
      issues.push({
        path: `network.${key}`,
        message: `${cluster.network[key]} has host bits set`,
        hint: `use the network address ${networkOf(cidr)}`,
      });
    }
  }
  for (let i = 0; i < parsed.length; i++) {
    for (let j = i + 1; j < parsed.length; j++) {
      const [keyA, a] = parsed[i] ?? [];
      const [keyB, b] = parsed[j] ?? [];
      if (keyA && keyB && a && b && overlaps(a, b)) {
        issues.push({
          path: `network.${keyB}`,
          message: `${cluster.network[keyB]} overlaps network.${keyA} ${cluster.network[keyA]}`,
          hint: "pick non-overlapping ranges for the node, pod and service networks",
        });
      }
    }
  }
  return issues;
}

/** The service network must hold the API service (.1) and CoreDNS (.10) and room to grow, and the API server caps it. */
export function checkServiceCidrSize(cluster: Cluster): ConfigIssue[] {
  const cidr = parseCidr(cluster.network.serviceCidr);
  if (!cidr) return [];
  const bits = addressBits(cidr);
  const [min, max] = bits === 32 ? [12, 24] : [108, 120];
  if (cidr[1] > max) {
    return [
      {
        path: "network.serviceCidr",
        message: `${cluster.network.serviceCidr} is too small for cluster services`,
        hint: `use a /${max} or larger block`,
      },
    ];
  }
  if (cidr[1] < min) {
    return [
      {
        path: "network.serviceCidr",
        message: `${cluster.network.serviceCidr} is larger than the API server accepts`,
        hint: `use a /${min} or smaller block`,
      },
    ];
  }
  return [];
}

export function checkAddresses(cluster: Cluster): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const nodeCidr = parseCidr(cluster.network.nodeCidr);
  if (!nodeCidr) return issues;
  const inside = (value: string) => {
    const address = parseAddress(value);
    return address !== undefined && contains(nodeCidr, address) && !isNetworkOrBroadcast(nodeCidr, address);
  };
  cluster.nodes.forEach((node, index) => {
    if (!inside(node.address)) {
      issues.push({
        path: `nodes[${index}].address`,
        message: `${node.address} is outside nodeCidr ${cluster.network.nodeCidr}`,
        hint: "move the node or widen the CIDR",
      });
    }
  });
  if (!inside(cluster.network.gateway)) {
    issues.push({
      path: "network.gateway",
      message: `${cluster.network.gateway} is outside nodeCidr ${cluster.network.nodeCidr}`,
      hint: "set the gateway of the node subnet",
    });
  }
  const { vip } = cluster.api;
  if (!inside(vip)) {
    issues.push({
      path: "api.vip",
      message: `${vip} is outside nodeCidr ${cluster.network.nodeCidr}`,
      hint: "a Layer 2 VIP must be a free address in the node subnet",
    });
  }
  const owner = cluster.nodes.findIndex((node) => node.address === vip);
  if (owner >= 0) {
    issues.push({
      path: "api.vip",
      message: `${vip} is the address of nodes[${owner}] (${cluster.nodes[owner]?.hostname})`,
      hint: "pick a free address for the VIP; it moves between nodes",
    });
  }
  if (vip === cluster.network.gateway) {
    issues.push({
      path: "api.vip",
      message: `${vip} is the gateway address`,
      hint: "pick a free address for the VIP",
    });
  }
  return issues;
}
