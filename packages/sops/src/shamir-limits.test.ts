// Shamir's limits at their edges (sops' and Vault's 2 ≤ threshold ≤ parts ≤ 255), and the self-check that
// keeps shares which do not recombine from ever being written.
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";

const broken = vi.hoisted(() => ({ combine: false }));
vi.mock("shamir-secret-sharing", async (importOriginal) => {
  const real = await importOriginal<typeof import("shamir-secret-sharing")>();
  return {
    ...real,
    // a combine that is off by one bit stands for a library bug or a share mix-up
    combine: async (shares: Uint8Array[]) => {
      const back = await real.combine(shares);
      if (broken.combine) back[0]! ^= 1;
      return back;
    },
  };
});

const { checkShamir, combineShares, shamirProblem, splitSecret } = await import("./shamir.js");

afterEach(() => {
  broken.combine = false;
});

describe("shamirProblem at the edges", () => {
  it("accepts 2 ≤ threshold ≤ parts ≤ 255", () => {
    expect(shamirProblem(2, 2)).toBeUndefined();
    expect(shamirProblem(255, 2)).toBeUndefined();
    expect(shamirProblem(255, 255)).toBeUndefined();
    expect(shamirProblem(3, 2)).toBeUndefined();
  });

  it("refuses each way out, saying which limit and the numbers", () => {
    expect(shamirProblem(256, 2)).toBe("parts cannot exceed 255 (256 key groups)");
    expect(shamirProblem(256, 300)).toBe("parts cannot exceed 255 (256 key groups)");
    expect(shamirProblem(3, 1)).toBe("threshold must be at least 2 (got 1)");
    expect(shamirProblem(1, 1)).toBe("threshold must be at least 2 (got 1)");
    expect(shamirProblem(2, 3)).toBe(
      "parts cannot be less than threshold: shamir_threshold 3 needs at least 3 key groups, there are 2",
    );
    expect(shamirProblem(3, 2.5)).toBe("shamir_threshold must be an integer, got 2.5");
  });

  it("checkShamir throws the problem with the file, the path and the fix", () => {
    expect(() => checkShamir(2, 3, { file: "/r/.sops.yaml", path: "creation_rules[0].shamir_threshold" })).toThrow(
      expect.objectContaining({
        code: "E_SOPS_CONFIG",
        file: "/r/.sops.yaml",
        path: "creation_rules[0].shamir_threshold",
        hint: "set shamir_threshold between 2 and the number of key_groups",
      }),
    );
    expect(() => checkShamir(2, 2)).not.toThrow();
  });
});

describe("splitSecret", () => {
  it("gives `parts` shares; the first and the last `threshold` of them recombine", async () => {
    const secret = randomBytes(32);
    const shares = await splitSecret(secret, 5, 3);
    expect(shares).toHaveLength(5);
    expect(Buffer.from(await combineShares(shares.slice(0, 3))).equals(secret)).toBe(true);
    expect(Buffer.from(await combineShares(shares.slice(2))).equals(secret)).toBe(true);
  });

  it("refuses to return shares that do not recombine to the data key", async () => {
    broken.combine = true;
    await expect(splitSecret(randomBytes(32), 3, 2)).rejects.toThrow(
      /internal: Shamir shares do not recombine to the data key/,
    );
  });

  it("refuses before splitting when the threshold is impossible", async () => {
    await expect(splitSecret(randomBytes(32), 2, 3)).rejects.toMatchObject({
      code: "E_SOPS_CONFIG",
      message: expect.stringMatching(/parts cannot be less than threshold/),
    });
  });
});
