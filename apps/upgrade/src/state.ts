// The resume state file: where a run stands, so `run` can continue after an interruption (kill -9 too).
import { readFile } from "node:fs/promises";
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
    .extend({
      node: z.string(),
      phase: z.enum(["before", "upgrading", "after"]),
      since: z.string(),
      /** The node's boot ID before talosctl was started: a new one proves the reboot happened. */
      bootId: z.string().optional(),
      /** The talosctl process of this node's upgrade. */
      process: z
        .strictObject({ pid: z.number(), pgid: z.number(), startTicks: z.string().optional(), startedAt: z.string() })
        .optional(),
    })
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
  /** The etcd snapshot taken before the first node was touched. */
  backup: z
    .strictObject({
      file: z.string(),
      bytes: z.number(),
      revision: z.string(),
      sha256: z.string(),
      member: z.string(),
      at: z.string(),
    })
    .optional(),
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

export { type LockInfo, readLock } from "./lock/local-lock.js";
