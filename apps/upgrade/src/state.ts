// The resume state file: where a run stands, so `run` can continue after an interruption (kill -9 too).
import { readFile, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { z } from "zod";
import { writeJsonAtomic } from "./atomic-write.js";
import { UpgradeError } from "./errors.js";

const stepKey = z.strictObject({ kind: z.enum(["talos", "kubernetes"]), to: z.string() });

export const stateSchema = z.strictObject({
  version: z.literal(1),
  cluster: z.string(),
  environment: z.enum(["staging", "production"]),
  target: z.strictObject({ talos: z.string(), kubernetes: z.string() }),
  status: z.enum(["running", "failed", "done"]),
  startedAt: z.string(),
  updatedAt: z.string(),
  /** The node being worked on; `before` means nothing was touched yet. */
  inFlight: stepKey
    .extend({ node: z.string(), phase: z.enum(["before", "upgrading", "after"]), since: z.string() })
    .optional(),
  completed: z.array(stepKey.extend({ node: z.string(), at: z.string(), skipped: z.boolean() })),
  failure: z
    .strictObject({
      code: z.string(),
      message: z.string(),
      node: z.string().optional(),
      gate: z.string().optional(),
      at: z.string(),
    })
    .optional(),
  force: z.strictObject({ reason: z.string(), at: z.string() }).optional(),
});

export type UpgradeState = z.infer<typeof stateSchema>;
export type InFlight = NonNullable<UpgradeState["inFlight"]>;

/** Reads the state file; undefined when there is none. */
export async function readState(file: string): Promise<UpgradeState | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UpgradeError("E_STATE", `${file} is not JSON`, {
      hint: "remove it (progress is re-read from the cluster)",
    });
  }
  const parsed = stateSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new UpgradeError("E_STATE", `${file}: ${first?.path.join(".")}: ${first?.message}`, {
      hint: "remove it (progress is re-read from the cluster)",
    });
  }
  return parsed.data;
}

export function writeState(file: string, state: UpgradeState): Promise<void> {
  return writeJsonAtomic(file, { ...state, updatedAt: new Date().toISOString() });
}

export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function readLock(file: string): Promise<(LockInfo & { alive: boolean }) | undefined> {
  try {
    const lock = JSON.parse(await readFile(file, "utf8")) as LockInfo;
    return { ...lock, alive: lock.host === hostname() ? alive(lock.pid) : true };
  } catch {
    return undefined;
  }
}

/** Takes the run lock; a lock left by a dead process (kill -9) is taken over. Returns its release. */
export async function acquireLock(file: string): Promise<() => Promise<void>> {
  const mine: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  try {
    await writeFile(file, JSON.stringify(mine), { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const held = await readLock(file);
    if (held?.alive) {
      throw new UpgradeError(
        "E_LOCKED",
        `another upgrade (pid ${held.pid} on ${held.host}, since ${held.since}) holds ${file}`,
        {
          gate: "no-upgrade-in-progress",
          hint: "wait for it to finish; remove the lock only if that process is gone",
        },
      );
    }
    await writeJsonAtomic(file, mine);
  }
  return async () => {
    await rm(file, { force: true });
  };
}
