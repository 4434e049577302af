// What "egress to internet" means: every address except the cluster's own networks and the private
// ranges, so a namespace allowed out cannot reach the nodes (Talos API, etcd, kubelet), the VIP or the
// LAN. Cilium matches node addresses in ipBlocks (policyCIDRMatchMode: nodes), so the except list is
// what keeps them out. LAN hosts are reached only through the model's typed egressToLan allowances.
import type { Cluster } from "@kubeforge/config";

/** IPv4 ranges that are never "internet": RFC 1918, CGNAT (RFC 6598) and link-local (cloud metadata). */
export const PRIVATE_RANGES_V4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"];

/** IPv6 ranges that are never "internet": unique local (fc00::/7) and link-local (fe80::/10). */
export const PRIVATE_RANGES_V6 = ["fc00::/7", "fe80::/10"];

const isV6 = (cidrOrAddress: string) => cidrOrAddress.includes(":");
const hostCidr = (address: string) => `${address}/${isV6(address) ? 128 : 32}`;

/** The cluster's own networks: node network, API VIP, pod and service networks, in that order. */
export function clusterNetworks(cluster: Cluster): string[] {
  const { network, api } = cluster;
  return [network.nodeCidr, hostCidr(api.vip), network.podCidr, network.serviceCidr];
}

/**
 * ipBlocks for "egress to internet": `0.0.0.0/0` minus the cluster networks and private IPv4 ranges,
 * plus `::/0` minus the IPv6 ones when any cluster network is IPv6 (dual-stack).
 */
export function internetEgressBlocks(cluster: Cluster): { cidr: string; except: string[] }[] {
  const own = clusterNetworks(cluster);
  const unique = (values: string[]) => [...new Set(values)];
  const blocks = [{ cidr: "0.0.0.0/0", except: unique([...own.filter((c) => !isV6(c)), ...PRIVATE_RANGES_V4]) }];
  const ownV6 = own.filter(isV6);
  if (ownV6.length > 0) blocks.push({ cidr: "::/0", except: unique([...ownV6, ...PRIVATE_RANGES_V6]) });
  return blocks;
}
