// A Helm repository over HTTP(S): its index.yaml and chart archives, each request under a deadline.
import { parse } from "yaml";

export interface IndexEntry {
  readonly version: string;
  readonly digest?: string;
  readonly urls: readonly string[];
}

export type RepositoryIndex = ReadonlyMap<string, readonly IndexEntry[]>;

/** Why a request or a repository's answer failed, in words for a finding. */
export class RepositoryError extends Error {
  override readonly name = "RepositoryError";
}

export interface FetchOptions {
  /** Milliseconds for the whole request, body included. @default 30000 */
  readonly timeoutMs?: number;
  /** Largest body accepted, in bytes. @default 256 MiB */
  readonly maxBytes?: number;
  readonly fetch?: typeof fetch;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export async function fetchBytes(url: string, options: FetchOptions = {}): Promise<Uint8Array> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  // One deadline for the whole request, the retry included.
  const signal = AbortSignal.timeout(timeoutMs);
  const request = () => (options.fetch ?? fetch)(url, { signal, redirect: "follow" });
  let response: Response;
  try {
    try {
      response = await request();
    } catch (error) {
      // A kept-alive connection the server closed just as it was reused fails at once: try a fresh one.
      if ((error as Error).name === "TimeoutError" || signal.aborted) throw error;
      response = await request();
    }
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason =
      (error as Error).name === "TimeoutError"
        ? `no answer within ${timeoutMs / 1000} s`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new RepositoryError(`${url} is unreachable (${reason})`);
  }
  if (!response.ok) throw new RepositoryError(`${url} answered HTTP ${response.status}`);
  const length = Number(response.headers.get("content-length") ?? 0);
  if (length > maxBytes) throw new RepositoryError(`${url} is larger than ${maxBytes} bytes`);
  try {
    const body = new Uint8Array(await response.arrayBuffer());
    if (body.byteLength > maxBytes) throw new RepositoryError(`${url} is larger than ${maxBytes} bytes`);
    return body;
  } catch (error) {
    if (error instanceof RepositoryError) throw error;
    const reason =
      (error as Error).name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : (error as Error).message;
    throw new RepositoryError(`${url} broke off (${reason})`);
  }
}

/** Parses index.yaml into chart → entries. Throws RepositoryError on anything that is not a Helm index. */
export function parseIndex(text: string, url: string): RepositoryIndex {
  let document: unknown;
  try {
    document = parse(text, { maxAliasCount: -1, logLevel: "error" });
  } catch (error) {
    throw new RepositoryError(`${url} is not YAML (${(error as Error).message.split("\n")[0]})`);
  }
  if (!isRecord(document) || !isRecord(document.entries))
    throw new RepositoryError(`${url} is not a Helm repository index (no entries)`);
  const index = new Map<string, IndexEntry[]>();
  for (const [chart, list] of Object.entries(document.entries)) {
    if (!Array.isArray(list)) continue;
    index.set(
      chart,
      list.filter(isRecord).map((entry) => ({
        version: String(entry.version ?? ""),
        ...(typeof entry.digest === "string" ? { digest: entry.digest } : {}),
        urls: Array.isArray(entry.urls) ? entry.urls.map(String) : [],
      })),
    );
  }
  return index;
}

export const indexUrl = (repository: string) => `${repository.replace(/\/+$/, "")}/index.yaml`;

export async function fetchIndex(repository: string, options: FetchOptions = {}): Promise<RepositoryIndex> {
  const url = indexUrl(repository);
  return parseIndex(Buffer.from(await fetchBytes(url, options)).toString("utf8"), url);
}

/** An archive URL of an index entry, resolved against the repository (URLs may be relative). */
export function archiveUrl(repository: string, entry: IndexEntry): string | undefined {
  const [first] = entry.urls;
  return first === undefined ? undefined : new URL(first, `${repository.replace(/\/+$/, "")}/`).toString();
}

function parts(version: string): [number[], string] {
  const [core = "", pre = ""] = version.replace(/^v/, "").split(/-(.*)/s);
  return [
    core
      .split("+")[0]
      ?.split(".")
      .map((part) => Number(part) || 0) ?? [],
    pre,
  ];
}

/** Semver order (newest last); prereleases before their release. Enough for chart versions. */
export function compareVersions(a: string, b: string): number {
  const [coreA, preA] = parts(a);
  const [coreB, preB] = parts(b);
  for (let index = 0; index < Math.max(coreA.length, coreB.length); index++) {
    const diff = (coreA[index] ?? 0) - (coreB[index] ?? 0);
    if (diff !== 0) return diff;
  }
  if (preA === preB) return 0;
  if (!preA) return 1;
  if (!preB) return -1;
  return preA < preB ? -1 : 1;
}

/** Released (non-prerelease) versions of a chart, newest first. */
export function newestVersions(entries: readonly IndexEntry[], count = 5): string[] {
  return entries
    .map((entry) => entry.version)
    .filter((version) => !version.includes("-"))
    .sort((a, b) => compareVersions(b, a))
    .slice(0, count);
}

/** The newest released version below `version`: the least surprising replacement for a missing pin. */
export function nearestBelow(entries: readonly IndexEntry[], version: string): string | undefined {
  return entries
    .map((entry) => entry.version)
    .filter((candidate) => !candidate.includes("-") && compareVersions(candidate, version) < 0)
    .sort((a, b) => compareVersions(b, a))[0];
}
