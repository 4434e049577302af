import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findOrCreateAgeKey } from "./age-key.js";

// Throwaway test keys (never used for anything else).
const A = {
  recipient: "age1660dgx5rv54pngzf5f89ntg23yxg0xt26kfwxcwxxckm8rrr35rsk8hppr",
  identity: "AGE-SECRET-KEY-14KYYU5536ZRS9WHY54M862Y7Q6RRLH40UCVDCTJUTKMSX2W76F5SVLDT9M",
};
const B = {
  recipient: "age1c02uqdml4k7auz33ghvc7r62qagfr7fvlgkycyxsa9rw3n3k64qsvmevm6",
  identity: "AGE-SECRET-KEY-126LS8QMQVQWF5V78YF8KFQLE9DKEC00FFGUJ834RQ3CJUJK7GCJQW25U9R",
};
const dir = mkdtempSync(path.join(os.tmpdir(), "kubeforge-age-key-"));
const repoRoot = path.join(dir, "repo");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text, { mode: 0o600 });
  return file;
};
const demoKey = readFileSync(path.resolve(import.meta.dirname, "../../../../demo-keys/age.agekey"), "utf8");

describe("findOrCreateAgeKey", () => {
  it("refuses a file with several keys unless --age-recipient picks one", async () => {
    const keyFile = write("two.txt", `${A.identity}\n${B.identity}\n`);
    await expect(findOrCreateAgeKey({ keyFile, repoRoot, env: {} })).rejects.toMatchObject({
      message: expect.stringContaining("holds 2 age keys"),
      hint: expect.stringContaining(`--age-recipient <one of: ${A.recipient}, ${B.recipient}>`),
    });
    const picked = await findOrCreateAgeKey({ keyFile, repoRoot, env: {}, recipient: B.recipient });
    expect(picked.recipient).toBe(B.recipient);
    const chosen = await findOrCreateAgeKey({ keyFile, repoRoot, env: {}, choose: async (list) => list[1] });
    expect(chosen.recipient).toBe(B.recipient);
    await expect(
      findOrCreateAgeKey({ keyFile: write("one.txt", `${A.identity}\n`), repoRoot, env: {}, recipient: B.recipient }),
    ).rejects.toMatchObject({ message: expect.stringContaining("is not the public key of any identity") });
  });

  it("refuses the public demo key, and creates no key file when --age-recipient is the demo key", async () => {
    await expect(findOrCreateAgeKey({ keyFile: write("demo.txt", demoKey), repoRoot, env: {} })).rejects.toMatchObject({
      message: expect.stringContaining("is the public demo key"),
    });
    const fresh = path.join(dir, "fresh", "keys.txt");
    await expect(
      findOrCreateAgeKey({
        keyFile: fresh,
        repoRoot,
        env: {},
        recipient: "age16gcuf2qq6vnu6sd55y8q5h2tyt04ph3fklz2pdfnkeknrwz6paksd30vx8",
      }),
    ).rejects.toMatchObject({ message: expect.stringContaining("public demo key") });
    expect(existsSync(fresh)).toBe(false);
  });
});
