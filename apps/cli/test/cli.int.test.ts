// kubeforge init / build end to end on scratch copies inside apps/cli (so cluster.ts resolves @kubeforge/config).
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.resolve(here, "..");
const repo = path.resolve(app, "../..");
const bin = path.join(app, "bin", "kubeforge.mjs");
const DEMO = "age16gcuf2qq6vnu6sd55y8q5h2tyt04ph3fklz2pdfnkeknrwz6paksd30vx8";

let work: string;
let keys: string;

function kubeforge(args: string[], cwd: string, env: Record<string, string> = {}) {
  // pnpm sets NODE_PATH for scripts; a user's shell does not.
  const { SOPS_AGE_KEY_FILE: _file, SOPS_AGE_KEY: _key, NODE_PATH: _nodePath, ...rest } = process.env;
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...rest, HOME: keys, ...env } });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

beforeAll(() => {
  work = mkdtempSync(path.join(app, ".tmp-cli-"));
  keys = mkdtempSync(path.join(tmpdir(), "kubeforge-keys-"));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(keys, { recursive: true, force: true });
});

const INIT_FLAGS = [
  "--node",
  "192.168.5.11,aa:bb:cc:dd:ee:01",
  "--node",
  "192.168.5.12,aa:bb:cc:dd:ee:02",
  "--node",
  "192.168.5.13,aa:bb:cc:dd:ee:03",
  "--gateway",
  "192.168.5.1",
  "--vip",
  "192.168.5.10",
  "--oidc-issuer",
  "https://auth.example.com",
  "--git-url",
  "git@github.com:me/lab.git",
  "--skip-install",
];

