// The version gate: is a Talos or Kubernetes version one kubeforge knows and supports? Pure; the
// config checks, @kubeforge/talos and the upgrade planner all call these, so they cannot disagree.
import type { ConfigIssue } from "../errors.js";
import { RELEASES, type ReleaseTable, type TalosRelease } from "./table.js";
import { compareMinors, compareVersions, minorLine, parseVersion, type Version } from "./version.js";

export interface VersionCheck {
  readonly errors: ConfigIssue[];
  readonly warnings: ConfigIssue[];
}

export interface VersionCheckOptions {
  /** Where the version sits in the definition, for the message. @default "talos.version" / "kubernetes.version" */
  readonly path?: string;
  /** @default RELEASES */
  readonly table?: ReleaseTable;
}

/** The table row of `version`'s minor line, if the table has one. */
export function talosRelease(version: string, table: ReleaseTable = RELEASES): TalosRelease | undefined {
  const parsed = parseVersion(version);
  if (!parsed) return undefined;
  return table.talos.find((row) => sameMinor(row.version, parsed));
}

/** Talos lines kubeforge generates machine configs for, oldest first (`["1.12", "1.13", "1.14"]`). */
export function configTalosMinors(table: ReleaseTable = RELEASES): string[] {
  return table.talos.filter((row) => row.configs).map((row) => minorOf(row.version));
}

/**
 * A Talos version kubeforge can generate configs for: a known minor line with `configs: true`, a patch no
 * newer than the newest known one, or a listed pre-release (accepted with a warning).
 */
export function checkTalosVersion(version: string, options: VersionCheckOptions = {}): VersionCheck {
  const path = options.path ?? "talos.version";
  const table = options.table ?? RELEASES;
  const supported = table.talos.filter((row) => row.configs);
  const choices = supported.map((row) => row.version).join(", ");
  const parsed = parseVersion(version);
  if (!parsed) {
    return fail(path, `${version} is not a Talos version`, `write it as v1.13.9 (newest known: ${choices})`);
  }
  const row = supported.find((candidate) => sameMinor(candidate.version, parsed));
  if (!row) {
    return fail(
      path,
      `Talos ${version} is not supported: kubeforge generates configs for Talos ${supported.map((r) => minorOf(r.version)).join(", ")}`,
      `use one of ${choices}`,
    );
  }
  if (parsed.pre !== undefined) {
    if (row.preReleases?.includes(version)) {
      return {
        errors: [],
        warnings: [
          {
            path,
            message: `Talos ${version} is a pre-release`,
            hint: `use ${row.version} for a cluster you depend on`,
          },
        ],
      };
    }
    return fail(
      path,
      `Talos ${version} is not a known pre-release`,
      `use ${row.version}${row.preReleases?.length ? ` or ${row.preReleases.join(", ")}` : ""}`,
    );
  }
  const newest = mustParse(row.version);
  if (compareVersions(parsed, newest) > 0) {
    return fail(
      path,
      `Talos ${version} is not a known release (the newest known ${minorOf(row.version)} patch is ${row.version})`,
      `use ${row.version}, or refresh the release table in @kubeforge/config if a newer patch has shipped`,
    );
  }
  return { errors: [], warnings: [] };
}

/**
 * A Kubernetes version the given Talos line runs: its minor inside the line's supported range and its patch
 * no newer than the newest known patch of that minor.
 */
export function checkKubernetesVersion(
  kubernetesVersion: string,
  talosVersion: string,
  options: VersionCheckOptions = {},
): VersionCheck {
  const path = options.path ?? "kubernetes.version";
  const table = options.table ?? RELEASES;
  const parsed = parseVersion(kubernetesVersion);
  if (!parsed || parsed.pre !== undefined) {
    return fail(path, `${kubernetesVersion} is not a Kubernetes release`, "write it as v1.35.2");
  }
  const row = talosRelease(talosVersion, table);
  if (!row) return { errors: [], warnings: [] }; // the Talos check reports the unknown line
  const inRange = table.kubernetes.filter((known) => {
    const minor = minorOf(known);
    return compareMinorText(minor, row.kubernetes.min) >= 0 && compareMinorText(minor, row.kubernetes.max) <= 0;
  });
  const known = table.kubernetes.find((candidate) => sameMinor(candidate, parsed));
  if (
    compareMinorText(minorLine(parsed), row.kubernetes.min) < 0 ||
    compareMinorText(minorLine(parsed), row.kubernetes.max) > 0
  ) {
    return fail(
      path,
      `Kubernetes ${kubernetesVersion} is not supported by Talos ${talosVersion} (it runs Kubernetes ${row.kubernetes.min}–${row.kubernetes.max})`,
      `pick one of ${inRange.join(", ")}, or a Talos release that supports ${minorLine(parsed)}`,
    );
  }
  if (!known) {
    return fail(
      path,
      `Kubernetes ${minorLine(parsed)} is not in the release table`,
      `pick one of ${inRange.join(", ")}`,
    );
  }
  if (compareVersions(parsed, mustParse(known)) > 0) {
    return fail(
      path,
      `Kubernetes ${kubernetesVersion} is not a known release (the newest known ${minorLine(parsed)} patch is ${known})`,
      `use ${known}, or refresh the release table in @kubeforge/config if a newer patch has shipped`,
    );
  }
  return { errors: [], warnings: [] };
}

/** The Image Factory path of the installer for `version` (`metal-installer` from Talos 1.14). */
export function installerPath(version: string, table: ReleaseTable = RELEASES): "installer" | "metal-installer" {
  const row = talosRelease(version, table);
  if (row) return row.installerPath;
  const parsed = parseVersion(version);
  const newest = table.talos.at(-1);
  // A line newer than the table keeps the newest line's convention.
  return parsed && newest && compareMinors(parsed, mustParse(newest.version)) > 0 ? newest.installerPath : "installer";
}

function fail(path: string, message: string, hint: string): VersionCheck {
  return { errors: [{ path, message, hint }], warnings: [] };
}

function mustParse(text: string): Version {
  const parsed = parseVersion(text);
  if (!parsed) throw new Error(`release table: "${text}" is not a version`);
  return parsed;
}

function sameMinor(text: string, version: Version): boolean {
  return compareMinors(mustParse(text), version) === 0;
}

function minorOf(text: string): string {
  return minorLine(mustParse(text));
}

function compareMinorText(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split(".").map(Number);
  const [bMajor = 0, bMinor = 0] = b.split(".").map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}
