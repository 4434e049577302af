// CIDR arithmetic checked against an independent integer model (IPv4 as 32-bit, IPv6 as 128-bit numbers).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addressBits,
  type Cidr,
  contains,
  hasHostBits,
  isNetworkOrBroadcast,
  networkOf,
  overlaps,
  parseAddress,
  parseCidr,
} from "./cidr.js";

const v4Text = (value: number) => [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join(".");
const v6Text = (value: bigint) =>
  Array.from({ length: 8 }, (_, index) => ((value >> BigInt(112 - 16 * index)) & 0xffffn).toString(16)).join(":");

/** First address and size of a block in the integer model. */
const rangeV4 = (address: number, bits: number) => {
  const size = 2 ** (32 - bits);
  const first = Math.floor(address / size) * size;
  return { first, last: first + size - 1 };
};
const rangeV6 = (address: bigint, bits: number) => {
  const size = 1n << BigInt(128 - bits);
  const first = (address / size) * size;
  return { first, last: first + size - 1n };
};

const cidrOf = (text: string): Cidr => {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`unparseable ${text}`);
  return parsed;
};

const v4 = fc.record({ address: fc.nat({ max: 2 ** 32 - 1 }), bits: fc.integer({ min: 0, max: 32 }) });
const v6 = fc.record({
  address: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
  bits: fc.integer({ min: 0, max: 128 }),
});
const RUNS = { numRuns: 200 };

describe("cidr (properties, IPv4)", () => {
  it("overlaps exactly when the integer ranges intersect, and is symmetric", () => {
    fc.assert(
      fc.property(v4, v4, (a, b) => {
        const ra = rangeV4(a.address, a.bits);
        const rb = rangeV4(b.address, b.bits);
        const expected = ra.first <= rb.last && rb.first <= ra.last;
        const ca = cidrOf(`${v4Text(a.address)}/${a.bits}`);
        const cb = cidrOf(`${v4Text(b.address)}/${b.bits}`);
        expect(overlaps(ca, cb)).toBe(expected);
        expect(overlaps(cb, ca)).toBe(expected);
      }),
      RUNS,
    );
  });

  it("nested blocks overlap (a block always overlaps its sub-blocks)", () => {
    fc.assert(
      fc.property(v4, fc.integer({ min: 0, max: 32 }), (outer, extra) => {
        const innerBits = Math.min(32, outer.bits + extra);
        const text = `${v4Text(outer.address)}`;
        expect(overlaps(cidrOf(`${text}/${outer.bits}`), cidrOf(`${text}/${innerBits}`))).toBe(true);
      }),
      RUNS,
    );
  });

  it("contains exactly the addresses of the range", () => {
    fc.assert(
      fc.property(v4, fc.nat({ max: 2 ** 32 - 1 }), (block, candidate) => {
        const { first, last } = rangeV4(block.address, block.bits);
        const address = parseAddress(v4Text(candidate));
        if (!address) throw new Error("unparseable");
        expect(contains(cidrOf(`${v4Text(block.address)}/${block.bits}`), address)).toBe(
          candidate >= first && candidate <= last,
        );
      }),
      RUNS,
    );
  });

  it("networkOf clears the host bits; hasHostBits says whether there were any", () => {
    fc.assert(
      fc.property(v4, (block) => {
        const { first } = rangeV4(block.address, block.bits);
        const cidr = cidrOf(`${v4Text(block.address)}/${block.bits}`);
        expect(networkOf(cidr)).toBe(`${v4Text(first)}/${block.bits}`);
        expect(hasHostBits(cidr)).toBe(first !== block.address);
        expect(addressBits(cidr)).toBe(32);
      }),
      RUNS,
    );
  });

  it("isNetworkOrBroadcast is true for the first and last address only", () => {
    fc.assert(
      fc.property(v4, fc.nat({ max: 2 ** 32 - 1 }), (block, candidate) => {
        const { first, last } = rangeV4(block.address, block.bits);
        const cidr = cidrOf(`${v4Text(block.address)}/${block.bits}`);
        const pick = [first, last, candidate][candidate % 3] ?? candidate;
        const address = parseAddress(v4Text(pick));
        if (!address) throw new Error("unparseable");
        expect(isNetworkOrBroadcast(cidr, address)).toBe(pick === first || pick === last);
      }),
      RUNS,
    );
  });
});

describe("cidr (properties, IPv6)", () => {
  it("overlaps exactly when the integer ranges intersect", () => {
    fc.assert(
      fc.property(v6, v6, (a, b) => {
        const ra = rangeV6(a.address, a.bits);
        const rb = rangeV6(b.address, b.bits);
        const expected = ra.first <= rb.last && rb.first <= ra.last;
        expect(overlaps(cidrOf(`${v6Text(a.address)}/${a.bits}`), cidrOf(`${v6Text(b.address)}/${b.bits}`))).toBe(
          expected,
        );
      }),
      RUNS,
    );
  });

  it("only the network address is special (IPv6 has no broadcast); 128 address bits", () => {
    fc.assert(
      fc.property(v6, (block) => {
        const { first, last } = rangeV6(block.address, block.bits);
        const cidr = cidrOf(`${v6Text(block.address)}/${block.bits}`);
        const firstAddress = parseAddress(v6Text(first));
        const lastAddress = parseAddress(v6Text(last));
        if (!firstAddress || !lastAddress) throw new Error("unparseable");
        expect(isNetworkOrBroadcast(cidr, firstAddress)).toBe(true);
        if (last !== first) expect(isNetworkOrBroadcast(cidr, lastAddress)).toBe(false);
        expect(addressBits(cidr)).toBe(128);
      }),
      RUNS,
    );
  });
});

describe("cidr (edges)", () => {
  it("never relates blocks or addresses of different families", () => {
    expect(overlaps(cidrOf("0.0.0.0/0"), cidrOf("::/0"))).toBe(false);
    expect(overlaps(cidrOf("::ffff:0:0/96"), cidrOf("0.0.0.0/0"))).toBe(false);
  });

  it("unparseable text is undefined, not a throw", () => {
    expect(parseCidr("10.0.0.0/33")).toBeUndefined();
    expect(parseCidr("bogus")).toBeUndefined();
    expect(parseAddress("10.0.0.256")).toBeUndefined();
  });
});
