// A SOPS Secret edited by hand after encryption (its unencrypted metadata.namespace): Flux's kustomize-controller,
// sops and kubeforge secrets all refuse it from then on (MAC mismatch). validate reports it where a key opens the file (the real kubeforge-sops encrypts
// the fixture with the demo key). Before this check it passed build and validate, and `kubeforge secrets edit`
// failed later with "MAC mismatch".
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { packageDir, repoRoot } from "../../test/fixtures.js";
import { sopsDecryptor } from "../talos/sops-decrypt.js";
import { validateTree } from "../validate-tree.js";

const SOPS_BIN = path.join(packageDir, "node_modules", ".bin", "kubeforge-sops");
const demoKey = path.join(repoRoot, "demo-keys", "age.agekey");
const env = { ...process.env, SOPS_AGE_KEY_FILE: demoKey };

let root: string;
const secretsFile = "clusters/homelab/secrets/db.sops.yaml";
const copyFile = "clusters/homelab/flux/infrastructure/secrets/db.sops.yaml";

function write(relative: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  writeFileSync(path.join(root, relative), text);
}

async function macFindings(withKey: boolean) {
  const decrypt = withKey ? await sopsDecryptor({ SOPS_AGE_KEY_FILE: demoKey }) : false;
  const report = await validateTree({
    dir: path.join(root, "clusters", "homelab"),
    cwd: root,
    kustomize: false,
    loadModel: false,
    decrypt: decrypt ?? false,
  });
  return report.findings.filter((finding) => finding.rule === "sops-mac");
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "kubeforge-validate-mac-"));
  copyFileSync(path.join(repoRoot, ".sops.yaml"), path.join(root, ".sops.yaml"));
  write(
    secretsFile,
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: apps\nstringData:\n  password: s3cret\n",
  );
  execFileSync(SOPS_BIN, ["encrypt", "-i", secretsFile], { cwd: root, env, stdio: "pipe" });
  // what `kubeforge build` does with it: the same bytes under flux/
  write(copyFile, readFileSync(path.join(root, secretsFile), "utf8"));
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("sops-mac", () => {
  it("passes an intact SOPS file", async () => {
    expect(await macFindings(true)).toEqual([]);
  });

  it("reports a hand-edited unencrypted field once, at the source in secrets/, with a fix that runs", async () => {
    for (const file of [secretsFile, copyFile]) {
      const text = readFileSync(path.join(root, file), "utf8");
      writeFileSync(path.join(root, file), text.replace("namespace: apps", "namespace: other"));
    }
    const findings = await macFindings(true);
    expect(findings).toMatchObject([{ severity: "error", file: secretsFile, path: "sops.mac" }]);
    expect(findings[0]?.message).toMatch(/^MAC mismatch: a value was changed without sops/);
    // the fix, as printed, makes the file pass (kubeforge secrets is kubeforge-sops with the cluster's saved key)
    const hint = findings[0]?.hint ?? "";
    expect(hint).toContain(`pnpm exec kubeforge secrets decrypt -i --ignore-mac ${secretsFile}`);
    expect(hint).toContain(`pnpm exec kubeforge secrets encrypt -i ${secretsFile}`);
    execFileSync(SOPS_BIN, ["decrypt", "-i", "--ignore-mac", secretsFile], { cwd: root, env, stdio: "pipe" });
    execFileSync(SOPS_BIN, ["encrypt", "-i", secretsFile], { cwd: root, env, stdio: "pipe" });
    write(copyFile, readFileSync(path.join(root, secretsFile), "utf8"));
    expect(await macFindings(true)).toEqual([]);
    expect(readFileSync(path.join(root, secretsFile), "utf8")).toContain("namespace: other");
  });

  it("says nothing without a key (the MAC can only be recomputed by decrypting)", async () => {
    const text = readFileSync(path.join(root, secretsFile), "utf8");
    writeFileSync(path.join(root, secretsFile), text.replace("namespace: apps", "namespace: other"));
    expect(await macFindings(false)).toEqual([]);
  });
});
