// The chart cache: archives keyed by their sha256 digest, and which digest a repository gave a
// chart version, so a second run needs no network. Lives under $XDG_CACHE_HOME/kubeforge/charts.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

/** $XDG_CACHE_HOME/kubeforge/charts, or ~/.cache/kubeforge/charts (the XDG default; no library needed for two lines). */
export function defaultChartCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(homedir(), ".cache");
  return path.join(base, "kubeforge", "charts");
}

export const sha256 = (bytes: Uint8Array | string): string => createHash("sha256").update(bytes).digest("hex");

/** Writes through a fresh, exclusively created temp file and a rename: never a half-written cache entry. */
function writeAtomic(file: string, content: Uint8Array | string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(temp, content, { flag: "wx", mode: 0o600 });
  renameSync(temp, file);
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

export interface ChartCache {
  readonly dir: string;
  /** The archive with this digest, verified again on read. */
  readArchive(digest: string): Buffer | undefined;
  writeArchive(digest: string, bytes: Uint8Array): void;
  /** The digest a repository listed for chart@version. */
  readDigest(repository: string, chart: string, version: string): string | undefined;
  writeDigest(repository: string, chart: string, version: string, digest: string): void;
}

export function openChartCache(dir: string = defaultChartCacheDir()): ChartCache {
  const archive = (digest: string) => path.join(dir, "sha256", `${digest}.tgz`);
  const pin = (repository: string, chart: string, version: string) =>
    path.join(dir, "pins", `${sha256(`${repository.replace(/\/+$/, "")}\n${chart}\n${version}`)}.txt`);
  return {
    dir,
    readArchive(digest) {
      const bytes = readOrUndefined(archive(digest));
      return bytes && sha256(bytes) === digest ? bytes : undefined;
    },
    writeArchive(digest, bytes) {
      writeAtomic(archive(digest), bytes);
    },
    readDigest(repository, chart, version) {
      const digest = readOrUndefined(pin(repository, chart, version))
        ?.toString()
        .trim();
      return digest && /^[0-9a-f]{64}$/.test(digest) ? digest : undefined;
    },
    writeDigest(repository, chart, version, digest) {
      writeAtomic(pin(repository, chart, version), `${digest}\n`);
    },
  };
}
