// @ts-nocheck
// What the promotion gate signs and when it accepts: the canonical bytes (a file re-serialized by another tool
// or another kubeforge release must still verify), content changed after signing, the time window at its
// edges, and the key file's errors (each names the file and the fix).
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stagingEvidence } from "./__fixtures__/staging-evidence.js";
import {
  canonicalJson,
  checkPromotion,
  type EvidenceBody,
  loadEvidenceKey,
  recordEvidence,
  signEvidence,
  verifyEvidence,
} from "./evidence.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-evidence-f-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Far from the machine's clock on purpose: a check that ignored `now` would see this evidence in the future.
const NOW = new Date("2031-06-01T12:00:00.000Z");
const MINUTE = 60_000;
const DAY = 86_400_000;
const key = generateKeyPairSync("ed25519").privateKey;
const body = (extra: Partial<EvidenceBody> = {}): EvidenceBody =>
  stagingEvidence(new Date(NOW.getTime() - DAY).toISOString(), {
    checks: [{ gate: "kube-nodes-ready", detail: "3/3 nodes Ready" }],
    ...extra,
  });
const target = { talos: "v1.13.9", kubernetes: "v1.35.2" };
const check = (data: unknown, extra: { now?: Date; maxAgeMs?: number } = {}) =>
  verifyEvidence(data, { key, target, now: NOW, ...extra });
const at = (ms: number) => signEvidence(body({ recordedAt: new Date(NOW.getTime() + ms).toISOString() }), key);

/** The same JSON value with the keys of every object in reverse order. */
const reversed = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(reversed);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([name, entry]) => [name, reversed(entry)]),
    );
  return value;
};

describe("canonical JSON (the signed bytes)", () => {
  it("sorts keys at every level, keeps array order, drops undefined and is otherwise JSON", () => {
    expect(canonicalJson({ b: [3, { z: true, y: null }, "s"], a: { d: 1.5, c: 'x"y' }, u: undefined, "": false })).toBe(
      '{"":false,"a":{"c":"x\\"y","d":1.5},"b":[3,{"y":null,"z":true},"s"]}',
    );
    // Neither sorted nor reversed: a comparator that only kept or only flipped the order would not pass.
    expect(canonicalJson({ m: 1, b: 2, z: 3, a: 4, q: 5 })).toBe('{"a":4,"b":2,"m":1,"q":5,"z":3}');
    expect(canonicalJson([])).toBe("[]");
    expect(canonicalJson({})).toBe("{}");
  });

  it("a signed file re-serialized with other key order and indentation still verifies", async () => {
    const folder = mkdtempSync(path.join(scratch, "evidence-f-"));
    const file = await recordEvidence(folder, body(), key);
    writeFileSync(file, JSON.stringify(reversed(JSON.parse(readFileSync(file, "utf8"))), null, 4));
    await expect(checkPromotion({ dir: folder, target, key, now: NOW })).resolves.toMatchObject({ cluster: "staging" });
  });

  it("evidence whose recorder assembled the fields in another order verifies (the schema's order is read back)", () => {
    const shuffled = (value: EvidenceBody) => {
      const { nodes, version, healthy, cluster, talos, ...rest } = value;
      return { healthy, ...rest, version, nodes, talos, cluster } as EvidenceBody;
    };
    expect(check(signEvidence(shuffled(body()), key))).toBeUndefined();
  });

  it("any value changed after signing is refused: a boolean, a nested boolean, an array entry", () => {
    const signed = signEvidence(body({ healthy: false }), key);
    const changed = "signature: does not match the content (the file was changed after it was signed)";
    expect(check({ ...signed, healthy: true })).toBe(changed);
    const notReady = signEvidence(body({ nodes: [{ ...body().nodes[0], ready: false }] }), key);
    expect(check({ ...notReady, nodes: [{ ...notReady.nodes[0], ready: true }] })).toBe(changed);
    const good = signEvidence(body(), key);
    expect(check({ ...good, nodes: [...good.nodes].reverse() })).toBe(changed);
    expect(check({ ...good, checks: [] })).toBe(changed);
  });
});

