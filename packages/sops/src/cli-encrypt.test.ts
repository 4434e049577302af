// kubeforge-sops encrypt with a rule that selects nothing: exit 0 and the same file as sops writes, plus a warning on
// stderr; --require-encrypted refuses (exit 1) and leaves the file as it was.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../test/cli.js";
import { alice } from "../test/keys.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-cli-encrypt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = "apiVersion: v1\nkind: Secret\nmetadata:\n    name: t1\nstringData:\n    password: plain-t1\n";

describe("kubeforge-sops encrypt with encrypted_regex matching no key", () => {
  writeFileSync(
    path.join(dir, ".sops.yaml"),
    `creation_rules:\n  - path_regex: secrets/\n    encrypted_regex: ^(data|stringdata)$\n    age: ${alice.recipient}\n`,
  );
  mkdirSync(path.join(dir, "secrets"));
  const file = "secrets/t1.sops.yaml";

  it("warns on stderr and still exits 0 (sops compatible)", () => {
    writeFileSync(path.join(dir, file), SECRET);
    const result = runCli(["encrypt", "-i", file], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      "warning: secrets/t1.sops.yaml: none of the 4 values of the document would be encrypted",
    );
    expect(result.stderr).toContain("encrypted_regex ^(data|stringdata)$");
    expect(readFileSync(path.join(dir, file), "utf8")).toContain("password: plain-t1");
  });

  it("--require-encrypted exits 1 and writes nothing", () => {
    writeFileSync(path.join(dir, file), SECRET);
    const result = runCli(["encrypt", "-i", "--require-encrypted", file], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("nothing was written");
    expect(readFileSync(path.join(dir, file), "utf8")).toBe(SECRET);
  });
});
