// Promotion evidence: what a healthy staging run saw, and the gate a production run passes with it.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { sameVersion } from "@kubeforge/config";
import { z } from "zod";
import { writeJsonAtomic } from "./atomic-write.js";
import { UpgradeError } from "./errors.js";

export const evidenceSchema = z.strictObject({
  version: z.literal(1),
  cluster: z.string(),
  environment: z.literal("staging"),
  talos: z.string(),
  kubernetes: z.string(),
  healthy: z.boolean(),
  recordedAt: z.string(),
  nodes: z.array(z.strictObject({ hostname: z.string(), talos: z.string(), kubelet: z.string() })),
  checks: z.array(z.strictObject({ gate: z.string(), detail: z.string() })),
});

export type Evidence = z.infer<typeof evidenceSchema>;

export function evidenceFile(dir: string, cluster: string): string {
  return path.join(dir, `${cluster}.json`);
}

export function recordEvidence(dir: string, evidence: Evidence): Promise<void> {
  return writeJsonAtomic(evidenceFile(dir, evidence.cluster), evidence);
}

async function readEvidence(
  files: readonly string[],
): Promise<{ file: string; evidence?: Evidence; problem?: string }[]> {
  return Promise.all(
    files.map(async (file) => {
      try {
        const parsed = evidenceSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
        return parsed.success ? { file, evidence: parsed.data } : { file, problem: "is not staging evidence" };
      } catch (error) {
        return { file, problem: (error as Error).message };
      }
    }),
  );
}

async function listEvidence(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name.endsWith(".json")).map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

/**
 * A production upgrade needs a staging cluster recorded healthy at exactly the target versions.
 * `files` overrides where to look (default: every file in `dir`).
 */
export async function checkPromotion(options: {
  dir: string;
  files?: readonly string[];
  target: { talos: string; kubernetes: string };
}): Promise<Evidence> {
  const files = options.files ?? (await listEvidence(options.dir));
  const found = await readEvidence(files);
  const match = found.find(
    ({ evidence }) =>
      evidence?.healthy &&
      sameVersion(evidence.talos, options.target.talos) &&
      sameVersion(evidence.kubernetes, options.target.kubernetes),
  );
  if (match?.evidence) return match.evidence;
  const seen = found.map(({ file, evidence, problem }) =>
    evidence
      ? `${file}: ${evidence.cluster} at Talos ${evidence.talos} / Kubernetes ${evidence.kubernetes}${evidence.healthy ? "" : " (unhealthy)"}`
      : `${file}: ${problem}`,
  );
  throw new UpgradeError(
    "E_PROMOTION",
    `production upgrade to Talos ${options.target.talos} / Kubernetes ${options.target.kubernetes} refused: no staging cluster is recorded healthy at those versions${seen.length > 0 ? ` (found ${seen.join("; ")})` : ` (no evidence in ${options.dir})`}`,
    {
      gate: "promotion",
      hint: "run the upgrade on staging first (it records evidence), or pass --force --reason '<why>'",
    },
  );
}
