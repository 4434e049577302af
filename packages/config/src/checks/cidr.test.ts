import { describe, expect, it } from "vitest";
import { contains, hasHostBits, isNetworkOrBroadcast, networkOf, overlaps, parseAddress, parseCidr } from "./cidr.js";

const cidr = (text: string) => {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`bad test CIDR ${text}`);
  return parsed;
};

describe("cidr", () => {
  it.each([
    ["10.0.0.0/8", "10.1.0.0/16", true],
    ["10.1.0.0/16", "10.0.0.0/8", true],
    ["10.0.0.0/24", "10.0.1.0/24", false],
    ["192.168.1.0/24", "192.168.1.128/25", true],
    ["fd00::/64", "fd00::/48", true],
    ["fd00::/64", "10.0.0.0/8", false],
  ])("overlaps(%s, %s) is %s", (a, b, expected) => {
    expect(overlaps(cidr(a), cidr(b))).toBe(expected);
  });

  it("finds host bits and the network address", () => {
    expect(hasHostBits(cidr("10.244.1.0/16"))).toBe(true);
    expect(networkOf(cidr("10.244.1.0/16"))).toBe("10.244.0.0/16");
    expect(hasHostBits(cidr("10.244.0.0/16"))).toBe(false);
    expect(networkOf(cidr("fd00::1/64"))).toBe("fd00::/64");
  });

  it("tests containment across families without throwing", () => {
    const v4 = parseAddress("10.0.0.5");
    const v6 = parseAddress("fd00::5");
    expect(v4 && contains(cidr("10.0.0.0/24"), v4)).toBe(true);
    expect(v6 && contains(cidr("10.0.0.0/24"), v6)).toBe(false);
  });
});

describe("isNetworkOrBroadcast across address families", () => {
  it("is false, not an exception, for an IPv4 address in an IPv6 block", () => {
    const block = parseCidr("fd00::/64");
    const address = parseAddress("192.168.1.255");
    if (!block || !address) throw new Error("unparseable");
    expect(isNetworkOrBroadcast(block, address)).toBe(false);
  });
});
