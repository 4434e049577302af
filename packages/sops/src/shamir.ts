// Shamir's secret sharing for key groups, on the audited `shamir-secret-sharing` (Privy; a port of
// HashiCorp Vault's shamir, which sops vendors): GF(2^8), a share is its y-bytes followed by its x byte.
import { SopsError } from "./errors.js";

// loaded on first use (9 ms): only files with several key groups need it
const library = () => import("shamir-secret-sharing");

/** sops' (Vault's) limits: 2 ≤ threshold ≤ parts ≤ 255. Returns the problem, or undefined. */
export function shamirProblem(parts: number, threshold: number): string | undefined {
  if (!Number.isInteger(threshold)) return `shamir_threshold must be an integer, got ${threshold}`;
  if (parts > 255) return `parts cannot exceed 255 (${parts} key groups)`;
  if (threshold < 2) return `threshold must be at least 2 (got ${threshold})`;
  if (parts < threshold)
    return `parts cannot be less than threshold: shamir_threshold ${threshold} needs at least ${threshold} key groups, there are ${parts}`;
  return undefined;
}

/** Throws a typed error when `threshold` cannot split into `parts` shares. */
export function checkShamir(parts: number, threshold: number, details: { file?: string; path?: string } = {}): void {
  const problem = shamirProblem(parts, threshold);
  if (problem) {
    throw new SopsError("E_SOPS_CONFIG", problem, {
      ...details,
      hint: "set shamir_threshold between 2 and the number of key_groups",
    });
  }
}

/** Recombines shares (interpolation at x = 0). */
export async function combineShares(shares: readonly Uint8Array[]): Promise<Uint8Array> {
  const { combine } = await library();
  return combine(shares.map((s) => new Uint8Array(s)));
}

/**
 * Splits a secret into `parts` shares, any `threshold` of which recombine it, and proves that before
 * returning: the first and the last `threshold` shares both give the secret back.
 */
export async function splitSecret(secret: Uint8Array, parts: number, threshold: number): Promise<Uint8Array[]> {
  checkShamir(parts, threshold);
  const { combine, split } = await library();
  const shares = await split(new Uint8Array(secret), parts, threshold);
  for (const subset of [shares.slice(0, threshold), shares.slice(parts - threshold)]) {
    const back = await combine(subset);
    if (!Buffer.from(back).equals(Buffer.from(secret))) {
      throw new Error("internal: Shamir shares do not recombine to the data key");
    }
  }
  return shares;
}
