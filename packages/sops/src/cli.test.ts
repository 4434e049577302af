import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../test/cli.js";
import { alice, bob } from "../test/keys.js";
import { ageVectors, expectedOf, keyFileOf, vectorsDir } from "../test/shared.js";
import { parseDocument } from "./formats/index.js";
import { treeToPlain } from "./tree.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("kubeforge-sops decrypt on every shared age vector", () => {
  it.each(ageVectors.map((v) => [v.file, v] as const))("%s prints the expected plaintext", (_name, vector) => {
    const result = runCli(["decrypt", "--input-type", vector.format, path.join(vectorsDir, vector.file)], {
      env: { SOPS_AGE_KEY_FILE: keyFileOf(vector) },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const { plaintext } = expectedOf(vector) as { plaintext: { [key: string]: unknown } };
    if (vector.format === "binary") {
      expect(result.stdout.toString("utf8")).toBe(plaintext.data);
    } else {
      const { branches } = parseDocument(result.stdout, vector.format, { encrypted: false });
      expect(treeToPlain(branches[0]!)).toEqual(plaintext);
    }
  });
});

describe("kubeforge-sops", () => {
  let dir: string;
  const env = () => ({ SOPS_AGE_KEY: alice.identity });
  const secret =
    "apiVersion: v1\nkind: Secret\nmetadata:\n    name: demo\nstringData:\n    one: first\n    two: second\n";

  beforeEach(() => {
    dir = mkdtempSync(path.join(scratch, "kubeforge-sops-cli-"));
    writeFileSync(
      path.join(dir, ".sops.yaml"),
      `creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n    age: ${alice.recipient}\n  - path_regex: \\.env$\n    age: [${alice.recipient}]\n`,
    );
  });

  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it("prints help and exits 0; --version alone prints the version and exits 0", () => {
    const result = runCli(["--help"]);
    expect(result.code).toBe(0);
    const help = result.stdout.toString();
    for (const verb of [
      "encrypt",
      "decrypt",
      "edit",
      "set",
      "unset",
      "exec-env",
      "exec-file",
      "updatekeys",
      "rotate",
    ]) {
      expect(help).toMatch(new RegExp(`^  ${verb} <file>`, "m"));
    }
    expect(help).toContain("--filename-override");
    expect(help).toContain("--recursive");
    const version = runCli(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.toString()).toBe("kubeforge-sops (sops 3.13.2 compatible)\n");
  });

  it("rejects unknown commands and flags with exit 1", () => {
    expect(runCli(["frobnicate", "x"]).code).toBe(1);
    const flag = runCli(["decrypt", "--nope", "x"]);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain("--nope");
    expect(runCli(["decrypt", "-i", "--output", "y", "x"]).stderr).toContain("cannot be used together");
    expect(runCli(["decrypt", "--input-type", "toml", "x"]).stderr).toContain("--input-type must be one of");
  });

  it("encrypts in place by the matching creation rule and decrypts back", () => {
    const file = write("plain.yaml", "a: 1\n");
    mkdirSync(path.join(dir, "secrets"));
    const target = path.join(dir, "secrets", "demo.yaml");
    writeFileSync(target, secret);
    const encrypted = runCli(["encrypt", "-i", "secrets/demo.yaml"], { cwd: dir, env: env() });
    expect(encrypted.stderr).toBe("");
    expect(encrypted.code).toBe(0);
    const text = readFileSync(target, "utf8");
    expect(text).toContain("metadata:\n    name: demo\n");
    expect(text).toMatch(/one: ENC\[AES256_GCM/);
    expect(text).toContain("encrypted_regex: ^(data|stringData)$");
    const decrypted = runCli(["decrypt", target], { env: env() });
    expect(decrypted.stdout.toString()).toBe(secret);
    expect(runCli(["filestatus", target]).stdout.toString()).toBe('{"encrypted":true}\n');
    expect(runCli(["filestatus", file]).stdout.toString()).toBe('{"encrypted":false}\n');
  });

  it("decrypting with an X25519 key loads none of the libraries it does not need (age-encryption, yaml, re2js, shlex, shamir)", () => {
    // importing them cost every process (and decrypt thread) ~100 ms: age-encryption ~50, yaml 37, re2js 10, …
    const target = write("lazy.yaml", secret);
    expect(runCli(["encrypt", "-i", "--age", alice.recipient, target], { env: env() }).code).toBe(0);
    // NODE_DEBUG names every ES module the loader stores (esm) and every CommonJS file required (module);
    // the encrypt run shows the check sees both kinds
    const loaded = (args: string[]) => runCli(args, { env: { ...env(), NODE_DEBUG: "esm,module" } }).stderr;
    const encrypt = loaded([
      "encrypt",
      "--encrypted-regex",
      "^a$",
      "--age",
      alice.recipient,
      write("other.yaml", "a: b\n"),
    ]);
    expect(encrypt).toContain("age-encryption");
    expect(encrypt).toMatch(/node_modules\/re2js\/build\/index\.cjs/);
    const decrypt = loaded(["decrypt", target]);
    expect(decrypt).toContain("kubeforge-sops.mjs");
    for (const library of ["age-encryption", "post-quantum", "/yaml/", "re2js", "shlex", "shamir-secret-sharing"]) {
      expect(decrypt, library).not.toContain(library);
    }
  });
  it("never leaves decrypted plaintext readable by others, even over an existing 0644 file", () => {
    mkdirSync(path.join(dir, "secrets"));
    const target = path.join(dir, "secrets", "demo.yaml");
    writeFileSync(target, secret);
    chmodSync(target, 0o644);
    expect(runCli(["encrypt", "-i", "secrets/demo.yaml"], { cwd: dir, env: env() }).code).toBe(0);
    // Encrypted files keep their mode: they are meant to be committed and shared.
    expect(statSync(target).mode & 0o777).toBe(0o644);
    const copy = path.join(dir, "plain.yaml");
    writeFileSync(copy, "old\n", { mode: 0o644 });
    chmodSync(copy, 0o644);
    expect(runCli(["decrypt", target, "--output", copy], { env: env() }).code).toBe(0);
    expect(readFileSync(copy, "utf8")).toBe(secret);
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    expect(runCli(["decrypt", "-i", target], { env: env() }).code).toBe(0);
    expect(readFileSync(target, "utf8")).toBe(secret);
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it("fails with exit 1 (as sops) when no creation rule matches, naming the file", () => {
    const file = write("other.yaml", "a: 1\n");
    const result = runCli(["encrypt", file], { cwd: dir, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}: no matching creation rules found`);
  });

  it("refuses to encrypt twice (203) and reports a missing key (128) in one line naming every source", () => {
    const file = write("app.env", "A=1\n");
    expect(runCli(["encrypt", "-i", file], { cwd: dir, env: env() }).code).toBe(0);
    const twice = runCli(["encrypt", file], { cwd: dir, env: env() });
    expect(twice.code).toBe(203);
    expect(twice.stderr).toContain("already encrypted");
    const wrongKey = runCli(["decrypt", file], { env: { SOPS_AGE_KEY: bob.identity } });
    expect(wrongKey.code).toBe(128);
    expect(wrongKey.stderr).toContain(file);
    expect(wrongKey.stderr).toContain(alice.recipient);
    const noKey = runCli(["decrypt", file]);
    expect(noKey.code).toBe(128);
    expect(noKey.stderr).toContain("no age identity can decrypt the data key");
    expect(noKey.stderr).toContain("SOPS_AGE_KEY (not set)");
    expect(noKey.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("refuses a tampered file with exit 51 (MAC) or 25 (value)", () => {
    const file = write("plain.yaml", "a: hello\nb_unencrypted: visible\n");
    const encrypted = runCli(["encrypt", "--age", alice.recipient, file], { env: env(), cwd: os.tmpdir() });
    expect(encrypted.code).toBe(0);
    const text = encrypted.stdout.toString();
    const macTampered = write("mac.yaml", text.replace("visible", "visiblE"));
    const mac = runCli(["decrypt", macTampered], { env: env() });
    expect(mac.code).toBe(51);
    expect(mac.stderr).toContain(`${macTampered}: MAC mismatch`);
    expect(runCli(["decrypt", "--ignore-mac", macTampered], { env: env() }).code).toBe(0);
    const data = /a: ENC\[AES256_GCM,data:([^,]+),/.exec(text)![1]!;
    const flipped = data[0] === "A" ? `B${data.slice(1)}` : `A${data.slice(1)}`;
    const valueTampered = write("value.yaml", text.replace(data, flipped));
    const value = runCli(["decrypt", valueTampered], { env: env() });
    expect(value.code).toBe(25);
    expect(value.stderr).toContain(`${valueTampered}: a: value failed authentication`);
  });

  it("converts with --input-type/--output-type, extracts, and writes --output", () => {
    const file = write("data.txt", '{"db": {"password": "hunter2", "port": 5432}}');
    const out = path.join(dir, "data.enc.json");
    const encrypted = runCli(["encrypt", "--input-type", "json", "--age", alice.recipient, "--output", out, file], {
      env: env(),
      cwd: os.tmpdir(),
    });
    expect(encrypted.code).toBe(0);
    expect(encrypted.stdout.length).toBe(0);
    expect(readFileSync(out, "utf8")).toContain('"password": "ENC[AES256_GCM');
    const yaml = runCli(["decrypt", "--output-type", "yaml", out], { env: env() });
    expect(yaml.stdout.toString()).toBe("db:\n    password: hunter2\n    port: 5432\n");
    expect(runCli(["decrypt", "--extract", '["db"]["password"]', out], { env: env() }).stdout.toString()).toBe(
      "hunter2",
    );
    const missing = runCli(["decrypt", "--extract", '["db"]["user"]', out], { env: env() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('component "user" not found');
    // re-encrypting unchanged plaintext to the same --output keeps it byte for byte
    const before = readFileSync(out, "utf8");
    runCli(["encrypt", "--input-type", "json", "--age", alice.recipient, "--output", out, file], {
      env: env(),
      cwd: os.tmpdir(),
    });
    expect(readFileSync(out, "utf8")).toBe(before);
  });

  it("edits through $EDITOR, keeping unchanged ciphertext, and skips unchanged files", () => {
    const file = write("app.env", "ONE=first\nTWO=second\n");
    runCli(["encrypt", "-i", file], { cwd: dir, env: env() });
    const before = readFileSync(file, "utf8");
    const editor = write("editor.sh", '#!/bin/sh\nsed -i "s/second/SECOND/" "$1"\n');
    chmodSync(editor, 0o755);
    const edited = runCli(["edit", file], { env: { ...env(), EDITOR: editor } });
    expect(edited.stderr).toBe("");
    expect(edited.code).toBe(0);
    const after = readFileSync(file, "utf8");
    const line = (text: string, key: string) => text.split("\n").find((l) => l.startsWith(`${key}=`));
    expect(line(after, "ONE")).toBe(line(before, "ONE"));
    expect(line(after, "TWO")).not.toBe(line(before, "TWO"));
    expect(line(after, "sops_age__list_0__map_enc")).toBe(line(before, "sops_age__list_0__map_enc"));
    expect(runCli(["decrypt", file], { env: env() }).stdout.toString()).toBe("ONE=first\nTWO=SECOND\n");
    const unchanged = runCli(["edit", file], { env: { ...env(), EDITOR: "true" } });
    expect(unchanged.code).toBe(200);
    expect(unchanged.stderr).toContain("File has not changed");
    expect(readFileSync(file, "utf8")).toBe(after);
    const failing = runCli(["edit", file], { env: { ...env(), EDITOR: "false" } });
    expect(failing.code).toBe(201);
  });

  it("edit leaves Ctrl-C to the editor and never strands the plaintext temp file", () => {
    const file = write("app.env", "ONE=first\nTWO=second\n");
    runCli(["encrypt", "-i", file], { cwd: dir, env: env() });
    const temp = mkdtempSync(path.join(scratch, "kubeforge-sops-tmp-"));
    // An editor session in which the user presses Ctrl-C (vim, for one, just cancels a command): the terminal
    // sends SIGINT to the whole foreground group, so kubeforge-sops gets it too.
    const editor = write(
      "ctrl-c.sh",
      `#!/bin/sh
pid=$$
while [ "$pid" -gt 1 ]; do
  pid=$(ps -o ppid= -p "$pid" | tr -d ' ')
  if ps -o args= -p "$pid" | grep -q "kubeforge-sops\\.mjs"; then kill -INT "$pid"; break; fi
done
sleep 1
sed -i "s/second/SECOND/" "$1"
`,
    );
    chmodSync(editor, 0o755);
    const edited = runCli(["edit", file], { env: { ...env(), EDITOR: editor, TMPDIR: temp } });
    expect(edited.stderr).toBe("");
    expect(edited.code).toBe(0);
    expect(readdirSync(temp)).toEqual([]);
    expect(runCli(["decrypt", file], { env: env() }).stdout.toString()).toBe("ONE=first\nTWO=SECOND\n");
  });

  it("edit creates a missing file from the creation rules", () => {
    const file = path.join(dir, "new.env");
    const editor = write("writer.sh", '#!/bin/sh\nprintf "TOKEN=abc\\n" > "$1"\n');
    chmodSync(editor, 0o755);
    const created = runCli(["edit", "new.env"], { cwd: dir, env: { ...env(), EDITOR: editor } });
    expect(created.stderr).toBe("");
    expect(readFileSync(file, "utf8")).toMatch(/^TOKEN=ENC\[AES256_GCM/);
    expect(runCli(["decrypt", file], { env: env() }).stdout.toString()).toBe("TOKEN=abc\n");
  });

  it("updatekeys re-wraps for the rule's recipients; rotate changes the data key", () => {
    const file = write("app.env", "A=1\n");
    runCli(["encrypt", "-i", file], { cwd: dir, env: env() });
    expect(runCli(["updatekeys", "-y", file], { cwd: dir, env: env() }).stderr).toContain("already up to date");
    writeFileSync(path.join(dir, ".sops.yaml"), `creation_rules:\n  - age: ${alice.recipient},${bob.recipient}\n`);
    const before = readFileSync(file, "utf8");
    const updated = runCli(["updatekeys", "-y", file], { cwd: dir, env: env() });
    expect(updated.code).toBe(0);
    expect(updated.stderr).toContain(`+++ ${bob.recipient}`);
    const after = readFileSync(file, "utf8");
    expect(after.split("\n")[0]).toBe(before.split("\n")[0]);
    expect(runCli(["decrypt", file], { env: { SOPS_AGE_KEY: bob.identity } }).stdout.toString()).toBe("A=1\n");
    const rotated = runCli(["rotate", "-i", file], { env: env() });
    expect(rotated.code).toBe(0);
    const final = readFileSync(file, "utf8");
    expect(final.split("\n")[0]).not.toBe(after.split("\n")[0]);
    expect(runCli(["decrypt", file], { env: { SOPS_AGE_KEY: bob.identity } }).stdout.toString()).toBe("A=1\n");
  });
});
