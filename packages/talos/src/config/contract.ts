// Which Talos machine-config contract a version speaks; the layout of the documents depends on it.
import { TalosError } from "../errors.js";

/** Talos minors kubeforge generates configs for. */
export type TalosMinor = 12 | 13 | 14;

export const SUPPORTED_MINORS: readonly TalosMinor[] = [12, 13, 14];

export function talosMinor(version: string, path = "talos.version"): TalosMinor {
  const match = /^v?1\.(\d+)\./.exec(version);
  const minor = match ? Number(match[1]) : Number.NaN;
  if (!(SUPPORTED_MINORS as readonly number[]).includes(minor)) {
    throw new TalosError("E_CONFIG_INVALID", [
      {
        path,
        message: `Talos ${version} is not supported`,
        hint: `use a ${SUPPORTED_MINORS.map((value) => `v1.${value}.x`).join(", ")} release`,
      },
    ]);
  }
  return minor as TalosMinor;
}

// Kubernetes minors each Talos minor supports (Talos support matrix; see the talos reference, §4).
const KUBERNETES_MINORS: Record<TalosMinor, readonly [number, number]> = {
  12: [30, 35],
  13: [31, 36],
  14: [32, 37],
};

/** Rejects a Kubernetes version the pinned Talos release cannot run (its kubelet and control plane would fail). */
export function checkKubernetesVersion(kubernetesVersion: string, talosVersion: string): void {
  const [low, high] = KUBERNETES_MINORS[talosMinor(talosVersion)];
  const match = /^v?1\.(\d+)\./.exec(kubernetesVersion);
  const minor = match ? Number(match[1]) : Number.NaN;
  if (minor >= low && minor <= high) return;
  throw new TalosError("E_CONFIG_INVALID", [
    {
      path: "kubernetes.version",
      message: `Kubernetes ${kubernetesVersion} is not supported by Talos ${talosVersion} (v1.${low}–v1.${high})`,
      hint: "pick a Kubernetes version in that range, or a Talos release that supports this one",
    },
  ]);
}
