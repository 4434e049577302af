// Release version arithmetic (`v1.13.9`, `v1.14.0-rc.1`): parse, compare, minor lines. Pure.

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release suffix such as `rc.1`, or undefined for a release. */
  readonly pre: string | undefined;
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/;

export function parseVersion(text: string): Version | undefined {
  const match = VERSION.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), pre: match[4] };
}

/** Parses or throws a plain Error naming the bad text (callers wrap it with context). */
export function mustParseVersion(text: string): Version {
  const version = parseVersion(text);
  if (!version) throw new Error(`"${text}" is not a version like v1.13.9`);
  return version;
}

export function formatVersion(version: Version): string {
  return `v${version.major}.${version.minor}.${version.patch}${version.pre ? `-${version.pre}` : ""}`;
}

/** `1.13` for v1.13.9. */
export function minorLine(version: Version): string {
  return `${version.major}.${version.minor}`;
}

/** Negative when a < b. A pre-release sorts before its release. */
export function compareVersions(a: Version, b: Version): number {
  const order = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (order !== 0) return order;
  if (a.pre === b.pre) return 0;
  if (a.pre === undefined) return 1;
  if (b.pre === undefined) return -1;
  return comparePrerelease(a.pre, b.pre);
}

/** SemVer §11: dot-separated identifiers, numeric ones compared as numbers (`rc.2` < `rc.10`). */
function comparePrerelease(a: string, b: string): number {
  const left = a.split(".");
  const right = b.split(".");
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const x = left[index];
    const y = right[index];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const numeric = /^\d+$/.test(x) && /^\d+$/.test(y);
    if (numeric) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Compares the minor lines only: v1.13.0 and v1.13.9 are equal. */
export function compareMinors(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor;
}

/** Same version, ignoring a leading `v`. */
export function sameVersion(a: string, b: string): boolean {
  const left = parseVersion(a);
  const right = parseVersion(b);
  return left !== undefined && right !== undefined && compareVersions(left, right) === 0;
}
