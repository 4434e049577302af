// The etcd snapshot taken before the first node is touched, as `talosctl etcd snapshot` takes it: the
// Maintenance.Snapshot stream of one member, whose last 32 bytes are the SHA-256 of the rest (etcd appends
// it). Checked (size, revision, hash), stored 0600 beside the run state, recorded in the state file.
import { createHash } from "node:crypto";
import { mkdir, open } from "node:fs/promises";
import path from "node:path";
import { UpgradeError } from "./errors.js";
import { type EtcdConnection, openClient } from "./gates/etcd.js";

export interface BackupRecord {
  readonly file: string;
  readonly bytes: number;
  /** The store revision the member reported when the snapshot began. */
  readonly revision: string;
  /** SHA-256 of the database (the hash etcd appended, checked against the content). */
  readonly sha256: string;
  /** Client URL of the member it came from. */
  readonly member: string;
  readonly at: string;
}

/** A bbolt database is at least four 4 KiB pages; anything smaller is not a database. */
const MIN_DB_BYTES = 16 * 1024;
const HASH_BYTES = 32;

/** Checks a snapshot stream's bytes: big enough, and its trailing SHA-256 matches. Pure. */
export function checkSnapshot(data: Buffer): { ok: true; sha256: string } | { ok: false; problem: string } {
  if (data.length < MIN_DB_BYTES + HASH_BYTES) {
    return { ok: false, problem: `only ${data.length} bytes (an etcd database is at least ${MIN_DB_BYTES})` };
  }
  const body = data.subarray(0, data.length - HASH_BYTES);
  const expected = data.subarray(data.length - HASH_BYTES).toString("hex");
  const actual = createHash("sha256").update(body).digest("hex");
  if (actual !== expected) return { ok: false, problem: `SHA-256 ${actual} does not match the appended ${expected}` };
  return { ok: true, sha256: actual };
}

async function readSnapshot(connection: EtcdConnection, endpoint: string, timeoutMs: number) {
  const client = openClient(connection, [endpoint]);
  try {
    const status = await client.maintenance.status();
    const stream = await client.maintenance.snapshot();
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        (stream as unknown as { cancel?: () => void }).cancel?.();
        reject(new Error(`the snapshot did not finish within ${timeoutMs / 1000}s`));
      }, timeoutMs);
      stream.on("data", (response: { blob: Buffer }) => chunks.push(Buffer.from(response.blob)));
      stream.on("end", () => {
        clearTimeout(timer);
        resolve();
      });
      stream.on("error", (error: Error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return { data: Buffer.concat(chunks), revision: String(status.header.revision) };
  } finally {
    client.close();
  }
}

/**
 * Takes the snapshot from the first member that gives a good one and writes it 0600 into `dir` (0700).
 * Throws E_BACKUP when no member does: the run must stop before touching a node.
 */
export async function backupEtcd(options: {
  connection: EtcdConnection;
  dir: string;
  cluster: string;
  /** @default 300000 */
  timeoutMs?: number;
}): Promise<BackupRecord> {
  const problems: string[] = [];
  for (const endpoint of options.connection.endpoints) {
    let snapshot: { data: Buffer; revision: string };
    try {
      snapshot = await readSnapshot(options.connection, endpoint, options.timeoutMs ?? 300_000);
    } catch (error) {
      problems.push(`${endpoint}: ${(error as Error).message.split("\n")[0]}`);
      continue;
    }
    const checked = checkSnapshot(snapshot.data);
    if (!checked.ok) {
      problems.push(`${endpoint}: ${checked.problem}`);
      continue;
    }
    if (!/^[1-9]\d*$/.test(snapshot.revision)) {
      problems.push(`${endpoint}: no store revision (${snapshot.revision})`);
      continue;
    }
    const at = new Date().toISOString();
    const file = path.join(options.dir, `${options.cluster}-etcd-${at.replace(/[:.]/g, "-")}.snapshot`);
    try {
      await mkdir(options.dir, { recursive: true, mode: 0o700 });
      const handle = await open(file, "wx", 0o600);
      try {
        await handle.writeFile(snapshot.data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw new UpgradeError("E_BACKUP", `cannot store the etcd snapshot as ${file}: ${(error as Error).message}`, {
        gate: "etcd-backup",
        hint: "nothing was touched; make the state folder writable (or pass another --state-dir) and run again",
      });
    }
    return {
      file,
      bytes: snapshot.data.length,
      revision: snapshot.revision,
      sha256: checked.sha256,
      member: endpoint,
      at,
    };
  }
  throw new UpgradeError("E_BACKUP", `no etcd member gave a good snapshot: ${problems.join("; ")}`, {
    gate: "etcd-backup",
    hint: "nothing was touched; fix etcd (or its credentials) and run again",
  });
}

/** How to get the cluster back from the snapshot (Talos disaster recovery). */
export function restoreInstructions(record: BackupRecord, controlPlaneAddress: string): string {
  return `to restore: reset the control-plane nodes, then \`talosctl -n ${controlPlaneAddress} bootstrap --recover-from=${record.file}\` (revision ${record.revision}, sha256 ${record.sha256.slice(0, 16)}…)`;
}
