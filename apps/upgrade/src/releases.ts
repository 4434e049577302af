// The table of known releases the planner walks through, and how to override it.
//
// Talos rows: the newest patch of each stable line and the Kubernetes range each line supports,
// from the Talos sources and docs snapshot of 2026-08 (../shared/reference/talos.md §4: v1.13.9 newest
// stable, v1.12.11, v1.11.6; Kubernetes 1.12: 1.30–1.35, 1.13: 1.31–1.36, 1.14: 1.32–1.37).
// 1.14 is at rc.1 in that snapshot and is therefore not listed. Kubernetes rows: the newest patch of
// each minor kubeforge was checked against. The target versions in the cluster model are always
// accepted as written; this table only supplies the *intermediate* stops. Refresh it, or pass a JSON
// file with `--releases` (see ReleaseTable) when a newer line ships.
import { z } from "zod";

const versionText = z.string().regex(/^v\d+\.\d+\.\d+$/, { message: "must look like v1.13.9" });
const minorText = z.string().regex(/^\d+\.\d+$/, { message: "must look like 1.35" });

export const releaseTableSchema = z
  .strictObject({
    talos: z
      .array(
        z.strictObject({
          version: versionText.describe("Newest patch of this Talos minor line."),
          kubernetes: z
            .strictObject({ min: minorText, max: minorText })
            .describe("Kubernetes minors this Talos line supports (inclusive)."),
          upgradeFrom: minorText.optional().describe("Oldest Talos minor this line accepts an upgrade from."),
        }),
      )
      .min(1),
    kubernetes: z.array(versionText.describe("Newest patch of a Kubernetes minor.")).min(1),
  })
  .describe("Known Talos and Kubernetes releases the upgrade planner may stop at.");

export type ReleaseTable = z.infer<typeof releaseTableSchema>;
export type TalosRelease = ReleaseTable["talos"][number];

export const DEFAULT_RELEASES: ReleaseTable = {
  talos: [
    { version: "v1.11.6", kubernetes: { min: "1.29", max: "1.34" }, upgradeFrom: "1.9" },
    { version: "v1.12.11", kubernetes: { min: "1.30", max: "1.35" }, upgradeFrom: "1.10" },
    { version: "v1.13.9", kubernetes: { min: "1.31", max: "1.36" }, upgradeFrom: "1.11" },
  ],
  kubernetes: ["v1.29.15", "v1.30.14", "v1.31.14", "v1.32.10", "v1.33.6", "v1.34.2", "v1.35.2"],
};
