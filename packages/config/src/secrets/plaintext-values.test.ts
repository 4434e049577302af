import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { findPlaintextValues } from "./plaintext-values.js";

const repo = path.resolve(import.meta.dirname, "../../../..");
const demoSecret = path.join(repo, "clusters/homelab/secrets/demo-credentials.sops.yaml");
const enc = "ENC[AES256_GCM,data:AAAA,iv:BBBB,tag:CCCC,type:str]";

function sopsFiles(): string[] {
  const files: string[] = [];
  for (const cluster of readdirSync(path.join(repo, "clusters"))) {
    for (const folder of ["secrets", "talos", "talos/generated"]) {
      let names: string[] = [];
      try {
        names = readdirSync(path.join(repo, "clusters", cluster, folder));
      } catch {
        continue;
      }
      files.push(
        ...names
          .filter((name) => name.endsWith(".sops.yaml"))
          .map((name) => path.join(repo, "clusters", cluster, folder, name)),
      );
    }
  }
  return files;
}

describe("findPlaintextValues", () => {
  it("finds nothing in the repository's encrypted files", () => {
    const files = sopsFiles();
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
        expect(findPlaintextValues(document.toJS()), file).toEqual([]);
      }
    }
  });

  it("finds a plaintext stringData value added to an encrypted Secret", () => {
    const secret = parse(readFileSync(demoSecret, "utf8"));
    secret.stringData["db-password"] = "hunter2";
    expect(findPlaintextValues(secret)).toEqual([{ path: ["stringData", "db-password"], reason: "Secret stringData" }]);
  });

  it("checks every data/stringData value of a Secret whatever its sops rules say", () => {
    const secret = {
      kind: "Secret",
      data: { a: enc, b: "aHVudGVyMg==", empty: "" },
      stringData: { nested: { deep: "x" } },
      sops: { mac: enc, encrypted_regex: "^nothing$" },
    };
    expect(findPlaintextValues(secret).map((value) => value.path.join("."))).toEqual([
      "data.b",
      "data.empty",
      "stringData.nested.deep",
    ]);
  });

  it("treats the values of a field a Secret does not have as secrets (`stringdata:` stayed in clear text)", () => {
    // from a review: `stringdata:` (lower case) under encrypted_regex ^(data|stringData)$ was encrypted by nothing,
    // and build published the password in clear text to flux/
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "typo", namespace: "default", labels: { app: "x" } },
      type: "Opaque",
      immutable: true,
      stringdata: { password: "hunter2" },
      secretData: { token: "abc" },
      sops: { mac: enc, encrypted_regex: "^(data|stringData)$" },
    };
    expect(findPlaintextValues(secret)).toEqual([
      {
        path: ["stringdata", "password"],
        reason: "Secret field stringdata, which a Secret does not have (did you mean stringData?)",
      },
      { path: ["secretData", "token"], reason: "Secret field secretData, which a Secret does not have" },
    ]);
  });

  it("reports a Secret without sops metadata in full, and nothing for other documents without it", () => {
    expect(findPlaintextValues({ kind: "Secret", stringData: { password: "hunter2" } })).toHaveLength(1);
    expect(findPlaintextValues({ kind: "ConfigMap", data: { a: "b" } })).toEqual([]);
    expect(findPlaintextValues("text")).toEqual([]);
  });

  it("follows the file's encrypted_regex", () => {
    const document = {
      metadata: { name: "x" },
      spec: { token: "plain", safe: enc },
      sops: { mac: enc, encrypted_regex: "^(spec)$" },
    };
    expect(findPlaintextValues(document)).toEqual([
      { path: ["spec", "token"], reason: "sops encrypted_regex ^(spec)$" },
    ]);
  });

  it("follows unencrypted_regex, unencrypted_suffix (default _unencrypted) and encrypted_suffix", () => {
    expect(
      findPlaintextValues({ a: "plain", b_unencrypted: { c: "fine" }, d: [enc, "leak", 3], sops: { mac: enc } }).map(
        (value) => value.path.join("."),
      ),
    ).toEqual(["a", "d.1", "d.2"]);
    expect(
      findPlaintextValues({ comment: "fine", key: "leak", sops: { mac: enc, unencrypted_regex: "^comment$" } }).map(
        (value) => value.path.join("."),
      ),
    ).toEqual(["key"]);
    expect(
      findPlaintextValues({ name: "fine", key_secret: "leak", sops: { mac: enc, encrypted_suffix: "_secret" } }).map(
        (value) => value.path.join("."),
      ),
    ).toEqual(["key_secret"]);
    expect(
      findPlaintextValues({
        a: "leak",
        b: { x_keep: "fine" },
        c: "leak",
        sops: { mac: enc, unencrypted_suffix: "_keep" },
      }).map((value) => value.path.join(".")),
    ).toEqual(["a", "c"]);
  });

  it("treats a Go (?i) regex as case-insensitive", () => {
    expect(
      findPlaintextValues({ Password: "leak", other: "ok", sops: { mac: enc, encrypted_regex: "(?i)^password$" } }),
    ).toEqual([{ path: ["Password"], reason: "sops encrypted_regex (?i)^password$" }]);
  });
});
