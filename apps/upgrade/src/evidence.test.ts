import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkPromotion, type Evidence, recordEvidence } from "./evidence.js";

const evidence = (extra: Partial<Evidence> = {}): Evidence => ({
  version: 1,
  cluster: "staging",
  environment: "staging",
  talos: "v1.13.9",
  kubernetes: "v1.35.2",
  healthy: true,
  recordedAt: "2026-01-01T00:00:00.000Z",
  nodes: [{ hostname: "stg-1", talos: "v1.13.9", kubelet: "v1.35.2" }],
  checks: [{ gate: "kube-nodes-ready", detail: "passed" }],
  ...extra,
});
const target = { talos: "v1.13.9", kubernetes: "v1.35.2" };

describe("promotion gate", () => {
  it("accepts healthy staging evidence at exactly the target versions", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "evidence-"));
    await recordEvidence(dir, evidence());
    await expect(checkPromotion({ dir, target })).resolves.toMatchObject({ cluster: "staging" });
  });

  it("refuses with no evidence, naming the folder and the fix", async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "evidence-")), "missing");
    const error = await checkPromotion({ dir, target }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "E_PROMOTION", gate: "promotion" });
    expect((error as Error).message).toContain(`(no evidence in ${dir})`);
    expect((error as { hint: string }).hint).toContain("--force --reason");
  });

  it("refuses unhealthy or other-version evidence and says what it found", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "evidence-"));
    await recordEvidence(dir, evidence({ cluster: "a", healthy: false }));
    await recordEvidence(dir, evidence({ cluster: "b", kubernetes: "v1.34.2" }));
    writeFileSync(path.join(dir, "junk.json"), "{}");
    const error = (await checkPromotion({ dir, target }).catch((caught: unknown) => caught)) as Error;
    expect(error.message).toContain("a at Talos v1.13.9 / Kubernetes v1.35.2 (unhealthy)");
    expect(error.message).toContain("b at Talos v1.13.9 / Kubernetes v1.34.2");
    expect(error.message).toContain("junk.json: is not staging evidence");
  });
});
