// Which Talos machine-config contract a version speaks; the layout of the documents depends on it. The
// versions themselves are gated by the one release table in @kubeforge/config.
import { checkKubernetesVersion as checkKubernetes, checkTalosVersion } from "@kubeforge/config";
import { TalosError } from "../errors.js";

/** Talos minors kubeforge generates configs for (the release table's `configs: true` lines). */
export type TalosMinor = 12 | 13 | 14;

export const SUPPORTED_MINORS: readonly TalosMinor[] = [12, 13, 14];

/** The contract of `version`; throws E_CONFIG_INVALID for a line or patch the release table does not know. */
export function talosMinor(version: string, path = "talos.version"): TalosMinor {
  const { errors } = checkTalosVersion(version, { path });
  if (errors.length > 0) throw new TalosError("E_CONFIG_INVALID", errors);
  const match = /^v?1\.(\d+)\./.exec(version);
  const minor = match ? Number(match[1]) : Number.NaN;
  if (!(SUPPORTED_MINORS as readonly number[]).includes(minor)) {
    throw new TalosError("E_CONFIG_INVALID", [
      {
        path,
        message: `Talos ${version} has no machine-config contract in @kubeforge/talos`,
        hint: `use a ${SUPPORTED_MINORS.map((value) => `v1.${value}.x`).join(", ")} release`,
      },
    ]);
  }
  return minor as TalosMinor;
}

/** Rejects a Kubernetes version the pinned Talos release cannot run (its kubelet and control plane would fail). */
export function checkKubernetesVersion(kubernetesVersion: string, talosVersion: string): void {
  const { errors } = checkKubernetes(kubernetesVersion, talosVersion);
  if (errors.length > 0) throw new TalosError("E_CONFIG_INVALID", errors);
}
