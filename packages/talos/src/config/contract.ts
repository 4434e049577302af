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
