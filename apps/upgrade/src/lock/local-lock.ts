// The local lock beside the state file: a second guard behind the cluster Lease. Taken with link(2), which
// is atomic and fails when the name exists; a lock left by a dead process is replaced with rename(2) under a
// takeover mutex, after checking it is still the dead one, so exactly one contender takes it over.
import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { pidAlive } from "@kubeforge/cli-kit";
import { UpgradeError } from "../errors.js";

export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  /** Unique per run: release and takeover compare it, never just the pid. */
  readonly token: string;
  /** The run's cluster Lease identity, so a resume after kill -9 can take over its own Lease. */
  readonly identity?: string;
}

async function readInfo(file: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as LockInfo;
  } catch {
    return undefined;
  }
}

/** The lock and whether its process lives (a lock from another host counts as alive). */
export async function readLock(file: string): Promise<(LockInfo & { alive: boolean }) | undefined> {
  const lock = await readInfo(file);
  return lock ? { ...lock, alive: lock.host === hostname() ? pidAlive(lock.pid) : true } : undefined;
}

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

export interface LocalLock {
  readonly info: LockInfo;
  /** The dead run whose lock was taken over, if any. */
  readonly tookOver?: LockInfo;
  release(): Promise<void>;
}

function lockedBy(file: string, held: LockInfo): UpgradeError {
  return new UpgradeError(
    "E_LOCKED",
    `another upgrade (pid ${held.pid} on ${held.host}, since ${held.since}) holds ${file}`,
    { gate: "no-upgrade-in-progress", hint: "wait for it to finish; remove the lock only if that process is gone" },
  );
}

/**
 * A lock file that exists but does not parse: emptied by a crash before its bytes reached the disk, or edited.
 * Locks are written whole (a link of a complete file), so it is no contender's half-written lock, and waiting
 * never changes it: only a person can tell whether the run that wrote it is gone.
 */
async function holdsNoLock(file: string): Promise<boolean> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return false;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

function unreadable(file: string): UpgradeError {
  return new UpgradeError("E_LOCKED", `${file} is not a readable lock (its process cannot be checked)`, {
    gate: "no-upgrade-in-progress",
    hint: `if no upgrade runs from this state folder (see \`kubeforge-upgrade status\`), remove ${file}`,
  });
}

/** Takes the lock or throws E_LOCKED. */
export async function acquireLocalLock(file: string, options: { identity?: string } = {}): Promise<LocalLock> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
    token: randomUUID(),
    ...(options.identity ? { identity: options.identity } : {}),
  };
  const temp = `${file}.${info.token}.tmp`;
  await writeFile(temp, JSON.stringify(info), { flag: "wx", mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      try {
        await link(temp, file);
        return { info, release: () => releaseLocalLock(file, info.token) };
      } catch (error) {
        if (code(error) !== "EEXIST") throw error;
      }
      const held = await readLock(file);
      if (!held) {
        if (await holdsNoLock(file)) throw unreadable(file);
        continue; // removed meanwhile: try again
      }
      if (held.alive) throw lockedBy(file, held);
      // Dead holder: replace it with ours under a short takeover mutex (itself taken with link), so no contender
      // can replace a lock another contender has just taken. Under the mutex the file can only be the dead one or
      // gone: link never overwrites and a live owner releases only its own token. rename(2) swaps the dead lock for
      // ours in one step: had we unlinked it first, a contender arriving in between would link its own and win
      // without knowing a dead run was there (and the run would not take over that run's cluster Lease).
      let replaced = false;
      const ran = await withTakeoverMutex(`${file}.takeover`, temp, async () => {
        const again = await readInfo(file);
        if (again?.token !== held.token) return;
        await rename(temp, file);
        replaced = true;
      });
      if (replaced) return { info, tookOver: held, release: () => releaseLocalLock(file, info.token) };
      if (!ran) await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
    throw new UpgradeError("E_LOCKED", `could not take ${file}: it keeps changing`, {
      gate: "no-upgrade-in-progress",
      hint: "another run is starting; try again",
    });
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/** Runs `body` holding the mutex; false when another contender holds it (a dead holder's mutex is cleared). */
async function withTakeoverMutex(mutex: string, temp: string, body: () => Promise<void>): Promise<boolean> {
  try {
    await link(temp, mutex);
  } catch (error) {
    if (code(error) !== "EEXIST") throw error;
    const holder = await readLock(mutex);
    if (holder && !holder.alive) await unlink(mutex).catch(() => {});
    return false;
  }
  try {
    await body();
    return true;
  } finally {
    await unlink(mutex).catch(() => {});
  }
}

/** Removes the lock only when it is still ours (same token); never another run's. */
export async function releaseLocalLock(file: string, token: string): Promise<void> {
  // No race: while we live, nobody else removes or replaces our lock (takeover needs a dead holder).
  const held = await readInfo(file);
  if (held?.token === token) await unlink(file).catch(() => {});
}
