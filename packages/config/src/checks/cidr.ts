// Address arithmetic on top of ipaddr.js: containment, overlap, host bits, size.
import ipaddr from "ipaddr.js";

export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

export function parseCidr(value: string): Cidr | undefined {
  try {
    return ipaddr.parseCIDR(value);
  } catch {
    return undefined;
  }
}

export function parseAddress(value: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  try {
    return ipaddr.parse(value);
  } catch {
    return undefined;
  }
}

/** The CIDR with host bits cleared, e.g. 10.244.1.0/16 → 10.244.0.0/16. */
export function networkOf([address, bits]: Cidr): string {
  const network =
    address.kind() === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${bits}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${bits}`);
  return `${network.toString()}/${bits}`;
}

export function hasHostBits(cidr: Cidr): boolean {
  return networkOf(cidr) !== `${cidr[0].toString()}/${cidr[1]}`;
}

export function contains(cidr: Cidr, address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  return cidr[0].kind() === address.kind() && address.match(cidr);
}

/** Two CIDR blocks overlap exactly when one contains the other's network address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  if (a[0].kind() !== b[0].kind()) return false;
  const netA = parseCidr(networkOf(a));
  const netB = parseCidr(networkOf(b));
  if (!netA || !netB) return false;
  return contains(netA, netB[0]) || contains(netB, netA[0]);
}

export function addressBits(cidr: Cidr): number {
  return cidr[0].kind() === "ipv4" ? 32 : 128;
}

/** Whether the address is the network or (IPv4) broadcast address of the block. */
export function isNetworkOrBroadcast(cidr: Cidr, address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  const text = address.toString();
  if (networkOf(cidr).split("/")[0] === text) return true;
  if (address.kind() !== "ipv4" || cidr[0].kind() !== "ipv4") return false;
  return ipaddr.IPv4.broadcastAddressFromCIDR(`${cidr[0].toString()}/${cidr[1]}`).toString() === text;
}
