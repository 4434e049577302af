// The promotion gate, stated case by case (mutants of evidence.ts that survived the earlier suite), on the
// signed evidence format: every body is signed with `key`, and checkPromotion verifies with the same key.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stagingEvidence } from "./__fixtures__/staging-evidence.js";
import { checkPromotion, type EvidenceBody, evidenceFile, recordEvidence, signEvidence } from "./evidence.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-evidence-m-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const NOW = new Date("2026-11-30T12:00:00.000Z");
const key = generateKeyPairSync("ed25519").privateKey;
const body = (extra: Partial<EvidenceBody> = {}): EvidenceBody =>
  stagingEvidence("2026-11-29T00:00:00.000Z", {
    nodes: [{ hostname: "stg-1", talos: "v1.13.9", kubelet: "v1.35.2", ready: true }],
    checks: [],
    ...extra,
  });
const target = { talos: "v1.13.9", kubernetes: "v1.35.2" };
const dir = () => mkdtempSync(path.join(scratch, "evidence-m-"));
const promote = (options: { dir: string; files?: string[] }) => checkPromotion({ ...options, target, key, now: NOW });
const refusal = async (options: { dir: string; files?: string[] }) =>
  (await promote(options).catch((caught: unknown) => caught)) as Error;

describe("promotion gate (cases)", () => {
  it("evidence is written to <dir>/<cluster>.json as signed JSON", async () => {
    const folder = dir();
    expect(await recordEvidence(folder, body(), key)).toBe(path.join(folder, "staging.json"));
    expect(evidenceFile(folder, "staging")).toBe(path.join(folder, "staging.json"));
    // Ed25519 signatures are deterministic: the file is exactly the signed body.
    expect(JSON.parse(readFileSync(path.join(folder, "staging.json"), "utf8"))).toEqual(signEvidence(body(), key));
  });

  it("only the Talos or only the Kubernetes version matching is not enough", async () => {
    const folder = dir();
    const k = await recordEvidence(folder, body({ cluster: "k", kubernetes: "v1.35.1" }), key);
    const t = await recordEvidence(folder, body({ cluster: "t", talos: "v1.13.8" }), key);
    const error = await refusal({ dir: folder, files: [k, t] });
    expect(error.message).toBe(
      `production upgrade to Talos v1.13.9 / Kubernetes v1.35.2 refused: no valid staging evidence (${k}: kubernetes: v1.35.1, not the target v1.35.2; ${t}: talos: v1.13.8, not the target v1.13.9)`,
    );
    // The folder listing finds both too (in whatever order readdir gives).
    const listed = await refusal({ dir: folder });
    expect(listed.message).toContain(`${k}: kubernetes: v1.35.1, not the target v1.35.2`);
    expect(listed.message).toContain(`${t}: talos: v1.13.8, not the target v1.13.9`);
  });

  it("versions compare without the v prefix; healthy evidence among bad files is found", async () => {
    const folder = dir();
    writeFileSync(path.join(folder, "a-broken.json"), "{ no");
    const node = { hostname: "stg-1", talos: "1.13.9", kubelet: "1.35.2", ready: true };
    await recordEvidence(folder, body({ cluster: "z", talos: "1.13.9", kubernetes: "1.35.2", nodes: [node] }), key);
    await expect(promote({ dir: folder })).resolves.toMatchObject({ cluster: "z" });
  });

  it("only *.json files in the folder count, and the key is not loaded when there is nothing to check", async () => {
    const folder = dir();
    writeFileSync(path.join(folder, "staging.json.bak"), JSON.stringify(signEvidence(body(), key)));
    let loaded = 0;
    const error = (await checkPromotion({
      dir: folder,
      target,
      now: NOW,
      key: async () => {
        loaded += 1;
        return key;
      },
    }).catch((caught: unknown) => caught)) as Error;
    expect(error.message).toMatch(/\(no evidence in /);
    expect(loaded).toBe(0);
  });

  it("a key loader is called once when there is evidence", async () => {
    const folder = dir();
    await recordEvidence(folder, body(), key);
    let loaded = 0;
    const load = async () => {
      loaded += 1;
      return key;
    };
    await expect(checkPromotion({ dir: folder, target, now: NOW, key: load })).resolves.toMatchObject({
      cluster: "staging",
    });
    expect(loaded).toBe(1);
  });

  it("explicit files replace the folder listing", async () => {
    const folder = dir();
    await recordEvidence(folder, body(), key);
    const other = path.join(dir(), "other.json");
    writeFileSync(other, JSON.stringify(signEvidence(body({ healthy: false }), key)));
    const error = await refusal({ dir: folder, files: [other] });
    expect(error.message).toContain(`(${other}: healthy: false (the staging run's final checks did not pass))`);
    await expect(promote({ dir: dir(), files: [path.join(folder, "staging.json")] })).resolves.toEqual(
      signEvidence(body(), key),
    );
  });

  it("a missing explicit file is named with its read error", async () => {
    const missing = path.join(dir(), "gone.json");
    const error = await refusal({ dir: dir(), files: [missing] });
    expect(error.message).toContain(`(${missing}: ENOENT`);
  });
});
