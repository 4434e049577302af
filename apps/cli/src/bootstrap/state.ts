// Bootstrap's state file: the steps already done, written atomically after each one so a killed run resumes.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

/** What a finished apply step gave a node: its static address and the SHA-256 of the decrypted config applied. */
export interface AppliedConfig {
  readonly address: string;
  readonly digest: string;
}

export interface BootstrapState {
  readonly version: 1;
  readonly cluster: string;
  readonly done: Record<string, string>;
  /** By step id, for the steps that apply a machine config (absent in state files written before digests were recorded). */
  readonly applied?: Record<string, AppliedConfig>;
}

export async function readState(file: string, cluster: string): Promise<BootstrapState> {
  try {
    const state = JSON.parse(await readFile(file, "utf8")) as BootstrapState;
    if (state.version === 1 && state.cluster === cluster && typeof state.done === "object") return state;
  } catch {
    // no state yet (or an unreadable one): start from the beginning; every step is safe to repeat
  }
  return { version: 1, cluster, done: {} };
}

export async function writeState(file: string, state: BootstrapState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}
