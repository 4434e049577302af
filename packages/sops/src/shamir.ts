// Shamir's secret sharing over GF(2^8) (AES polynomial 0x11B), as sops/Vault use it for key groups.
// A share is y-bytes followed by one x byte.
import { randomBytes } from "node:crypto";

function mul(a: number, b: number): number {
  let result = 0;
  let x = a;
  let y = b;
  while (y) {
    if (y & 1) result ^= x;
    x = x & 0x80 ? ((x << 1) ^ 0x11b) & 0xff : x << 1;
    y >>= 1;
  }
  return result;
}

function inverse(a: number): number {
  // a^254 = a^-1 in GF(2^8)
  let result = 1;
  for (let i = 0; i < 254; i++) result = mul(result, a);
  return result;
}

/** Recombines shares (interpolation at x = 0). */
export function combineShares(shares: readonly Uint8Array[]): Uint8Array {
  const length = shares[0]!.length - 1;
  const xs = shares.map((s) => s[length]!);
  const secret = new Uint8Array(length);
  for (let byte = 0; byte < length; byte++) {
    let value = 0;
    for (let i = 0; i < shares.length; i++) {
      let basis = 1;
      for (let j = 0; j < shares.length; j++) {
        if (i === j) continue;
        basis = mul(basis, mul(xs[j]!, inverse(xs[i]! ^ xs[j]!)));
      }
      value ^= mul(shares[i]![byte]!, basis);
    }
    secret[byte] = value;
  }
  return secret;
}

/** Splits a secret into `parts` shares, any `threshold` of which recombine it; x = 1…parts. */
export function splitSecret(secret: Uint8Array, parts: number, threshold: number): Uint8Array[] {
  const shares = Array.from({ length: parts }, (_, i) => {
    const share = new Uint8Array(secret.length + 1);
    share[secret.length] = i + 1;
    return share;
  });
  for (let byte = 0; byte < secret.length; byte++) {
    const coefficients = [secret[byte]!, ...randomBytes(threshold - 1)];
    for (const share of shares) {
      const x = share[secret.length]!;
      let y = 0;
      for (let k = coefficients.length - 1; k >= 0; k--) y = mul(y, x) ^ coefficients[k]!;
      share[byte] = y;
    }
  }
  return shares;
}