describe("kubeforge init", () => {
  let root: string;
  beforeAll(() => {
    root = path.join(work, "repo");
    mkdirSync(path.join(root, "clusters"), { recursive: true });
    writeFileSync(path.join(root, "pnpm-workspace.yaml"), "packages:\n  - clusters/*\n");
    cpSync(path.join(repo, ".sops.yaml"), path.join(root, ".sops.yaml"));
  });

  it("creates a cluster with the user's own key, PKI, deploy key and .sops.yaml rules — nothing for the demo key", () => {
    const keyFile = path.join(keys, "age", "keys.txt");
    const result = kubeforge(["init", "mine", "--age-key-file", keyFile, ...INIT_FLAGS], root);
    expect(result.status, result.stderr).toBe(0);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const recipient = execFileSync("age-keygen", ["-y", keyFile], { encoding: "utf8" }).trim();
    const dir = path.join(root, "clusters", "mine");
    const files = filesUnder(dir)
      .map((file) => path.relative(dir, file))
      .sort();
    expect(files).toEqual([
      ".kubeforge/age-key-file",
      "README.md",
      "cluster.ts",
      "git-deploy-key.sops.yaml",
      "package.json",
      "talos/talsecret.sops.yaml",
      "tsconfig.json",
    ]);
    for (const file of filesUnder(dir)) expect(readFileSync(file, "utf8")).not.toContain(DEMO);
    for (const file of ["talos/talsecret.sops.yaml", "git-deploy-key.sops.yaml"]) {
      const text = readFileSync(path.join(dir, file), "utf8");
      expect(text).toContain(`recipient: ${recipient}`);
      expect(text).not.toContain("PRIVATE KEY");
    }
    expect(readFileSync(path.join(dir, "cluster.ts"), "utf8")).toContain(`ageRecipients: ["${recipient}"]`);
    expect(result.stdout).toMatch(/ssh-ed25519 AAAA\S+ flux-mine/);
    // --skip-install: the next steps start with the install build needs (they began with "review" before)
    expect(result.stdout).toContain(
      "Next: pnpm install (adds clusters/mine to the workspace), review clusters/mine/cluster.ts",
    );
    const sops = readFileSync(path.join(root, ".sops.yaml"), "utf8");
    expect(sops.indexOf("clusters/mine/")).toBeGreaterThan(-1);
    expect(sops.indexOf("clusters/mine/")).toBeLessThan(sops.indexOf("clusters/(homelab|staging)/"));
    expect(sops).toContain("# Talos secrets (machine secrets bundle, talosconfig …): the whole file is encrypted.");
  });

  it("refuses to run again on an existing cluster and changes nothing", () => {
    const before = readFileSync(path.join(root, "clusters", "mine", "cluster.ts"), "utf8");
    const result = kubeforge(
      ["init", "mine", "--age-key-file", path.join(keys, "age", "keys.txt"), ...INIT_FLAGS],
      root,
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("clusters/mine already exists");
    expect(readFileSync(path.join(root, "clusters", "mine", "cluster.ts"), "utf8")).toBe(before);
  });

  it("refuses an age key inside the repository, and names missing values without a terminal", () => {
    const inside = kubeforge(["init", "other", "--age-key-file", path.join(root, "key.txt"), ...INIT_FLAGS], root);
    expect(inside.status).toBe(1);
    expect(inside.stderr).toContain("is inside the repository");
    expect(existsSync(path.join(root, "clusters", "other"))).toBe(false);
    const missing = kubeforge(["init", "other", "--skip-install"], root);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("--vip 192.168.1.10");
    expect(missing.stderr).not.toContain("    at ");
  });
});

describe("kubeforge build", () => {
  const copyHomelab = (
    name: string,
    edit: (text: string) => string,
    entries = ["cluster.ts", "talos", "secrets", "flux", "bootstrap"],
  ) => {
    const dir = path.join(work, name);
    mkdirSync(dir);
    for (const entry of entries)
      cpSync(path.join(repo, "clusters", "homelab", entry), path.join(dir, entry), { recursive: true });
    writeFileSync(path.join(dir, "cluster.ts"), edit(readFileSync(path.join(dir, "cluster.ts"), "utf8")));
    return dir;
  };

  it("fails a copy of homelab built with the user's own key, naming each file, its recipients and the fix", () => {
    const keyFile = path.join(keys, "own.txt");
    execFileSync("age-keygen", ["-o", keyFile], { stdio: "ignore" });
    const own = execFileSync("age-keygen", ["-y", keyFile], { encoding: "utf8" }).trim();
    const dir = copyHomelab("copied", (text) => text.replace("[DEMO_AGE_RECIPIENT], example: true", `["${own}"]`));
    const before = statSync(path.join(dir, "flux", "kustomization.yaml")).mtimeMs;
    const result = kubeforge(["build", dir], work, { SOPS_AGE_KEY_FILE: keyFile });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("copied/talos/talsecret.sops.yaml: sops.age: is encrypted to");
    expect(result.stderr).toContain(`${DEMO} (the public demo key), expected exactly sops.ageRecipients: ${own}`);
    expect(result.stderr).toContain("this is the example's public Talos PKI");
    expect(result.stderr).toContain("kubeforge secrets updatekeys copied/secrets/demo-credentials.sops.yaml");
    expect(result.stderr).not.toContain("    at ");
    expect(statSync(path.join(dir, "flux", "kustomization.yaml")).mtimeMs).toBe(before);
  });

  it.each([
    ["talos-99", (text: string) => text.replace('version: "v1.13.9"', 'version: "v1.13.99"'), "talos.version"],
    ["k8s-range", (text: string) => text.replace('version: "v1.35.2"', 'version: "v1.29.15"'), "kubernetes.version"],
  ])("rejects %s before writing anything, naming the field", (name, edit, field) => {
    const dir = copyHomelab(name, edit, ["cluster.ts", "talos", "secrets"]);
    const talosconfig = path.join(dir, "talos", "generated", "talosconfig.sops.yaml");
    const before = readFileSync(talosconfig, "utf8");
    const result = kubeforge(["build", dir], work, { SOPS_AGE_KEY_FILE: path.join(repo, "demo-keys", "age.agekey") });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(field);
    expect(result.stderr).not.toContain("    at ");
    expect(existsSync(path.join(dir, "flux"))).toBe(false);
    expect(existsSync(path.join(dir, "bootstrap"))).toBe(false);
    expect(readFileSync(talosconfig, "utf8")).toBe(before);
  });

  it("reports a definition whose imports do not resolve (package not installed) as one line with the fix", () => {
    const dir = path.join(keys, "outside");
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, "cluster.ts"),
      'import { defineCluster } from "@kubeforge/config";\nexport default defineCluster({} as never);\n',
    );
    const result = kubeforge(["build", dir], work);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("cannot be loaded: Cannot find module '@kubeforge/config'");
    expect(result.stderr).toContain("run `pnpm install` at the repository root");
    expect(result.stderr).not.toContain("internal error");
    expect(result.stderr).not.toContain("    at ");
  });

  it("says what to pass when the definition is missing, without a stack trace", () => {
    const result = kubeforge(["build", "nowhere/at-all"], work);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("nowhere/at-all: does not exist");
    expect(result.stderr).not.toContain("    at ");
  });
});
