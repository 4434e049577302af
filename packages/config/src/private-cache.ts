// A compile cache only this user can write: $XDG_CACHE_HOME/kubeforge/jiti (default ~/.cache), made
// 0700 and checked on every use. Anything else — a symlink, another owner, a folder others can write
// (which may already hold planted entries) — means no cache rather than a trusted one.
import { lstat, mkdir } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";

/** Where the cache lives unless XDG_CACHE_HOME says otherwise. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), ".cache");
}

/** A real folder (no symlink) owned by this user that no one else may write (`mask` bits clear). */
async function isPrivateFolder(folder: string, mask: number): Promise<boolean> {
  const stats = await lstat(folder);
  const uid = process.getuid?.();
  return stats.isDirectory() && (uid === undefined || stats.uid === uid) && (stats.mode & mask) === 0;
}

/** The private cache folder, or `undefined` when it cannot be made private (then nothing is cached). */
export async function privateCacheDir(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const parent = path.join(cacheRoot(env), "kubeforge");
  const folder = path.join(parent, "jiti");
  try {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    // The parent must not let others swap `jiti` for their own folder; the folder itself is 0700.
    if (!(await isPrivateFolder(parent, 0o022)) || !(await isPrivateFolder(folder, 0o077))) return undefined;
    return folder;
  } catch {
    return undefined;
  }
}
