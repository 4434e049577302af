// A plaintext value inside a SOPS file is found, and the fix validate prints works when run as printed
// (with the real kubeforge-sops and the repository's own .sops.yaml).
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { packageDir, repoRoot } from "../../test/fixtures.js";
import { validateTree } from "../validate-tree.js";

const SOPS_BIN = path.join(packageDir, "node_modules", ".bin", "kubeforge-sops");
const env = { ...process.env, SOPS_AGE_KEY_FILE: path.join(repoRoot, "demo-keys", "age.agekey") };

let root: string;

function write(relative: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  writeFileSync(path.join(root, relative), text);
}

function secret(name: string, values: Record<string, string>): string {
  const lines = Object.entries(values).map(([key, value]) => `  ${key}: ${value}\n`);
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: apps\nstringData:\n${lines.join("")}`;
}

async function plaintextFindings() {
  const report = await validateTree({
    dir: path.join(root, "clusters", "homelab"),
    cwd: root,
    kustomize: false,
    loadModel: false,
    decrypt: false,
  });
  return report.findings.filter((finding) => finding.rule === "no-plaintext-secrets");
}

/**
 * Runs the `pnpm exec kubeforge secrets …` command of a hint in the repo root. Inside a cluster folder the hint
 * names `kubeforge secrets` (it finds the cluster's saved age key; kubeforge-sops does not): that is kubeforge-sops
 * with the same verb and arguments, run here as kubeforge-sops (the same bin; apps/cli depends on this package, so
 * its CLI is not a dependency of these tests) with the key in SOPS_AGE_KEY_FILE.
 */
function runPrintedCommand(hint: string, extraEnv: Record<string, string> = {}): void {
  const command = /pnpm exec kubeforge secrets (\S+) (-i )?(\S+?)(?:,|$)/.exec(hint);
  expect(command, `no kubeforge secrets command in: ${hint}`).not.toBeNull();
  const [, verb, inPlace, file] = command ?? [];
  const args = [verb ?? "", ...(inPlace ? ["-i"] : []), file ?? ""];
  execFileSync(SOPS_BIN, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: "pipe" });
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "kubeforge-validate-secrets-"));
  copyFileSync(path.join(repoRoot, ".sops.yaml"), path.join(root, ".sops.yaml"));
  write("clusters/homelab/flux/apps/namespace.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("no-plaintext-secrets with SOPS files", () => {
  it("reports a plaintext value added to an encrypted Secret, and its printed fix (delete, then edit) works", async () => {
    write("clusters/homelab/secrets/db.sops.yaml", secret("db", { password: "s3cret" }));
    execFileSync(SOPS_BIN, ["encrypt", "-i", "clusters/homelab/secrets/db.sops.yaml"], {
      cwd: root,
      env,
      stdio: "pipe",
    });
    expect(await plaintextFindings()).toEqual([]);

    const file = path.join(root, "clusters/homelab/secrets/db.sops.yaml");
    const encrypted = readFileSync(file, "utf8");
    writeFileSync(file, encrypted.replace("stringData:\n", "stringData:\n  db-password: hunter2\n"));
    const findings = await plaintextFindings();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity: "error",
      file: "clusters/homelab/secrets/db.sops.yaml",
      path: "stringData.db-password",
      line: 7,
    });
    expect(findings[0]?.hint).toContain("pnpm exec kubeforge secrets edit clusters/homelab/secrets/db.sops.yaml");

    // As printed: delete the plaintext line, then add the value with `kubeforge secrets edit`.
    writeFileSync(file, encrypted);
    const editor = path.join(root, "editor.sh");
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/^stringData:$/stringData:\\n  db-password: hunter2/' "$1"\n`, {
      mode: 0o755,
    });
    runPrintedCommand(findings[0]?.hint ?? "", { EDITOR: editor });
    expect(await plaintextFindings()).toEqual([]);
    const decrypted = execFileSync(SOPS_BIN, ["decrypt", "clusters/homelab/secrets/db.sops.yaml"], { cwd: root, env });
    expect(decrypted.toString()).toContain("db-password: hunter2");
  });

  it("for a plaintext value in the copy build made (flux/infrastructure/secrets/), names the source in secrets/", async () => {
    write("clusters/homelab/secrets/db.sops.yaml", secret("db", { password: "s3cret" }));
    execFileSync(SOPS_BIN, ["encrypt", "-i", "clusters/homelab/secrets/db.sops.yaml"], {
      cwd: root,
      env,
      stdio: "pipe",
    });
    const encrypted = readFileSync(path.join(root, "clusters/homelab/secrets/db.sops.yaml"), "utf8");
    write(
      "clusters/homelab/flux/infrastructure/secrets/db.sops.yaml",
      encrypted.replace("stringData:\n", "stringData:\n  db-password: hunter2\n"),
    );
    const findings = await plaintextFindings();
    expect(findings).toMatchObject([{ file: "clusters/homelab/flux/infrastructure/secrets/db.sops.yaml" }]);
    // before: "… add the value(s) again with: pnpm exec kubeforge-sops edit clusters/homelab/flux/infrastructure/…",
    // an edit the next build overwrites, with a command that does not find the cluster's saved key
    expect(findings[0]?.hint).toBe(
      "delete stringData.db-password from clusters/homelab/secrets/db.sops.yaml (sops cannot open a file with a plaintext value where its rules expect ciphertext), then add the value(s) again with: pnpm exec kubeforge secrets edit clusters/homelab/secrets/db.sops.yaml, then run `pnpm exec kubeforge build` (the file in flux/ is its copy)",
    );
  });

  it("moves a plaintext Secret out of flux/ to secrets/, where the printed encrypt command matches a creation rule", async () => {
    write("clusters/homelab/flux/apps/db-secret.yaml", secret("db", { password: "s3cret" }));
    const findings = await plaintextFindings();
    expect(findings).toMatchObject([
      { file: "clusters/homelab/flux/apps/db-secret.yaml", path: "stringData", line: 6 },
    ]);
    const hint = findings[0]?.hint ?? "";
    expect(hint).toContain("move the Secret to clusters/homelab/secrets/db.sops.yaml");
    expect(hint).toMatch(/pnpm exec kubeforge secrets encrypt -i clusters\/homelab\/secrets\/db\.sops\.yaml$/);

    renameSync(
      path.join(root, "clusters/homelab/flux/apps/db-secret.yaml"),
      path.join(root, "clusters/homelab/secrets-tmp.yaml"),
    );
    mkdirSync(path.join(root, "clusters/homelab/secrets"));
    renameSync(
      path.join(root, "clusters/homelab/secrets-tmp.yaml"),
      path.join(root, "clusters/homelab/secrets/db.sops.yaml"),
    );
    runPrintedCommand(hint);
    expect(await plaintextFindings()).toEqual([]);
  });

  it("encrypts a plaintext Secret in secrets/ in place with the printed command", async () => {
    write("clusters/homelab/secrets/api.sops.yaml", secret("api", { token: "abc" }));
    const findings = await plaintextFindings();
    expect(findings).toHaveLength(1);
    expect(findings[0]?.hint).toBe(
      "encrypt it in place: pnpm exec kubeforge secrets encrypt -i clusters/homelab/secrets/api.sops.yaml",
    );
    runPrintedCommand(findings[0]?.hint ?? "");
    expect(await plaintextFindings()).toEqual([]);
  });

  it("reports a plaintext value in a whole-file SOPS file (no Secret) that its own rules encrypt", async () => {
    write("clusters/homelab/talos/talsecret.sops.yaml", "cluster:\n  id: abc\n  secret: def\n");
    execFileSync(SOPS_BIN, ["encrypt", "-i", "clusters/homelab/talos/talsecret.sops.yaml"], {
      cwd: root,
      env,
      stdio: "pipe",
    });
    expect(await plaintextFindings()).toEqual([]);
    const file = path.join(root, "clusters/homelab/talos/talsecret.sops.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("cluster:\n", "cluster:\n  token: plain\n  note_unencrypted: fine\n"),
    );
    expect((await plaintextFindings()).map((finding) => finding.path)).toEqual(["cluster.token"]);
  });
});
