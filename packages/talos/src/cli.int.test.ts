// The built CLI end to end, with real SOPS (age) and the demo key. Run after `pnpm build`.
import { existsSync, lstatSync, mkdtempSync, rmSync } from "node:fs";
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadCluster } from "@kubeforge/config";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { homelabClusterFile, repoRoot, talosConformance } from "./__fixtures__/paths.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "talos-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const binFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../bin/kubeforge-talos.mjs");
const demoKey = path.join(repoRoot, "demo-keys/age.agekey");
let directory: string;
let clusterFile: string;

function run(args: string[], env: Record<string, string> = {}) {
  return execa("node", [binFile, ...args], {
    cwd: directory,
    reject: false,
    env: { SOPS_AGE_KEY_FILE: demoKey, HOME: directory, ...env },
    extendEnv: false,
  });
}

beforeAll(async () => {
  directory = await mkdtemp(path.join(scratch, "talos-cli-"));
  clusterFile = path.join(directory, "cluster.yaml");
  const { cluster } = await loadCluster(homelabClusterFile);
  await writeFile(clusterFile, stringify(cluster));
});

describe("kubeforge-talos", () => {
  it("prints usage with the bootstrap order; exit 2 without a command", async () => {
    const help = await run(["--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("Bootstrap order: gen secrets → gen config → apply --insecure");
    const none = await run([]);
    expect(none.exitCode).toBe(2);
    const unknown = await run(["gen", "keys"]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command: gen keys/);
  });

  it("gen config without a bundle fails clearly (exit 1) and creates no bundle", async () => {
    const result = await run(["gen", "config", "--cluster", "cluster.yaml"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/talsecret\.sops\.yaml: does not exist, so there are no cluster secrets/);
    expect(result.stderr).not.toContain("internal error");
    expect(existsSync(path.join(directory, "talos"))).toBe(false);
  });

  it("gen secrets creates the encrypted bundle once and refuses to overwrite it", async () => {
    const first = await run(["gen", "secrets", "--cluster", "cluster.yaml"]);
    expect(first.exitCode).toBe(0);
    const bundleFile = path.join(directory, "talos/talsecret.sops.yaml");
    const sealed = await readFile(bundleFile, "utf8");
    expect(sealed).toMatch(/^sops:$/m);
    expect(sealed).toContain("recipient: age16gcuf2qq6vnu6sd55y8q5h2tyt04ph3fklz2pdfnkeknrwz6paksd30vx8");
    const second = await run(["gen", "secrets", "--cluster", "cluster.yaml"]);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(/already exists — kubeforge never overwrites a secrets bundle/);
    expect(await readFile(bundleFile, "utf8")).toBe(sealed);
  });

  it("gen config writes configs that validate; a second run changes nothing", async () => {
    const first = await run(["gen", "config", "--cluster", "cluster.yaml", "--json"]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).files).toHaveLength(4);
    const second = await run(["gen", "config", "--cluster", "cluster.yaml", "--json"]);
    expect(JSON.parse(second.stdout).files.every((file: { changed: boolean }) => !file.changed)).toBe(true);
    const files = ["node-1", "node-2", "node-3"].map((name) => `talos/generated/${name}.sops.yaml`);
    // Outside a git repository nothing confirms talos/out is ignored: no "gitignored" claim, a warning instead.
    const plain = await run(["gen", "config", "--cluster", "cluster.yaml", "--plaintext"]);
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/decrypted copies \(mode 0600\) in /);
    expect(plain.stdout).not.toContain("gitignored");
    expect(plain.stderr).toMatch(
      /warning: .*talos\/out holds decrypted machine configs and git does not confirm it is ignored/,
    );
    expect(await readFile(path.join(directory, "talos/out/.gitignore"), "utf8")).toMatch(/^\*$/m);
    await rm(path.join(directory, "talos/out"), { recursive: true });
    const validated = await run(["validate", "--cluster", "cluster.yaml", ...files]);
    expect(validated.exitCode, validated.stderr).toBe(0);
    expect(validated.stdout.split("\n").filter(Boolean)).toHaveLength(3);
  });

  it("gen config --check: 0 when up to date; 1 naming file and path after the definition changed; clear without a key", async () => {
    const generated = path.join(directory, "talos/generated");
    const before = await Promise.all(
      (await readdir(generated)).map((name) => readFile(path.join(generated, name), "utf8")),
    );
    const clean = await run(["gen", "config", "--cluster", "cluster.yaml", "--check"]);
    expect(clean.exitCode, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/4 Talos files are up to date/);
    const original = await readFile(clusterFile, "utf8");
    const definition = parse(original) as { talos: Record<string, unknown> };
    definition.talos.installDisk = "/dev/nvme0n1";
    await writeFile(clusterFile, stringify(definition));
    try {
      const stale = await run(["gen", "config", "--cluster", "cluster.yaml", "--check"]);
      expect(stale.exitCode).toBe(1);
      expect(stale.stderr).toMatch(/3 of 4 Talos files are out of date/);
      expect(stale.stderr).toMatch(
        /talos\/generated\/node-1\.sops\.yaml: machine\.install\.disk: .* in the committed file, \/dev\/nvme0n1 from the cluster definition — run `kubeforge-talos gen config --cluster cluster\.yaml`/,
      );
      const keyless = await run(["gen", "config", "--cluster", "cluster.yaml", "--check"], { SOPS_AGE_KEY_FILE: "" });
      expect(keyless.exitCode).toBe(1);
      expect(keyless.stderr).toMatch(/^error: cannot check the Talos output: .*SOPS_AGE_KEY_FILE/);
    } finally {
      await writeFile(clusterFile, original);
    }
    const after = await Promise.all(
      (await readdir(generated)).map((name) => readFile(path.join(generated, name), "utf8")),
    );
    expect(after).toEqual(before);
  }, 120_000);

  it("the re-key scenario refuses at both steps (exit 1) and changes no file", async () => {
    const bundleFile = path.join(directory, "talos/talsecret.sops.yaml");
    const aside = path.join(directory, "talsecret.aside");
    const generated = path.join(directory, "talos/generated");
    const before = await Promise.all(
      (await readdir(generated)).map((name) => readFile(path.join(generated, name), "utf8")),
    );
    // --rekey while the bundle exists: refused, and no warning claims a new PKI that was not made
    const bundleBefore = await readFile(bundleFile, "utf8");
    const kept = await run(["gen", "secrets", "--cluster", "cluster.yaml", "--rekey"]);
    expect(kept.exitCode).toBe(1);
    expect(kept.stderr).toMatch(/already exists/);
    expect(kept.stderr).not.toMatch(/warning: --rekey/);
    expect(await readFile(bundleFile, "utf8")).toBe(bundleBefore);
    // and without --rekey: the bundle is there, nothing to do — not the advice to recover a missing one
    const plain = await run(["gen", "secrets", "--cluster", "cluster.yaml"]);
    expect(plain.exitCode).toBe(1);
    expect(plain.stderr).toMatch(/talsecret\.sops\.yaml: already exists — kubeforge never overwrites/);
    expect(plain.stderr).not.toMatch(/refusing to create new cluster PKI|recover it/);
    await rename(bundleFile, aside);
    const secrets = await run(["gen", "secrets", "--cluster", "cluster.yaml"]);
    expect(secrets.exitCode).toBe(1);
    expect(secrets.stderr).toMatch(/refusing to create new cluster PKI while generated configs exist/);
    expect(secrets.stderr).toMatch(/node-1\.sops\.yaml: exists: .*--rekey/);
    expect(existsSync(bundleFile)).toBe(false);
    // Forced anyway: gen config must then refuse to overwrite the configs built from the old CAs.
    const rekeyed = await run(["gen", "secrets", "--cluster", "cluster.yaml", "--rekey"]);
    expect(rekeyed.exitCode, rekeyed.stderr).toBe(0);
    expect(rekeyed.stderr).toMatch(/warning: --rekey: .*must be reset and reinstalled/);
    const config = await run(["gen", "config", "--cluster", "cluster.yaml", "--plaintext"]);
    expect(config.exitCode).toBe(1);
    expect(config.stderr).toMatch(/^error: refusing to overwrite the generated configs/);
    expect(config.stderr).toMatch(
      /node-1\.sops\.yaml: machine\.ca: its os CA differs from the one in the secrets bundle/,
    );
    expect(existsSync(path.join(directory, "talos/out"))).toBe(false);
    const after = await Promise.all(
      (await readdir(generated)).map((name) => readFile(path.join(generated, name), "utf8")),
    );
    expect(after).toEqual(before);
    // Recovered from an encrypted control-plane config, the bundle matches the configs again.
    await rm(bundleFile);
    const recovered = await run([
      "gen",
      "secrets",
      "--cluster",
      "cluster.yaml",
      "--from",
      "talos/generated/node-1.sops.yaml",
    ]);
    expect(recovered.exitCode, recovered.stderr).toBe(0);
    const again = await run(["gen", "config", "--cluster", "cluster.yaml", "--json"]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).files.every((file: { changed: boolean }) => !file.changed)).toBe(true);
    await rm(bundleFile);
    await rename(aside, bundleFile);
  }, 120_000);

  it("gen secrets --from a file that is neither bundle nor config says so, without a YAML-library error", async () => {
    await writeFile(path.join(directory, "notes.yaml"), "apiVersion: v1\nkind: ConfigMap\n---\nkind: Secret\n");
    const result = await run(["gen", "secrets", "--cluster", "cluster.yaml", "--from", "notes.yaml"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /notes\.yaml: is neither a Talos secrets bundle .* nor a control-plane machine config/,
    );
    expect(result.stderr).not.toMatch(/multiple documents|internal error/);
  });

  it("apply hands the decrypted config over stdin, and interrupted (Ctrl-C) leaves nothing behind", async () => {
    const temp = await mkdtemp(path.join(scratch, "talos-cli-tmp-"));
    const bin = await mkdtemp(path.join(scratch, "talos-cli-bin-"));
    const started = path.join(bin, "started");
    const received = path.join(bin, "received");
    // A talosctl that reads its config from stdin and is still busy when the user presses Ctrl-C; it lets go of
    // the output pipes.
    await writeFile(
      path.join(bin, "talosctl"),
      `#!/bin/sh\ncat > "${received}"\ntouch "${started}"\nexec sleep 3 </dev/null >/dev/null 2>&1\n`,
      { mode: 0o755 },
    );
    const child = execa("node", [binFile, "apply", "--cluster", "cluster.yaml", "--node", "node-1", "--insecure"], {
      cwd: directory,
      reject: false,
      env: { SOPS_AGE_KEY_FILE: demoKey, HOME: directory, TMPDIR: temp, PATH: `${bin}:${process.env.PATH}` },
      extendEnv: false,
    });
    const deadline = Date.now() + 20_000;
    while (!existsSync(started) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(started)).toBe(true);
    // talosctl got the decrypted config on stdin, and no file holds it while talosctl runs…
    expect(await readFile(received, "utf8")).toMatch(/^version: v1alpha1$/m);
    for (const work of await readdir(temp)) expect(await readdir(path.join(temp, work))).toEqual([]);
    child.kill("SIGINT");
    const result = await child;
    expect(result.signal ?? result.exitCode).toBeTruthy();
    // …and the (empty) work folder is gone once the interrupted apply has stopped.
    expect(await readdir(temp)).toEqual([]);
  }, 30_000);

  it("apply hands talosctl the talosconfig through a named pipe: a kill -9 leaves at most an empty pipe, never the credentials", async () => {
    const temp = await mkdtemp(path.join(scratch, "talos-cli-tmp-"));
    const bin = await mkdtemp(path.join(scratch, "talos-cli-bin-"));
    const started = path.join(bin, "started");
    // A talosctl that reads its config from stdin, notes where its --talosconfig is, and is still busy (without having
    // read the talosconfig) when the apply is killed.
    await writeFile(
      path.join(bin, "talosctl"),
      `#!/bin/sh\ncat > /dev/null\nprev=""\nfor arg in "$@"; do [ "$prev" = "--talosconfig" ] && echo "$arg" > "${started}.tmp"; prev="$arg"; done\nmv "${started}.tmp" "${started}"\nexec sleep 3 </dev/null >/dev/null 2>&1\n`,
      { mode: 0o755 },
    );
    const child = execa("node", [binFile, "apply", "--cluster", "cluster.yaml", "--node", "node-1"], {
      cwd: directory,
      reject: false,
      env: { SOPS_AGE_KEY_FILE: demoKey, HOME: directory, TMPDIR: temp, PATH: `${bin}:${process.env.PATH}` },
      extendEnv: false,
    });
    const deadline = Date.now() + 60_000;
    while (!existsSync(started) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(started)).toBe(true);
    child.kill("SIGKILL");
    await child;
    const talosconfig = (await readFile(started, "utf8")).trim();
    expect(path.dirname(path.dirname(talosconfig))).toBe(temp);
    // What a kill -9 leaves: the private folder with the pipe, which holds nothing; no regular file anywhere.
    expect(await readdir(path.dirname(talosconfig))).toEqual(["talosconfig"]);
    expect(lstatSync(talosconfig).isFIFO()).toBe(true);
    expect(lstatSync(talosconfig).size).toBe(0);
  }, 120_000);

  it("validate reports schema errors with the document path (exit 1)", async () => {
    await writeFile(path.join(directory, "bad.yaml"), "version: v1alpha1\npersist: true\nmachine:\n    type: boss\n");
    const result = await run(["validate", "bad.yaml", "--talos-version", "v1.13.9"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      "bad.yaml: documents[0](v1alpha1).persist: is not allowed by the schema — remove persist",
    );
    expect(result.stderr).toContain(
      "bad.yaml: documents[0](v1alpha1).machine.type: must be equal to one of the allowed values",
    );
  });

  it("gen config with a key that cannot decrypt the bundle fails clearly", async () => {
    const other = path.join(directory, "other.agekey");
    await execa("age-keygen", ["-o", other]);
    const result = await run(["gen", "config", "--cluster", "cluster.yaml"], { SOPS_AGE_KEY_FILE: other });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/talsecret\.sops\.yaml: cannot be decrypted: .* — set SOPS_AGE_KEY_FILE/);
  });

  it("gen secrets --from imports a talosctl bundle", async () => {
    const imported = await mkdtemp(path.join(scratch, "talos-cli-import-"));
    await writeFile(path.join(imported, "cluster.yaml"), await readFile(clusterFile, "utf8"));
    const fixture = path.join(talosConformance, "golden/secrets-bundle-testfixture.yaml");
    const result = await execa("node", [binFile, "gen", "secrets", "--cluster", "cluster.yaml", "--from", fixture], {
      cwd: imported,
      reject: false,
      env: { SOPS_AGE_KEY_FILE: demoKey },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain("imported the secrets bundle");
  });

  it("gen secrets --from opens a SOPS-encrypted talhelper talsecret.sops.yaml", async () => {
    const imported = await mkdtemp(path.join(scratch, "talos-cli-talhelper-"));
    await writeFile(path.join(imported, "cluster.yaml"), await readFile(clusterFile, "utf8"));
    // The bundle written by the earlier test is a SOPS-encrypted bundle, just as talhelper keeps it.
    const talsecret = path.join(directory, "talos/talsecret.sops.yaml");
    const result = await execa("node", [binFile, "gen", "secrets", "--cluster", "cluster.yaml", "--from", talsecret], {
      cwd: imported,
      reject: false,
      env: { SOPS_AGE_KEY_FILE: demoKey },
    });
    expect(result.exitCode, result.stderr).toBe(0);
  });

  it("apply --dry-run prints one talosctl command per node, then the bootstrap order", async () => {
    const result = await run(["apply", "--cluster", "cluster.yaml", "--dry-run", "--insecure"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain("talosctl apply-config --nodes 192.168.1.101 --file <config> --insecure");
    // No decrypted talosconfig yet (gen config ran without --plaintext), so writing it comes first.
    expect(result.stdout).toMatch(
      /1\. kubeforge-talos gen config --cluster cluster\.yaml --plaintext {3}# writes talos\/out\/talosconfig\n\s+2\. talosctl --talosconfig talos\/out\/talosconfig bootstrap .*\n\s+3\. talosctl .* kubeconfig .*\n\s+4\. install Cilium.*\n\s+5\. bootstrap Flux/,
    );
  });
});
