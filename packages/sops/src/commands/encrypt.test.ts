// encrypt with a selection rule that matches none of a document's keys: sops writes the values in clear text under
// sops metadata and exits 0. kubeforge-sops warns (same output otherwise); requireEncrypted refuses.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { alice } from "../../test/keys.js";
import { SopsError } from "../errors.js";
import { encryptFile } from "./encrypt.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "kubeforge-sops-encrypt-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SECRET = "apiVersion: v1\nkind: Secret\nmetadata:\n    name: t1\nstringData:\n    password: plain-t1\n";
let dir: string;

function setup(regex: string, text = SECRET): string {
  writeFileSync(
    path.join(dir, ".sops.yaml"),
    `creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    encrypted_regex: ${regex}\n    age: ${alice.recipient}\n`,
  );
  const file = path.join("secrets", "t1.sops.yaml");
  rmSync(path.join(dir, "secrets"), { recursive: true, force: true });
  mkdirSync(path.join(dir, "secrets"));
  writeFileSync(path.join(dir, file), text);
  return file;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(scratch, "case-"));
});

describe("encrypt with a rule that selects none of a document's values", () => {
  it("warns, naming the file, the regex, the rule and the keys, and still returns the (sops-identical) document", async () => {
    const file = setup("^(data|stringdata)$");
    const warnings: string[] = [];
    const text = await encryptFile({
      file,
      readPath: path.join(dir, file),
      cwd: dir,
      onWarning: (w) => warnings.push(w),
    });
    expect(text).toContain("password: plain-t1");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
    expect(warnings[0]).toContain("none of the 4 values of the document would be encrypted");
    expect(warnings[0]).toContain("encrypted_regex ^(data|stringdata)$");
    expect(warnings[0]).toContain(`path_regex secrets/.*\\.yaml$ in ${path.join(dir, ".sops.yaml")}`);
    expect(warnings[0]).toContain("top level: apiVersion, kind, metadata, stringData");
  });

  it("with requireEncrypted refuses with E_SOPS_NOTHING_ENCRYPTED and the fix", async () => {
    const file = setup("^(data|stringdata)$");
    const error = (await encryptFile({
      file,
      readPath: path.join(dir, file),
      cwd: dir,
      requireEncrypted: true,
    }).catch((e: unknown) => e)) as SopsError;
    expect(error).toBeInstanceOf(SopsError);
    expect(error.code).toBe("E_SOPS_NOTHING_ENCRYPTED");
    expect(error.file).toBe(file);
    expect(error.message).toContain("encrypted_regex ^(data|stringdata)$");
    expect(error.message).toContain("nothing was written");
    expect(error.message).toContain("^(data|stringData)$");
  });

  it("with requireEncrypted and a right rule, names the misspelt Secret field instead (from a review)", async () => {
    // the rule ^(data|stringData)$ is right; the file says `stringdata:`, which no Secret has
    const file = setup("^(data|stringData)$", SECRET.replace("stringData", "stringdata"));
    const error = (await encryptFile({
      file,
      readPath: path.join(dir, file),
      cwd: dir,
      requireEncrypted: true,
    }).catch((e: unknown) => e)) as SopsError;
    expect(error.code).toBe("E_SOPS_NOTHING_ENCRYPTED");
    // before: "Make the selection match … a Kubernetes Secret needs encrypted_regex: ^(data|stringData)$", the rule it had
    expect(error.hint).toBe(
      "nothing was written. Rename stringdata in the file to stringData (a Secret's fields are case-sensitive; the rule is not the problem), then encrypt again",
    );
  });

  it("names the document of a multi-document file; no warning when each document has an encrypted value", async () => {
    const two = `${SECRET}---\napiVersion: v1\nkind: Secret\nmetadata:\n    name: t2\ndata:\n    a: Yg==\n`;
    const file = setup("^(data|stringData)$", two.replace("stringData", "stringdata"));
    const warnings: string[] = [];
    await encryptFile({ file, readPath: path.join(dir, file), cwd: dir, onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([expect.stringContaining("none of the 4 values of document 1 would be encrypted")]);

    const good = setup("^(data|stringData)$");
    const none: string[] = [];
    await encryptFile({ file: good, readPath: path.join(dir, good), cwd: dir, onWarning: (w) => none.push(w) });
    expect(none).toEqual([]);
  });

  it("an empty document, or one with only null values, is not a warning", async () => {
    const file = setup("^(data|stringData)$", "a: null\n");
    const warnings: string[] = [];
    await encryptFile({ file, readPath: path.join(dir, file), cwd: dir, onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
  });
});
