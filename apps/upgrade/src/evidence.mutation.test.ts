// The promotion gate, stated case by case (mutants of evidence.ts that survived the earlier suite).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkPromotion, type Evidence, evidenceFile, recordEvidence } from "./evidence.js";

const evidence = (extra: Partial<Evidence> = {}): Evidence => ({
  version: 1,
  cluster: "staging",
  environment: "staging",
  talos: "v1.13.9",
  kubernetes: "v1.35.2",
  healthy: true,
  recordedAt: "2026-01-01T00:00:00.000Z",
  nodes: [],
  checks: [],
  ...extra,
});
const target = { talos: "v1.13.9", kubernetes: "v1.35.2" };
const dir = () => mkdtempSync(path.join(tmpdir(), "evidence-m-"));
const refusal = async (options: Parameters<typeof checkPromotion>[0]) =>
  (await checkPromotion(options).catch((caught: unknown) => caught)) as Error;

describe("promotion gate (cases)", () => {
  it("evidence is written to <dir>/<cluster>.json as JSON", async () => {
    const folder = dir();
    await recordEvidence(folder, evidence());
    expect(evidenceFile(folder, "staging")).toBe(path.join(folder, "staging.json"));
    expect(JSON.parse(readFileSync(path.join(folder, "staging.json"), "utf8"))).toEqual(evidence());
  });

  it("only the Talos or only the Kubernetes version matching is not enough", async () => {
    const folder = dir();
    await recordEvidence(folder, evidence({ cluster: "t", talos: "v1.13.8" }));
    await recordEvidence(folder, evidence({ cluster: "k", kubernetes: "v1.35.1" }));
    const error = await refusal({ dir: folder, target });
    expect(error.message).toBe(
      `production upgrade to Talos v1.13.9 / Kubernetes v1.35.2 refused: no staging cluster is recorded healthy at those versions (found ${path.join(folder, "k.json")}: k at Talos v1.13.9 / Kubernetes v1.35.1; ${path.join(folder, "t.json")}: t at Talos v1.13.8 / Kubernetes v1.35.2)`,
    );
  });

  it("versions compare without the v prefix; healthy evidence among bad files is found", async () => {
    const folder = dir();
    writeFileSync(path.join(folder, "a-broken.json"), "{ no");
    await recordEvidence(folder, evidence({ cluster: "z", talos: "1.13.9", kubernetes: "1.35.2" }));
    await expect(checkPromotion({ dir: folder, target })).resolves.toMatchObject({ cluster: "z" });
  });

  it("only *.json files in the folder count", async () => {
    const folder = dir();
    writeFileSync(path.join(folder, "staging.json.bak"), JSON.stringify(evidence()));
    const error = await refusal({ dir: folder, target });
    expect(error.message).toMatch(/\(no evidence in /);
  });

  it("explicit files replace the folder listing", async () => {
    const folder = dir();
    await recordEvidence(folder, evidence());
    const other = path.join(dir(), "other.json");
    writeFileSync(other, JSON.stringify(evidence({ healthy: false })));
    const error = await refusal({ dir: folder, files: [other], target });
    expect(error.message).toContain(`(found ${other}: staging at Talos v1.13.9 / Kubernetes v1.35.2 (unhealthy))`);
    await expect(checkPromotion({ dir: dir(), files: [path.join(folder, "staging.json")], target })).resolves.toEqual(
      evidence(),
    );
  });

  it("a missing explicit file is named with its read error", async () => {
    const missing = path.join(dir(), "gone.json");
    const error = await refusal({ dir: dir(), files: [missing], target });
    expect(error.message).toContain(`(found ${missing}: ENOENT`);
  });
});
