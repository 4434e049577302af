import { mkdtempSync, rmSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createFakeSealer } from "../__fixtures__/fake-sealer.js";
import { TalosError } from "../errors.js";
import { createSopsSealer } from "../store/sops-sealer.js";
import { readBundle } from "./bundle-store.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "talos-bundle-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function readError(text: string, sealer = createFakeSealer()): Promise<TalosError> {
  const file = path.join(await mkdtemp(path.join(scratch, "talos-bundle-")), "talsecret.sops.yaml");
  await writeFile(file, text);
  const error = await readBundle({ file, sealer }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(TalosError);
  return error as TalosError;
}

describe("readBundle on a damaged file", () => {
  it("says damaged, not leaked, when encrypted values lost their sops metadata", async () => {
    const error = await readError(
      "cluster:\n    id: ENC[AES256_GCM,data:abc,iv:x,tag:y,type:str]\n    secret: ENC[AES25",
    );
    expect(error.code).toBe("E_BUNDLE_DECRYPT");
    expect(error.message).toMatch(/is damaged: it holds SOPS-encrypted values but no sops metadata/);
    expect(error.message).toMatch(/restore it from git/);
    expect(error.message).not.toMatch(/leaked|not SOPS-encrypted/);
  });

  it("says damaged for text that is no bundle at all", async () => {
    const error = await readError("<<<<<<< HEAD\n: [\n");
    expect(error.code).toBe("E_BUNDLE_INVALID");
    expect(error.message).toMatch(/is damaged: it is neither a SOPS-encrypted nor a plain secrets bundle/);
    expect(error.message).not.toMatch(/leaked/);
  });

  it("still calls a plaintext bundle what it is", async () => {
    const error = await readError("cluster:\n    id: x\ncerts:\n    os:\n        key: abc\n");
    expect(error.message).toMatch(/is not SOPS-encrypted — it holds the cluster's CA keys in the clear/);
  });

  it("names the file once when SOPS cannot decrypt it", async () => {
    const dir = await mkdtemp(path.join(scratch, "talos-bundle-"));
    const file = path.join(dir, "talsecret.sops.yaml");
    const sealer = createSopsSealer({
      recipients: [],
      sops: {
        encryptText: async () => "",
        isSopsEncrypted: () => true,
        decryptText: async () => {
          throw Object.assign(new Error(`${file}: none of the 1 age identities can decrypt the data key`), {
            code: "E_DECRYPT",
          });
        },
      },
    });
    await writeFile(file, "data: x\nsops:\n    age: []\n");
    const error = (await readBundle({ file, sealer }).catch((caught: unknown) => caught)) as Error;
    expect(error.message.split(file).length - 1).toBe(1);
    expect(error.message).toMatch(/: cannot be decrypted: none of the 1 age identities .* — set SOPS_AGE_KEY_FILE/);
  });
});
