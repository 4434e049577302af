import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stagingEvidence } from "./__fixtures__/staging-evidence.js";
import {
  checkPromotion,
  type EvidenceBody,
  loadEvidenceKey,
  recordEvidence,
  signEvidence,
  verifyEvidence,
} from "./evidence.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-evidence-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const NOW = new Date("2026-11-30T12:00:00.000Z");
const DAY = 86_400_000;
const key = generateKeyPairSync("ed25519").privateKey;
const other = generateKeyPairSync("ed25519").privateKey;

const body = (extra: Partial<EvidenceBody> = {}): EvidenceBody =>
  stagingEvidence(new Date(NOW.getTime() - DAY).toISOString(), {
    identity: { etcdClusterId: "14841639068965178418", vip: "192.168.2.100" },
    ...extra,
  });
const target = { talos: "v1.13.9", kubernetes: "v1.35.2" };
const check = (data: unknown, extra: { maxAgeMs?: number } = {}) =>
  verifyEvidence(data, { key, target, production: "homelab", now: NOW, ...extra });

describe("staging evidence", () => {
  it("accepts signed, recent, healthy evidence at exactly the target versions", () => {
    expect(check(signEvidence(body(), key))).toBeUndefined();
  });

  it("refuses forged evidence, naming the field", () => {
    // Before: any hand-written JSON with healthy: true was accepted.
    const signed = signEvidence(body(), key);
    expect(check({ ...signed, cluster: "made-up" })).toBe(
      "signature: does not match the content (the file was changed after it was signed)",
    );
    expect(check(signEvidence(body(), other))).toMatch(/^signature: made with key [0-9a-f]{16}, not this run's/);
    const { signature: _gone, ...unsigned } = signed;
    expect(check(unsigned)).toMatch(/^signature: /);
    expect(check({ ...body(), version: 1 })).toMatch(/^version: /);
  });

  it("refuses stale and future evidence (default max age 14 days, a flag changes it)", () => {
    // Before: evidence recorded in 2020 or 2099 was accepted.
    const old = signEvidence(body({ recordedAt: new Date(NOW.getTime() - 15 * DAY).toISOString() }), key);
    expect(check(old)).toMatch(/^recordedAt: .* is older than the maximum age of 14 day\(s\)$/);
    expect(check(old, { maxAgeMs: 30 * DAY })).toBeUndefined();
    expect(check(signEvidence(body({ recordedAt: "2099-01-01T00:00:00.000Z" }), key))).toBe(
      "recordedAt: 2099-01-01T00:00:00.000Z is in the future",
    );
    expect(check(signEvidence(body({ recordedAt: "2020-01-01T00:00:00.000Z" }), key))).toMatch(/^recordedAt: /);
  });

  it("refuses evidence with no nodes, an old node, a NotReady node, other targets, or the production cluster itself", () => {
    expect(check(signEvidence(body({ nodes: [] }), key))).toBe("nodes: empty (no staging node was observed)");
    const behind = body().nodes.map((node, index) => (index === 1 ? { ...node, talos: "v1.12.11" } : node));
    expect(check(signEvidence(body({ nodes: behind }), key))).toBe("nodes[1].talos: stg-2 at v1.12.11");
    const kubelet = body().nodes.map((node, index) => (index === 0 ? { ...node, kubelet: "v1.34.8" } : node));
    expect(check(signEvidence(body({ nodes: kubelet }), key))).toBe("nodes[0].kubelet: stg-1 at v1.34.8");
    const notReady = body().nodes.map((node) => ({ ...node, ready: false }));
    expect(check(signEvidence(body({ nodes: notReady }), key))).toBe("nodes[0].ready: stg-1 was not Ready");
    expect(check(signEvidence(body({ kubernetes: "v1.34.8" }), key))).toBe(
      "kubernetes: v1.34.8, not the target v1.35.2",
    );
    expect(check(signEvidence(body({ healthy: false }), key))).toMatch(/^healthy: false/);
    expect(check(signEvidence(body({ cluster: "homelab" }), key))).toBe(
      "cluster: homelab is the production cluster itself",
    );
  });

  it("checkPromotion lists every file with its problem, and says the fix", async () => {
    const dir = mkdtempSync(path.join(scratch, "evidence-"));
    await recordEvidence(dir, body({ cluster: "a", healthy: false }), key);
    writeFileSync(path.join(dir, "junk.json"), "{}");
    const error = (await checkPromotion({ dir, target, key, now: NOW }).catch((caught: unknown) => caught)) as Error;
    expect(error).toMatchObject({ code: "E_PROMOTION", gate: "promotion" });
    expect(error.message).toContain("a.json: healthy: false");
    expect(error.message).toContain("junk.json: version: ");
    await recordEvidence(dir, body({ cluster: "b" }), key);
    await expect(checkPromotion({ dir, target, key, now: NOW })).resolves.toMatchObject({ cluster: "b" });
    const empty = path.join(dir, "missing");
    const none = (await checkPromotion({ dir: empty, target, key }).catch((caught: unknown) => caught)) as Error;
    expect(none.message).toContain(`(no evidence in ${empty})`);
  });

  it("the key is created 0600 on first use and must be Ed25519", async () => {
    const dir = mkdtempSync(path.join(scratch, "evidence-key-"));
    const file = path.join(dir, "evidence-signing.key");
    await expect(loadEvidenceKey(file)).rejects.toMatchObject({ code: "E_PROMOTION" });
    const created = await loadEvidenceKey(file, { create: true });
    expect(created.asymmetricKeyType).toBe("ed25519");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await loadEvidenceKey(file)).export({ format: "pem", type: "pkcs8" })).toBe(readFileSync(file, "utf8"));
    const rsa = path.join(dir, "rsa.key");
    writeFileSync(
      rsa,
      generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "pem", type: "pkcs8" }),
    );
    await expect(loadEvidenceKey(rsa)).rejects.toThrow(/not an Ed25519 private key/);
  });
});
