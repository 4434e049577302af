import { describe, expect, it } from "vitest";
import { clusterIdentities } from "./age-secret.js";

// Throwaway test keys (never used for anything else).
const A = {
  recipient: "age1660dgx5rv54pngzf5f89ntg23yxg0xt26kfwxcwxxckm8rrr35rsk8hppr",
  identity: "AGE-SECRET-KEY-14KYYU5536ZRS9WHY54M862Y7Q6RRLH40UCVDCTJUTKMSX2W76F5SVLDT9M",
};
const B = {
  recipient: "age1c02uqdml4k7auz33ghvc7r62qagfr7fvlgkycyxsa9rw3n3k64qsvmevm6",
  identity: "AGE-SECRET-KEY-126LS8QMQVQWF5V78YF8KFQLE9DKEC00FFGUJ834RQ3CJUJK7GCJQW25U9R",
};
const keysTxt = `# created: 2026-01-01\n# public key: ${A.recipient}\n${A.identity}\n\n# public key: ${B.recipient}\n${B.identity}\n`;

describe("clusterIdentities", () => {
  it("keeps only the identity whose recipient is in sops.ageRecipients", async () => {
    const result = await clusterIdentities(keysTxt, [B.recipient], "/home/u/keys.txt");
    // Must allow: the cluster's own key. Must deny: every other key of the file.
    expect(result.text).toContain(B.identity);
    expect(result.text).not.toContain(A.identity);
    expect(result.recipients).toEqual([B.recipient]);
    expect(result.skipped).toBe(1);
  });

  it("refuses with the file and the recipients when no identity matches", async () => {
    await expect(clusterIdentities(`${A.identity}\n`, [B.recipient], "/home/u/keys.txt")).rejects.toMatchObject({
      message: expect.stringContaining(
        `/home/u/keys.txt holds no private key for this cluster's sops.ageRecipients (${B.recipient})`,
      ),
    });
  });
});
