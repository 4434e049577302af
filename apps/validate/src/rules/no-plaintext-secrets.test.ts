// What no-plaintext-secrets must deny (a Secret value in clear, a plaintext value inside a SOPS file its rules
// encrypt) and allow (ciphertext, empty and null values, values a file's rules leave in clear, other objects),
// on in-memory files. The printed fixes run for real in no-plaintext-secrets.int.test.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noPlaintextSecretsRule } from "./no-plaintext-secrets.js";
import type { RuleContext } from "./rule.js";

const ENC = "ENC[AES256_GCM,data:AAAA,iv:AAAAAAAAAAAAAAAAAAAAAA==,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]";
/** The ciphertext quoted, for YAML flow mappings (it contains commas). */
const QENC = JSON.stringify(ENC);
const SOPS = `sops:\n  mac: ${ENC}\n  encrypted_regex: ^(data|stringData)$\n  version: 3.9.0\n`;

let base: string;
beforeAll(() => {
  // No .sops.yaml above a fresh temporary folder: hints say to create one.
  base = mkdtempSync(path.join(tmpdir(), "kubeforge-plaintext-"));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function check(files: Record<string, string>, extra: Partial<RuleContext> = {}) {
  const context = {
    files: Object.entries(files).map(([file, content]) => ({ path: file, content })),
    displayBase: base,
    documents: [],
    ...extra,
  } as unknown as RuleContext;
  return noPlaintextSecretsRule.check(context);
}

/** `file path: message` of every finding. */
async function findings(files: Record<string, string>): Promise<string[]> {
  return (await check(files)).map((finding) => `${finding.file} ${finding.path}: ${finding.message}`);
}

const secret = (body: string, head = "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\n") => `${head}${body}`;

describe("a Secret nobody encrypted", () => {
  it.each([
    [
      "one finding per section, naming the keys in clear",
      secret(`data: {a: YQ==, b: ${QENC}, c: "", d: null}\nstringData: {e: x, f: y}\n`),
      [
        "s.yaml data: Secret db has 1 plaintext data value(s): a",
        "s.yaml stringData: Secret db has 2 plaintext stringData value(s): e, f",
      ],
    ],
    ["ciphertext, empty and null values are not plaintext", secret(`data: {b: ${QENC}, c: "", d: null}\n`), []],
    ["a Secret without data", secret("type: Opaque\n"), []],
    [
      "a Secret without apiVersion is still a Secret",
      secret("stringData: {e: x}\n", "kind: Secret\nmetadata: {name: db}\n"),
      ["s.yaml stringData: Secret db has 1 plaintext stringData value(s): e"],
    ],
    [
      "an unnamed Secret",
      secret("stringData: {e: x}\n", "apiVersion: v1\nkind: Secret\n"),
      ["s.yaml stringData: Secret (unnamed) has 1 plaintext stringData value(s): e"],
    ],
    [
      "a Secret whose metadata has no name",
      secret("stringData: {e: x}\n", "apiVersion: v1\nkind: Secret\nmetadata: {namespace: apps}\n"),
      ["s.yaml stringData: Secret (unnamed) has 1 plaintext stringData value(s): e"],
    ],
    [
      "a Secret of another API group is not a Kubernetes Secret",
      secret("stringData: {e: x}\n", "apiVersion: example.com/v1\nkind: Secret\n"),
      [],
    ],
    ["a ConfigMap beside a Secret", `apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n---\n${secret("data: {}\n")}`, []],
  ])("%s", async (_case, text, expected) => {
    expect(await findings({ "s.yaml": text })).toEqual(expected);
  });

  it.each([
    ["s.yml", "kind: Secret\nstringData: {e: x}\n"],
    ["s.YAML", "kind: Secret\nstringData: {e: x}\n"],
    ["s.json", '{"kind": "Secret", "stringData": {"e": "x"}}'],
    ["s.json", '{"kind":"Secret","stringData":{"e":"x"}}'],
    ["s.yaml", "kind: 'Secret'\nstringData: {e: x}\n"],
    ["s.yaml", 'kind:  "Secret"\nstringData: {e: x}\n'],
    ["s.json", '{\n  "kind" : "Secret",\n  "stringData": {"e": "x"}\n}'],
    ["s.yaml", '"kind": Secret\nstringData: {e: x}\n'],
    ["s.yaml", "'kind': Secret\nstringData: {e: x}\n"],
    ["s.yaml", "kind: !!str Secret\nstringData: {e: x}\n"],
  ])("is found in %s written as %j", async (file, text) => {
    expect(await findings({ [file]: text })).toEqual([
      `${file} stringData: Secret (unnamed) has 1 plaintext stringData value(s): e`,
    ]);
  });

  it("files that are not YAML or JSON are not read", async () => {
    expect(
      await findings({
        "s.txt": "kind: Secret\nstringData: {e: x}\n",
        "s.yaml.bak": "kind: Secret\nstringData: {e: x}\n",
      }),
    ).toEqual([]);
  });

  it("points at the section's line, and the fix says how to encrypt the file", async () => {
    const [finding] = await check({ "apps/s.yaml": secret("type: Opaque\nstringData: {e: x}\n") });
    expect(finding).toMatchObject({
      rule: "no-plaintext-secrets",
      severity: "error",
      file: "apps/s.yaml",
      line: 5,
      object: "Secret db",
    });
    expect(finding?.hint).toBe(
      "create a .sops.yaml at the repository root with a creation rule for this file (encrypted_regex: ^(data|stringData)$), then run: pnpm exec kubeforge-sops encrypt -i apps/s.yaml",
    );
  });

  it("with the cluster folder known, the fix moves the Secret to its secrets/ folder", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "kubeforge-plaintext-cluster-"));
    try {
      writeFileSync(path.join(root, ".sops.yaml"), "creation_rules:\n  - path_regex: secrets/.*\\.sops\\.yaml$\n");
      mkdirSync(path.join(root, "clusters", "mine"), { recursive: true });
      const context = {
        files: [{ path: "clusters/mine/flux/s.yaml", content: secret("stringData: {e: x}\n") }],
        displayBase: root,
        clusterDir: path.join(root, "clusters", "mine"),
        documents: [],
      } as unknown as RuleContext;
      const [finding] = await noPlaintextSecretsRule.check(context);
      expect(finding?.hint).toMatch(/^move the Secret to clusters\/mine\/secrets\/db\.sops\.yaml /);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("beside a SOPS document in the same file, the fix is to edit the file, not to encrypt it again", async () => {
    const text = `${secret(`stringData: {e: ${QENC}}\n`)}${SOPS}---\n${secret("stringData: {e: x}\n", "apiVersion: v1\nkind: Secret\nmetadata: {name: plain}\n")}`;
    const result = await check({ "s.yaml": text });
    expect(result.map((finding) => `${finding.path}: ${finding.message}`)).toEqual([
      "stringData: Secret plain has 1 plaintext stringData value(s): e",
    ]);
    expect(result[0]?.hint).toMatch(/^delete data, stringData from the file .* pnpm exec kubeforge-sops edit s\.yaml$/);
  });
});

describe("plaintext inside a SOPS-encrypted file", () => {
  it.each([
    ["an encrypted Secret", secret(`stringData: {e: ${QENC}}\n`) + SOPS, []],
    [
      "a value added by hand to an encrypted Secret",
      secret(`data: {a: YQ==}\nstringData: {e: ${QENC}, f: x}\n`) + SOPS,
      [
        "s.yaml data.a: data.a is in plaintext in a SOPS-encrypted file (Secret db): sops rules say it must be encrypted",
        "s.yaml stringData.f: stringData.f is in plaintext in a SOPS-encrypted file (Secret db): sops rules say it must be encrypted",
      ],
    ],
    [
      "a Secret's values count even where the file's rules leave them in clear",
      secret("stringData: {e: x}\n") + SOPS.replace("^(data|stringData)$", "^password$"),
      [
        "s.yaml stringData.e: stringData.e is in plaintext in a SOPS-encrypted file (Secret db): sops rules say it must be encrypted",
      ],
    ],
    [
      "any document: what its own rules encrypt",
      `cluster: {token: plain, note_unencrypted: fine, secret: ${QENC}}\nsops:\n  mac: ${ENC}\n  version: 3.9.0\n`,
      [
        "s.yaml cluster.token: cluster.token is in plaintext in a SOPS-encrypted file: sops rules say it must be encrypted",
      ],
    ],
    [
      "a JSON SOPS file",
      `{"password": "plain", "user_unencrypted": "me", "sops": {"mac": "${ENC}", "version": "3.9.0"}}`,
      ["s.json password: password is in plaintext in a SOPS-encrypted file: sops rules say it must be encrypted"],
    ],
    [
      "outside a Secret, data and stringData are what the file's rules say",
      `data: {a: x}\nstringData: {b: y}\npassword: z\nsops:\n  mac: ${ENC}\n  encrypted_regex: ^password$\n  version: 3.9.0\n`,
      ["s.yaml password: password is in plaintext in a SOPS-encrypted file: sops rules say it must be encrypted"],
    ],
    [
      "rules this check cannot read (comment regex) are left alone",
      `cluster: {token: plain}\nsops:\n  mac: ${ENC}\n  encrypted_comment_regex: sops\n  version: 3.9.0\n`,
      [],
    ],
    ["a sops key that is not SOPS metadata", "cluster: {token: plain}\nsops:\n  note: x\n", []],
  ])("%s", async (_case, text, expected) => {
    expect(await findings({ [text.startsWith("{") ? "s.json" : "s.yaml"]: text })).toEqual(expected);
  });

  it("past ten values the rest are summed up; the hint names every key to delete", async () => {
    const values = (count: number) => Array.from({ length: count }, (_, index) => `k${index}: v`).join(", ");
    const file = (count: number) => `values: {${values(count)}}\nsops:\n  mac: ${ENC}\n  version: 3.9.0\n`;
    const ten = await check({ "s.yaml": file(10) });
    expect(ten.map((finding) => finding.path)).toEqual(Array.from({ length: 10 }, (_, index) => `values.k${index}`));
    const twelve = await check({ "s.yaml": file(12) });
    expect(twelve).toHaveLength(11);
    expect(twelve[10]).toMatchObject({
      rule: "no-plaintext-secrets",
      path: "",
      message: "2 more plaintext value(s) in this SOPS-encrypted document",
    });
    const keys = Array.from({ length: 12 }, (_, index) => `values.k${index}`).join(", ");
    for (const finding of twelve) expect(finding.hint).toContain(`delete ${keys} from the file`);
    expect(twelve[0]?.line).toBe(1);
  });
});
