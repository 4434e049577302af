// Cross-field checks of the node, pod and service networks and the API VIP.

import { nodeSchematic } from "../derive.js";
import type { ConfigIssue } from "../errors.js";
import { nodeLinks, vlanName } from "../links.js";
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

/** Kernel names `ethN` exist only with predictable interface names turned off (Talos ≥ 1.5 names NICs enpXsY). */
const LEGACY_NAME = /^eth\d+$/;

export function checkLinks(cluster: Cluster): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  cluster.nodes.forEach((node, index) => {
    const at = `nodes[${index}]`;
    const links = nodeLinks(node);
    const { extraKernelArgs } = nodeSchematic(cluster, node);
    const legacyNames = extraKernelArgs.includes("net.ifnames=0");
    if (node.interface !== undefined && LEGACY_NAME.test(node.interface) && !legacyNames) {
      issues.push({
        path: `${at}.interface`,
        message: `${node.interface} does not exist on Talos: it names NICs predictably (enp1s0, eno1), so ${node.interface} addresses nothing`,
        hint: `select the NIC by hardware with nodes[${index}].mac: "<its MAC>" (\`talosctl get links --insecure -n <node>\` lists them), or keep ${node.interface} and add "net.ifnames=0" to talos.schematic.extraKernelArgs`,
      });
    }
    if (node.interface !== undefined && (node.mac !== undefined || node.linkMatch !== undefined)) {
      issues.push({
        path: `${at}.interface`,
        message: "is given together with mac/linkMatch, which already select the uplink",
        hint: "remove interface",
      });
    }
    if (node.network.bond && (node.mac !== undefined || node.linkMatch !== undefined || node.interface !== undefined)) {
      issues.push({
        path: `${at}.network.bond`,
        message: "replaces the single uplink NIC, but the node also names one (mac, linkMatch or interface)",
        hint: "list the NICs' MACs in network.bond.members and remove mac/linkMatch/interface",
      });
    }
    const members = node.network.bond?.members ?? [];
    members.forEach((mac, memberIndex) => {
      if (members.indexOf(mac) !== memberIndex) {
        issues.push({
          path: `${at}.network.bond.members[${memberIndex}]`,
          message: `${mac} is listed twice`,
          hint: "list each member NIC once",
        });
      }
    });
    const ids = new Map<number, number>();
    const names = new Map<string, number>();
    node.network.vlans.forEach((vlan, vlanIndex) => {
      const path = `${at}.network.vlans[${vlanIndex}]`;
      const parent = vlan.parent ?? links.uplink;
      const key = vlan.id + 4096 * [...links.all].indexOf(parent);
      if (ids.has(key)) {
        issues.push({
          path: `${path}.id`,
          message: `VLAN ${vlan.id} on ${parent} is already defined by vlans[${ids.get(key)}]`,
          hint: "give every VLAN on a link its own id",
        });
      } else ids.set(key, vlanIndex);
      const name = vlanName(vlan);
      if (names.has(name) || [links.base, links.uplink, ...links.bondMembers].includes(name)) {
        issues.push({
          path: `${path}.name`,
          message: `${name} is already the name of another link of ${node.hostname}`,
          hint: "give the VLAN its own name",
        });
      } else names.set(name, vlanIndex);
      if (vlan.parent !== undefined && !links.all.has(vlan.parent)) {
        issues.push({
          path: `${path}.parent`,
          message: `${vlan.parent} is not a link of ${node.hostname} (it has ${[...links.all].join(", ")})`,
          hint: "use one of the node's links, or leave parent out for the uplink",
        });
      }
    });
    if (node.network.vipLink !== undefined && !links.all.has(node.network.vipLink)) {
      issues.push({
        path: `${at}.network.vipLink`,
        message: `${node.network.vipLink} is not a link of ${node.hostname} (it has ${[...links.all].join(", ")}), so the VIP would be on nothing`,
        hint: "name one of the node's links, or leave vipLink out for the uplink",
      });
    }
  });
  // A bond member that is another node's NIC (node.mac duplicates are checkUniqueNodes' to report).
  const owners = new Map<string, string>();
  for (const node of cluster.nodes) if (node.mac) owners.set(node.mac, node.hostname);
  cluster.nodes.forEach((node, index) => {
    (node.network.bond?.members ?? []).forEach((mac, memberIndex) => {
      const owner = owners.get(mac);
      if (owner !== undefined && owner !== node.hostname) {
        issues.push({
          path: `nodes[${index}].network.bond.members[${memberIndex}]`,
          message: `${mac} is a NIC of ${owner}`,
          hint: "each NIC belongs to one node",
        });
      }
      owners.set(mac, node.hostname);
    });
  });
  return issues;
}
