// The release table and version gate (re-exported from the package root).
export {
  checkKubernetesVersion,
  checkTalosVersion,
  configTalosMinors,
  installerPath,
  talosRelease,
  type VersionCheck,
  type VersionCheckOptions,
} from "./check.js";
export { RELEASES, type ReleaseTable, releaseTableSchema, type TalosRelease, talosReleaseSchema } from "./table.js";
export {
  compareMinors,
  compareVersions,
  formatVersion,
  minorLine,
  mustParseVersion,
  parseVersion,
  sameVersion,
  type Version,
} from "./version.js";