describe("the evidence's time window, at its edges", () => {
  it("evidence recorded a minute ago promotes (a staging run that just finished)", () => {
    expect(check(at(-MINUTE))).toBeUndefined();
  });

  it("up to 5 minutes of clock skew is tolerated, not one millisecond more", () => {
    expect(check(at(5 * MINUTE))).toBeUndefined();
    expect(check(at(5 * MINUTE + 1))).toBe(
      `recordedAt: ${new Date(NOW.getTime() + 5 * MINUTE + 1).toISOString()} is in the future`,
    );
  });

  it("evidence exactly the maximum age old still promotes; a millisecond older does not", () => {
    expect(check(at(-14 * DAY))).toBeUndefined();
    expect(check(at(-14 * DAY - 1))).toMatch(/is older than the maximum age of 14 day\(s\)$/);
  });

  it("the injected clock is used, and the machine's clock when none is given", () => {
    // recorded a day before 2031-06-01: stale by the real clock of 2026 it would be "in the future".
    expect(check(at(-DAY))).toBeUndefined();
    const recent = signEvidence(body({ recordedAt: new Date(Date.now() - DAY).toISOString() }), key);
    expect(verifyEvidence(recent, { key, target })).toBeUndefined();
  });

  it("a recordedAt that is not a timestamp is refused, quoted", () => {
    expect(check(signEvidence(body({ recordedAt: "yesterday" }), key))).toBe(
      'recordedAt: "yesterday" is not a timestamp',
    );
  });
});

describe("evidence that is not signed staging evidence names the field", () => {
  it("a document that is not an object names the root; a nested field its dotted path", () => {
    expect(check(null)).toMatch(/^\(root\): .* \(not signed staging evidence of this version\)$/);
    expect(check({ ...signEvidence(body(), key), identity: { etcdClusterId: "", vip: "x" } })).toMatch(
      /^identity\.etcdClusterId: /,
    );
  });

  it("checkPromotion's refusal says how to get valid evidence", async () => {
    const error = (await checkPromotion({ dir: mkdtempSync(path.join(scratch, "evidence-f-")), target, key }).catch(
      (caught: unknown) => caught,
    )) as Error & { hint: string };
    expect(error).toMatchObject({
      code: "E_PROMOTION",
      gate: "promotion",
      hint: "run the upgrade on staging first (it records signed evidence), or pass --force --reason '<why>'",
    });
  });
});

describe("the evidence key file", () => {
  it("a missing key is not created without `create`: refused naming the file, with the fix", async () => {
    const file = path.join(mkdtempSync(path.join(scratch, "evidence-k-")), "evidence.key");
    await expect(loadEvidenceKey(file)).rejects.toMatchObject({
      code: "E_PROMOTION",
      gate: "promotion",
      message: `cannot read the evidence key ${file}: ENOENT`,
      hint: "the first staging run creates it; give production the same key with --evidence-key <file>",
    });
    expect(existsSync(file)).toBe(false);
  });

  it("an existing key that cannot be read is reported, never replaced by a new one (even with `create`)", async () => {
    const file = mkdtempSync(path.join(scratch, "evidence-k-"));
    await expect(loadEvidenceKey(file, { create: true })).rejects.toMatchObject({
      code: "E_PROMOTION",
      message: `cannot read the evidence key ${file}: EISDIR`,
    });
  });

  it("a key that is not Ed25519 is refused naming its type, with the fix", async () => {
    const file = path.join(mkdtempSync(path.join(scratch, "evidence-k-")), "rsa.key");
    writeFileSync(
      file,
      generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "pem", type: "pkcs8" }),
    );
    await expect(loadEvidenceKey(file)).rejects.toMatchObject({
      code: "E_PROMOTION",
      gate: "promotion",
      message: `${file} is not an Ed25519 private key (a rsa key)`,
      hint: "pass the key the staging run created with --evidence-key <file>",
    });
  });

  it("a new key is never written through a symlink planted at its path: refused as E_PROMOTION, naming the file", async () => {
    // Before: the EEXIST of the exclusive create escaped as a raw error (an internal error with its stack).
    const folder = mkdtempSync(path.join(scratch, "evidence-k-"));
    const file = path.join(folder, "evidence.key");
    const elsewhere = path.join(folder, "elsewhere.key");
    symlinkSync(elsewhere, file);
    await expect(loadEvidenceKey(file, { create: true })).rejects.toMatchObject({
      code: "E_PROMOTION",
      gate: "promotion",
      message: `cannot create the evidence key ${file}: EEXIST`,
      hint: "make its folder writable and remove whatever (a dangling symlink, another run's file) is at that path, or pass an existing key with --evidence-key <file>",
    });
    expect(existsSync(elsewhere)).toBe(false);
  });
});
