// The one release table of kubeforge: Talos lines, the Kubernetes minors each supports, the newest known
// patches and how each line's installer image is named. Config validation, @kubeforge/talos,
// @kubeforge/manifests, validate and upgrade all read it; no package keeps a table of its own.
//
// Sources (checked 2026-09): Talos — the siderolabs/talos sources and docs (../shared/reference/talos.md
// §4: v1.13.9 newest stable of 1.13, v1.12.11, v1.11.6; support matrix 1.11: 1.29–1.34, 1.12: 1.30–1.35,
// 1.13: 1.31–1.36, 1.14: 1.32–1.37; 1.13 upgrades from ≥ 1.11, 1.14 from ≥ 1.12; from 1.14 talosctl
// defaults to the platform `metal-installer` Image Factory path). Kubernetes — the kubernetes.io release
// pages (newest patch per minor as published then). Refresh both lists when a release ships; the
// upgrade CLI also takes a replacement table (`--releases file.json`).
import { z } from "zod";

const versionText = z.string().regex(/^v\d+\.\d+\.\d+$/, { message: "must look like v1.13.9" });
const preReleaseText = z.string().regex(/^v\d+\.\d+\.\d+-[0-9A-Za-z.-]+$/, { message: "must look like v1.14.0-rc.1" });
const minorText = z.string().regex(/^\d+\.\d+$/, { message: "must look like 1.35" });

export const talosReleaseSchema = z.strictObject({
  version: versionText.describe("Newest known patch of this Talos minor line; every lower patch is known too."),
  preReleases: z
    .array(preReleaseText)
    .optional()
    .describe("Pre-releases of the next patch or minor that are accepted with a warning."),
  kubernetes: z
    .strictObject({ min: minorText, max: minorText })
    .describe("Kubernetes minors this Talos line supports (inclusive)."),
  upgradeFrom: minorText.describe("Oldest Talos minor this line accepts an upgrade from."),
  installerPath: z
    .enum(["installer", "metal-installer"])
    .describe("Image Factory path of this line's installer image (`metal-installer` from 1.14)."),
  configs: z
    .boolean()
    .describe("Whether kubeforge generates machine configs for this line (false: upgrade path only)."),
});

export const releaseTableSchema = z
  .strictObject({
    talos: z.array(talosReleaseSchema).min(1),
    kubernetes: z.array(versionText.describe("Newest known patch of a Kubernetes minor.")).min(1),
  })
  .describe("Known Talos and Kubernetes releases: what kubeforge accepts and where upgrades may stop.");

export type ReleaseTable = z.infer<typeof releaseTableSchema>;
export type TalosRelease = ReleaseTable["talos"][number];

export const RELEASES: ReleaseTable = {
  talos: [
    {
      version: "v1.11.6",
      kubernetes: { min: "1.29", max: "1.34" },
      upgradeFrom: "1.9",
      installerPath: "installer",
      configs: false,
    },
    {
      version: "v1.12.11",
      kubernetes: { min: "1.30", max: "1.35" },
      upgradeFrom: "1.10",
      installerPath: "installer",
      configs: true,
    },
    {
      version: "v1.13.9",
      kubernetes: { min: "1.31", max: "1.36" },
      upgradeFrom: "1.11",
      installerPath: "installer",
      configs: true,
    },
    {
      version: "v1.14.0",
      preReleases: ["v1.14.0-rc.1"],
      kubernetes: { min: "1.32", max: "1.37" },
      upgradeFrom: "1.12",
      installerPath: "metal-installer",
      configs: true,
    },
  ],
  kubernetes: ["v1.29.15", "v1.30.14", "v1.31.14", "v1.32.10", "v1.33.6", "v1.34.8", "v1.35.5", "v1.36.4", "v1.37.1"],
};
