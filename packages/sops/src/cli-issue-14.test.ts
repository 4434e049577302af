// Issue 14, through the CLI, with the inputs from the issue: no data loss, no cleartext, sops' exit
// codes and the sops features scripts rely on.
import { spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { binPath, runCli } from "../test/cli.js";
import { alice, bob } from "../test/keys.js";
import { runTool } from "../test/tool.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-i14-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SECRET = "apiVersion: v1\nkind: Secret\nmetadata:\n    name: demo\ndata:\n    a: YQ==\nstringData:\n    b: bee\n";

let dir: string;
const env = () => ({ SOPS_AGE_KEY: alice.identity });
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
};
const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

beforeEach(() => {
  dir = mkdtempSync(path.join(scratch, "kubeforge-sops-i14-"));
});

describe("no data loss, no cleartext", () => {
  it("#1 shamir_threshold: 5 with 3 key_groups: -i refuses and leaves the plaintext as it was", () => {
    write(
      ".sops.yaml",
      `creation_rules:\n  - shamir_threshold: 5\n    key_groups:\n      - age: [${alice.recipient}]\n      - age: [${bob.recipient}]\n      - age: [${alice.recipient}]\n`,
    );
    const file = write("s.yaml", SECRET);
    const result = runCli(["encrypt", "-i", "s.yaml"], { cwd: dir, env: env() });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("parts cannot be less than threshold");
    expect(readFileSync(file, "utf8")).toBe(SECRET);
  });

  it("#2 --encrypted-regex '^[[:alpha:]]*[dD]ata$' encrypts data and stringData", () => {
    const file = write("s.yaml", SECRET);
    const result = runCli(["encrypt", "--age", alice.recipient, "--encrypted-regex", "^[[:alpha:]]*[dD]ata$", file]);
    expect(result.code).toBe(0);
    const text = result.stdout.toString();
    // the values as lines: "YQ==" or "bee" may well occur inside the random base64 of a ciphertext
    expect(text).not.toMatch(/^ {4}a: YQ==$/m);
    expect(text).not.toMatch(/^ {4}b: bee$/m);
    expect(text).toMatch(/ {4}a: ENC\[/);
    expect(text).toMatch(/ {4}b: ENC\[/);
  });

  it("#3 merge: key groups are encrypted to every recipient; comma lists are split", () => {
    write(
      ".sops.yaml",
      `creation_rules:\n  - key_groups:\n      - age:\n          - ${alice.recipient},${bob.recipient}\n        merge:\n          - age: [${alice.recipient}]\n`,
    );
    write("s.yaml", SECRET);
    const result = runCli(["encrypt", "s.yaml"], { cwd: dir, env: env() });
    expect(result.stderr).toBe("");
    const text = result.stdout.toString();
    expect(text).toContain(`recipient: ${alice.recipient}`);
    expect(text).toContain(`recipient: ${bob.recipient}`);
    const out = write("enc.yaml", text);
    expect(runCli(["decrypt", out], { env: { SOPS_AGE_KEY: bob.identity } }).stdout.toString()).toBe(SECRET);
  });

  it("#5 a 470-byte alias bomb and 5,000 nested JSON arrays fail cleanly, without a stack trace", () => {
    let bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (const [prev, next] of ["ab", "bc", "cd", "de", "ef", "fg", "gh", "hi", "ij"])
      bomb += `${next}: &${next} [${Array(9).fill(`*${prev}`).join(",")}]\n`;
    const yaml = write("bomb.yaml", bomb);
    const first = runCli(["encrypt", "--age", alice.recipient, yaml]);
    expect(first.code).toBe(2);
    expect(first.stderr).toContain("aliases expand to too many nodes");
    noStack(first.stderr);
    const json = write("deep.json", `{"a": ${"[".repeat(5000)}${"]".repeat(5000)}}`);
    const second = runCli(["encrypt", "--age", alice.recipient, json]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain("nests deeper than 1000 levels");
    noStack(second.stderr);
  });

  it("#7 -i on a symlink encrypts the target and keeps the link", () => {
    const target = write("real/secret.yaml", SECRET);
    const link = path.join(dir, "link.yaml");
    symlinkSync(target, link);
    expect(runCli(["encrypt", "-i", "--age", alice.recipient, link]).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    const text = readFileSync(target, "utf8");
    expect(text).not.toMatch(/^ {4}b: bee$/m);
    expect(text).toMatch(/^ {4}b: ENC\[/m);
    expect(text).toContain("sops:");
    expect(readdirSync(path.dirname(target))).toEqual(["secret.yaml"]);
  });

  it("#7 encrypt --output <existing file> does not reuse that file's data key", () => {
    const first = write("one.yaml", "a: first\n");
    const other = write("two.yaml", "a: second\n");
    const out = path.join(dir, "out.yaml");
    expect(runCli(["encrypt", "--age", alice.recipient, "--output", out, first], { env: env() }).code).toBe(0);
    const before = readFileSync(out, "utf8");
    expect(runCli(["encrypt", "--age", alice.recipient, "--output", out, other], { env: env() }).code).toBe(0);
    const after = readFileSync(out, "utf8");
    const enc = (text: string) => /enc: \|\n([\s\S]*?END AGE ENCRYPTED FILE)/.exec(text)![1];
    expect(enc(after)).not.toBe(enc(before));
    // the same plaintext again keeps the file byte for byte
    expect(runCli(["encrypt", "--age", alice.recipient, "--output", out, other], { env: env() }).code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(after);
  });
});

describe("edit", () => {
  const encrypted = () => {
    const file = write("app.env", "ONE=first\n");
    expect(runCli(["encrypt", "-i", "--age", alice.recipient, file]).code).toBe(0);
    return file;
  };

  it.each(["SIGTERM", "SIGHUP", "SIGINT"] as const)(
    "#7 removes its plaintext temp file on %s",
    { timeout: 60_000 },
    async (signal) => {
      const file = encrypted();
      const temp = mkdtempSync(path.join(scratch, "kubeforge-sops-tmp-"));
      const ready = path.join(dir, "ready");
      // an editor that never finishes on its own; a SIGINT to the editor's parent only (not from a terminal)
      const editor = write("hang.sh", `#!/bin/sh\ntouch "${ready}"\nsleep 30\n`);
      chmodSync(editor, 0o755);
      const child = spawn(process.execPath, [binPath, "edit", file], {
        env: { PATH: process.env.PATH, HOME: "/nonexistent", ...env(), EDITOR: editor, TMPDIR: temp },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      // listened to from the start: an exit before the last signal must not be missed
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      // until the editor runs (or the CLI ended without starting it: then the test fails here, not hangs)
      while (!existsSync(ready) && child.exitCode === null && child.signalCode === null)
        await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(ready), stderr).toBe(true);
      expect(readdirSync(temp)).toHaveLength(1);
      child.kill(signal);
      if (signal === "SIGINT") {
        // Ctrl-C belongs to an open editor; a stuck editor is ended by SIGTERM after it
        await new Promise((r) => setTimeout(r, 300));
        child.kill("SIGTERM");
      }
      const code = await exited;
      expect(code).toBe(1);
      expect(stderr).toContain("the plaintext temp file was removed");
      expect(readdirSync(temp)).toEqual([]);
    },
  );

  it("#7 reopens the editor on invalid input (after Enter) instead of discarding the edit", () => {
    const file = write("app.yaml", "a: first\n");
    expect(runCli(["encrypt", "-i", "--age", alice.recipient, file]).code).toBe(0);
    const count = path.join(dir, "count");
    // first session: a syntax error; second session: the user fixes it (the broken text is still there)
    const editor = write(
      "two-pass.sh",
      `#!/bin/sh\nif [ ! -f "${count}" ]; then touch "${count}"; printf 'a: [broken\\n' > "$1"; else grep -q broken "$1" && printf 'a: fixed\\n' > "$1"; fi\n`,
    );
    chmodSync(editor, 0o755);
    const result = runCli(["edit", file], { env: { ...env(), EDITOR: editor }, input: "\n" });
    expect(result.stderr).toContain("Press enter to return to the editor");
    expect(result.code).toBe(0);
    expect(runCli(["decrypt", file], { env: env() }).stdout.toString()).toBe("a: fixed\n");
  });
});

describe("the editor never sees the age key", () => {
  it("edit runs $EDITOR without SOPS_AGE_* variables (security review #16 item 8)", () => {
    const file = write("keyless.yaml", "a: one\n");
    expect(runCli(["encrypt", "-i", "--age", alice.recipient, file]).code).toBe(0);
    const seen = path.join(dir, "editor-env.txt");
    const editor = write("dump-env.sh", `#!/bin/sh\nenv > "${seen}"\nprintf 'a: two\\n' > "$1"\n`);
    chmodSync(editor, 0o755);
    const result = runCli(["edit", file], { env: { ...env(), EDITOR: editor } });
    expect(result.code).toBe(0);
    const environment = readFileSync(seen, "utf8");
    expect(environment).toContain("EDITOR=");
    expect(environment).not.toMatch(/^SOPS_AGE_/m);
    expect(environment).not.toContain(alice.identity);
    expect(runCli(["decrypt", file], { env: env() }).stdout.toString()).toBe("a: two\n");
  });
});

describe("#8 sops 3.13 exit codes", () => {
  it("missing file 100, parse error 1, no creation rule 1, conflicting rules 8, int overflow 23, edit unchanged 200", () => {
    expect(runCli(["decrypt", path.join(dir, "missing.yaml")]).code).toBe(100);
    const broken = write("broken.yaml", "a: [\n");
    expect(runCli(["decrypt", broken], { env: env() }).code).toBe(1);
    write(".sops.yaml", `creation_rules:\n  - path_regex: ^only/\n    age: ${alice.recipient}\n`);
    write("elsewhere.yaml", "a: 1\n");
    expect(runCli(["encrypt", "elsewhere.yaml"], { cwd: dir, env: env() }).code).toBe(1);
    const plain = write("p.yaml", "a: 1\n");
    const conflict = runCli([
      "encrypt",
      "--age",
      alice.recipient,
      "--encrypted-regex",
      "a",
      "--unencrypted-suffix",
      "_x",
      plain,
    ]);
    expect(conflict.code).toBe(8);
    const big = write("big.yaml", "n: 18446744073709551615\n");
    expect(runCli(["encrypt", "--age", alice.recipient, big]).code).toBe(23);
    const enc = write("e.yaml", runCli(["encrypt", "--age", alice.recipient, plain]).stdout.toString());
    expect(runCli(["edit", enc], { env: { ...env(), EDITOR: "true" } }).code).toBe(200);
  });
});

describe("#8 sops CLI features", () => {
  const encryptedSecret = () => {
    const file = write("s.yaml", "USER: admin\nPASSWORD: hunter2\nnested:\n    k: v\n");
    return write("s.enc.yaml", runCli(["encrypt", "--age", alice.recipient, file]).stdout.toString());
  };

  it("set and unset change one value in place", () => {
    const file = encryptedSecret();
    expect(runCli(["set", file, '["nested"]["k"]', '"new"'], { env: env() }).code).toBe(0);
    expect(runCli(["set", file, '["extra"]', "42"], { env: env() }).code).toBe(0);
    expect(runCli(["unset", file, '["USER"]'], { env: env() }).code).toBe(0);
    expect(runCli(["decrypt", file], { env: env() }).stdout.toString()).toBe(
      "PASSWORD: hunter2\nnested:\n    k: new\nextra: 42\n",
    );
    expect(readFileSync(file, "utf8")).not.toContain("hunter2");
    expect(runCli(["set", file, "not-an-index", '"x"'], { env: env() }).code).toBe(7);
    expect(runCli(["set", file, '["a"]', "not json"], { env: env() }).code).toBe(7);
  });

  it("exec-env puts top-level values in the environment; exec-file passes a private copy and removes it", () => {
    const file = write("app.env", "TOKEN=abc123\n");
    const enc = write("app.enc.env", runCli(["encrypt", "--age", alice.recipient, file]).stdout.toString());
    const run = runCli(["exec-env", enc, 'test "$TOKEN" = abc123 && echo ok'], { env: env() });
    expect(run.stdout.toString()).toBe("ok\n");
    expect(runCli(["exec-env", enc, "exit 7"], { env: env() }).code).toBe(7);
    const files = runCli(["exec-file", enc, `cat {}; stat -c %a {}; echo {} > ${path.join(dir, "where")}`], {
      env: env(),
    });
    expect(files.stdout.toString()).toBe("TOKEN=abc123\n600\n");
    expect(existsSync(readFileSync(path.join(dir, "where"), "utf8").trim())).toBe(false);
  });

  it("exec-env on a nested document exits 4 as sops (Error dumping file), not the command's own exit codes", () => {
    const plain = write("nested.yaml", "TOKEN: abc\nnested:\n    k: v\n");
    const enc = write("nested.enc.yaml", runCli(["encrypt", "--age", alice.recipient, plain]).stdout.toString());
    const run = runCli(["exec-env", enc, "echo never"], { env: env() });
    // was 7 (sops' ErrorInvalidSetFormat), which a script cannot tell from `exit 7` of its own command
    expect(run.code).toBe(4);
    expect(run.stderr.toString()).toContain("cannot use complex value in environment; offending key nested");
    expect(run.stdout.toString()).toBe("");
  });

  it("--filename-override picks the format and the rule", () => {
    write(".sops.yaml", `creation_rules:\n  - path_regex: \\.env$\n    age: ${alice.recipient}\n`);
    const file = write("input.txt", "A=1\n");
    const result = runCli(["encrypt", "--filename-override", "x.env", file], { cwd: dir, env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toMatch(/^A=ENC\[/);
  });

  it("decrypts several files and a --recursive folder in one process, each to its own output", () => {
    const names = ["a/one.yaml", "a/b/two.yaml", "three.yaml"];
    for (const name of names) {
      const plain = write(`plain/${name}`, `v: ${name}\n`);
      write(`enc/${name}`, runCli(["encrypt", "--age", alice.recipient, plain]).stdout.toString());
    }
    write("enc/README.md", "not a sops file\n");
    const out = path.join(dir, "out");
    const recursive = runCli(["decrypt", "--recursive", path.join(dir, "enc"), "--output-dir", out], { env: env() });
    expect(recursive.stderr).toBe("");
    expect(recursive.code).toBe(0);
    for (const name of names) expect(readFileSync(path.join(out, name), "utf8")).toBe(`v: ${name}\n`);
    expect(existsSync(path.join(out, "README.md"))).toBe(false);
    const inPlace = runCli(["decrypt", "-i", "enc/three.yaml", "enc/a/one.yaml"], { cwd: dir, env: env() });
    expect(inPlace.code).toBe(0);
    expect(readFileSync(path.join(dir, "enc/three.yaml"), "utf8")).toBe("v: three.yaml\n");
    expect(runCli(["decrypt", "enc/a/b/two.yaml", "enc/three.yaml"], { cwd: dir, env: env() }).code).toBe(8);
  });
});

describe("#6 key sources", () => {
  it("an AGE-PLUGIN identity beside a valid key does not block decrypt (warning names it)", () => {
    const file = write("s.yaml", "a: secret\n");
    const enc = write("e.yaml", runCli(["encrypt", "--age", alice.recipient, file]).stdout.toString());
    const plugin = "AGE-PLUGIN-YUBIKEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
    const keys = write("keys.txt", `${plugin}\n${alice.identity}\n`);
    const result = runCli(["decrypt", enc], { env: { SOPS_AGE_KEY_FILE: keys } });
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe("a: secret\n");
    expect(result.stderr).toContain("AGE-PLUGIN-YUBIKEY-1");
  });

  it("a missing SOPS_AGE_KEY_FILE does not abort when SOPS_AGE_KEY holds the key", () => {
    const file = write("s.yaml", "a: secret\n");
    const enc = write("e.yaml", runCli(["encrypt", "--age", alice.recipient, file]).stdout.toString());
    const result = runCli(["decrypt", enc], {
      env: { SOPS_AGE_KEY: alice.identity, SOPS_AGE_KEY_FILE: path.join(dir, "missing.txt") },
    });
    expect(result.stderr).toBe("");
    expect(result.stdout.toString()).toBe("a: secret\n");
  });

  it("ssh-ed25519 recipients and SOPS_AGE_SSH_PRIVATE_KEY_FILE", () => {
    const key = path.join(dir, "id_ed25519");
    runTool("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    const pub = readFileSync(`${key}.pub`, "utf8").trim();
    const file = write("s.yaml", "a: secret\n");
    const encrypted = runCli(["encrypt", "--age", pub, file]);
    expect(encrypted.stderr).toBe("");
    const enc = write("e.yaml", encrypted.stdout.toString());
    const result = runCli(["decrypt", enc], { env: { SOPS_AGE_SSH_PRIVATE_KEY_FILE: key } });
    expect(result.stdout.toString()).toBe("a: secret\n");
  });

  it("SOPS_AGE_KEY_CMD runs without a shell and gets SOPS_AGE_RECIPIENT", () => {
    const file = write("s.yaml", "a: secret\n");
    const enc = write("e.yaml", runCli(["encrypt", "--age", alice.recipient, file]).stdout.toString());
    const script = write(
      "key.sh",
      `#!/bin/sh\n[ "$SOPS_AGE_RECIPIENT" = "${alice.recipient}" ] && echo ${alice.identity}\n`,
    );
    chmodSync(script, 0o755);
    // under sh -c, `;` would run a second command that breaks the output
    const result = runCli(["decrypt", enc], { env: { SOPS_AGE_KEY_CMD: `${script} ';' echo junk` } });
    expect(result.stderr).toBe("");
    expect(result.stdout.toString()).toBe("a: secret\n");
  });
});
