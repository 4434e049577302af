// A kustomization's secretGenerator puts plaintext in Git through inline literals or files that are not
// SOPS-encrypted (or SOPS files with a plaintext value added); encrypted files and missing files are not its finding.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSecretGenerators, isSopsEncrypted } from "./secret-generators.js";

const ENC = "ENC[AES256_GCM,data:AAAA,iv:AAAA,tag:AAAA,type:str]";
const HINT =
  "keep secret values out of Git in plaintext: commit a SOPS-encrypted Secret manifest (kubeforge-sops encrypt) or SOPS-encrypt the generator's file";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "kubeforge-generators-"));
  writeFileSync(path.join(dir, "plain.env"), "PASSWORD=hunter2\n");
  writeFileSync(path.join(dir, "token.txt"), "abc\n");
  writeFileSync(path.join(dir, "clean.sops.env"), `PASSWORD=${ENC}\nsops_version=3.9.0\nsops_mac=${ENC}\n`);
  writeFileSync(
    path.join(dir, "added.sops.env"),
    `PASSWORD=${ENC}\nTOKEN=plain\nUSER=me\nsops_version=3.9.0\nsops_mac=${ENC}\n`,
  );
  writeFileSync(path.join(dir, "clean.sops.yaml"), `password: ${ENC}\nsops:\n  mac: ${ENC}\n  version: 3.9.0\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `path: message` of the findings for one kustomization file in `dir`. */
async function generators(generator: string, name = "kustomization.yaml"): Promise<string[]> {
  const content = `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nsecretGenerator:\n${generator}`;
  const findings = await checkSecretGenerators([{ path: name, content }], dir);
  return findings.map((finding) => `${finding.path}: ${finding.message}`);
}

describe("secretGenerator", () => {
  it.each([
    [
      "inline literals",
      "  - name: db\n    literals: [user=admin, password=hunter2]\n",
      ["secretGenerator[0].literals: secretGenerator db has 2 plaintext literal value(s)"],
    ],
    ["an empty literals list", "  - name: db\n    literals: []\n", []],
    [
      "an env file in clear",
      "  - name: app\n    envs: [plain.env]\n",
      ["secretGenerator[0].envs[0]: secretGenerator app reads plain.env, which is not SOPS-encrypted"],
    ],
    [
      "a `key=path` file entry reads the path",
      "  - name: app\n    files: [clean.sops.yaml, token=token.txt]\n",
      ["secretGenerator[0].files[1]: secretGenerator app reads token.txt, which is not SOPS-encrypted"],
    ],
    ["SOPS-encrypted files", "  - name: app\n    envs: [clean.sops.env]\n    files: [x=clean.sops.yaml]\n", []],
    [
      "a SOPS file with a value added in clear",
      "  - name: app\n    envs: [added.sops.env]\n",
      [
        "secretGenerator[0].envs[0]: secretGenerator app reads added.sops.env, a SOPS file with plaintext value(s) its rules encrypt: TOKEN, USER",
      ],
    ],
    ["a missing file is the kustomize build's finding", "  - name: app\n    files: [missing.txt]\n", []],
    [
      "every generator by index; no name is (unnamed); entries that are not strings are skipped",
      "  - not-a-generator\n  - null\n  - name: a\n  - literals: [x=y]\n    files: [{path: token.txt}]\n",
      ["secretGenerator[3].literals: secretGenerator (unnamed) has 1 plaintext literal value(s)"],
    ],
    ["secretGenerator that is not a list", "  name: db\n  literals: [x=y]\n", []],
  ])("%s", async (_case, generator, expected) => {
    expect(await generators(generator)).toEqual(expected);
  });

  it.each(["kustomization.yml", "Kustomization", "sub/../kustomization.yaml"])("reads %s", async (name) => {
    expect(await generators("  - name: db\n    literals: [x=y]\n", name)).toHaveLength(1);
  });

  it("ignores other files, even with a secretGenerator", async () => {
    expect(await generators("  - name: db\n    literals: [x=y]\n", "generators.yaml")).toEqual([]);
  });

  it("each finding points at the kustomization line and says how to fix it", async () => {
    const content = "secretGenerator:\n  - name: app\n    envs:\n      - plain.env\n      - added.sops.env\n";
    const [plain, added] = await checkSecretGenerators([{ path: "kustomization.yaml", content }], dir);
    expect(plain).toMatchObject({
      rule: "no-plaintext-secrets",
      severity: "error",
      file: "kustomization.yaml",
      line: 4,
      hint: HINT,
    });
    expect(added).toMatchObject({ line: 5 });
    expect(added?.hint).toMatch(
      /^delete TOKEN, USER from the file .*: pnpm exec kubeforge-sops edit added\.sops\.env$/,
    );
  });
});

describe("isSopsEncrypted", () => {
  it.each([
    [`a: ${ENC}\nsops:\n  version: 3.9.0\n`, true],
    [`a: ${ENC}\nsops:  \n  version: 3.9.0\n`, true],
    [`{"a": "${ENC}", "sops": {"version": "3.9.0"}}`, true],
    [`{\n\t"sops" : {}\n}`, true],
    [`A=${ENC}\nsops_version=3.9.0\n`, true],
    [`A=${ENC}\nsops_mac=${ENC}\n`, true],
    ["[section]\nsops_version = 3.9.0\n", true],
    ["a: b\nnotsops:\n", false],
    ["a: b\nsops: none\n", false],
    ["A=b\nmy_sops_version=1\n", false],
    ["A=b\n", false],
  ])("%j → %s", (content, expected) => {
    expect(isSopsEncrypted(content)).toBe(expected);
  });
});
