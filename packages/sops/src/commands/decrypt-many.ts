// `decrypt a b c` / `decrypt --recursive dir`: many files in one process (key sources read once), each
// decrypted in place or under --output-dir at its relative path. One failing file does not stop the rest.
// From BATCH_THREAD_MIN files and BATCH_THREAD_MIN_BYTES of input on, worker threads (decrypt-worker.ts) take batches of files beside the
// main thread, one per spare core: the per-file work (X25519 unwrap, AES-GCM, the file's syscalls) is
// independent. Failures are reported in the order of the files, whichever thread met them.
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { SopsError, type SopsErrorCode } from "../errors.js";
import { writeFileAtomic } from "../io.js";
import { type KeySource, keySourceFromEnv } from "../keys/sources.js";
import type { SopsConfig } from "../rules.js";
import { configOf, type FileCommandOptions } from "./context.js";
import { decryptFile } from "./decrypt.js";

export interface DecryptManyOptions {
  readonly files: readonly string[];
  readonly recursive?: string;
  /** Write each file under this folder (relative path kept); default: in place. */
  readonly outputDir?: string;
  readonly common: Omit<FileCommandOptions, "file">;
  readonly onError: (error: unknown) => void;
  /** Worker threads to use (default: one per spare core, up to 3; 0: the main thread only). */
  readonly threads?: number;
  /** URL of the built decrypt-worker.js (default: beside this module). */
  readonly workerUrl?: URL;
}

/** One file to decrypt: where to read it, where its plaintext goes. */
export interface DecryptJob {
  readonly index: number;
  readonly file: string;
  readonly target: string;
}

/** A failure as it crosses from a worker thread (an Error does not keep its class or fields). */
export interface JobFailure {
  readonly index: number;
  readonly code?: SopsErrorCode;
  readonly reason: string;
  readonly file?: string;
  readonly path?: string;
  readonly hint?: string;
  readonly exitCode?: number;
}

/** The options a worker thread needs to decrypt like the main thread (no functions: they do not clone). */
export type WorkerCommon = Omit<FileCommandOptions, "file" | "keySource" | "onWarning" | "config">;

const BATCH_THREAD_MIN = 64;
const BATCH_SIZE = 8;

async function listFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch((error) => {
    throw new SopsError("E_SOPS_NOT_FOUND", `cannot read the folder (${(error as NodeJS.ErrnoException).code})`, {
      file: dir,
    });
  });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name === ".git" || entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await listFiles(full)));
    else if (entry.isFile()) found.push(full);
  }
  return found;
}

/** Not a sops file: no metadata, or unparsable text that holds no sops value either (a corrupt sops file is reported). */
function isNotSops(error: SopsError, file: string): boolean {
  if (error.code === "E_SOPS_NOT_ENCRYPTED") return true;
  if (error.code !== "E_SOPS_PARSE") return false;
  try {
    return !readFileSync(file, "latin1").includes("ENC[AES256_GCM,");
  } catch {
    return false;
  }
}

/** Decrypts one file and writes its plaintext (0600, atomically); the failure, if any. */
export async function runJob(
  job: DecryptJob,
  common: Omit<FileCommandOptions, "file">,
  keySource: KeySource,
  config: SopsConfig | null,
): Promise<unknown> {
  try {
    const plain = await decryptFile({ ...common, file: job.file, readPath: job.file, keySource, config });
    await writeFileAtomic(job.target, plain, { secret: true });
    return undefined;
  } catch (error) {
    return error;
  }
}

export function toFailure(index: number, error: unknown): JobFailure {
  if (error instanceof SopsError) {
    const exitCode = (error as SopsError & { exitCode?: number }).exitCode;
    return {
      index,
      code: error.code,
      reason: error.reason,
      file: error.file,
      path: error.path,
      hint: error.hint,
      exitCode,
    };
  }
  return { index, reason: error instanceof Error ? error.message : String(error) };
}

function fromFailure(failure: JobFailure): Error {
  if (!failure.code) return new Error(failure.reason);
  const error = new SopsError(failure.code, failure.reason, failure);
  if (failure.exitCode !== undefined) Object.assign(error, { exitCode: failure.exitCode });
  return error;
}

/** Bytes of input below which a thread does not pay for its start (measured: 1,000 Secrets of 2.5 kB each
 * are done sooner by the main thread alone, 1,000 of 20 kB 1.2–1.35× sooner with a second thread). */
const BATCH_THREAD_MIN_BYTES = 8 * 1024 * 1024;

/** The input's size, estimated from the first 64 files (a stat per file cost 5 µs a file to decide this). */
function inputBytes(jobs: readonly DecryptJob[]): number {
  const sample = jobs.slice(0, BATCH_THREAD_MIN);
  let total = 0;
  for (const job of sample) total += statSync(job.file, { throwIfNoEntry: false })?.size ?? 0;
  return sample.length === 0 ? 0 : (total / sample.length) * jobs.length;
}

/** A worker thread is worth it for many files and megabytes, with a spare core, and without key commands. */
function threadsFor(options: DecryptManyOptions, jobs: readonly DecryptJob[]): number {
  const env = options.common.env ?? process.env;
  // SOPS_AGE_*_CMD would run again in every thread (a password manager would prompt twice)
  if (env.SOPS_AGE_KEY_CMD || env.SOPS_AGE_SSH_PRIVATE_KEY_CMD) return 0;
  if (jobs.length < BATCH_THREAD_MIN) return 0;
  const spare = Math.min(3, os.availableParallelism() - 1);
  // KUBEFORGE_SOPS_THREADS=N: up to N threads (one per spare core at most) whatever the input size; 0: none
  const cap = Number.parseInt(env.KUBEFORGE_SOPS_THREADS ?? "", 10);
  const explicit = options.threads ?? (Number.isInteger(cap) && cap >= 0 ? Math.min(cap, spare) : undefined);
  if (explicit === undefined && inputBytes(jobs) < BATCH_THREAD_MIN_BYTES) return 0;
  const wanted = explicit ?? spare;
  return Math.max(0, Math.min(wanted, Math.floor(jobs.length / BATCH_THREAD_MIN)));
}

/** Decrypts every file; returns the errors (empty when all succeeded), in the order of the files. */
export async function decryptMany(options: DecryptManyOptions): Promise<unknown[]> {
  const keySource = keySourceFromEnv(options.common.env ?? process.env);
  // every file shares the working directory's .sops.yaml (stores.indent): find it once
  const config = (await configOf({ ...options.common, file: "" }).catch(() => undefined)) ?? null;
  const inputs: Array<{ file: string; base: string; found?: boolean }> = options.files.map((file) => ({
    file,
    base: process.cwd(),
  }));
  if (options.recursive) {
    for (const file of await listFiles(options.recursive)) inputs.push({ file, base: options.recursive, found: true });
  }
  const errors: unknown[] = new Array(inputs.length).fill(undefined);
  const jobs: DecryptJob[] = [];
  const made = new Set<string>();
  for (const [index, { file, base }] of inputs.entries()) {
    let target = file;
    if (options.outputDir) {
      const relative = path.relative(base, path.resolve(file));
      if (relative.startsWith("..") || path.isAbsolute(relative)) {
        errors[index] = new SopsError("E_SOPS_IO", "cannot write the file outside the --output-dir tree", {
          file,
          hint: "run from a folder that contains the files, or use -i",
        });
        continue;
      }
      target = path.join(options.outputDir, relative);
      if (!made.has(path.dirname(target))) mkdirSync(path.dirname(target), { recursive: true });
      made.add(path.dirname(target));
    }
    jobs.push({ index, file, target });
  }

  let cursor = 0;
  const take = (count: number) => {
    const from = cursor;
    cursor = Math.min(jobs.length, cursor + count);
    return jobs.slice(from, cursor);
  };
  const retry: DecryptJob[] = [];
  const helpers = await startHelpers(options, threadsFor(options, jobs), {
    take,
    onFailure: (failure) => {
      errors[failure.index] = fromFailure(failure);
    },
    requeue: (left) => retry.push(...left),
  });
  while (cursor < jobs.length) {
    const [job] = take(1);
    errors[job!.index] = await runJob(job!, options.common, keySource, config);
    // let the workers' results in, so they get their next batch without waiting for the main thread
    if (helpers.length > 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(helpers);
  // files a thread took but did not finish (it crashed or exited): the main thread does them
  for (const job of retry) errors[job.index] = await runJob(job, options.common, keySource, config);

  const failures: unknown[] = [];
  for (const [index, error] of errors.entries()) {
    if (error === undefined) continue;
    // a recursive run skips what is not a sops file (READMEs, plaintext next to the secrets)
    if (inputs[index]!.found && error instanceof SopsError && isNotSops(error, inputs[index]!.file)) continue;
    failures.push(error);
    options.onError(error);
  }
  return failures;
}

interface HelperHooks {
  /** The next files (fewer at the end, none when all are taken). */
  take(count: number): DecryptJob[];
  onFailure(failure: JobFailure): void;
  /** Files a thread had taken when it died: someone else must do them. */
  requeue(jobs: DecryptJob[]): void;
}

/** Starts `count` worker threads pulling batches; each promise settles when its thread is gone. */
async function startHelpers(
  options: DecryptManyOptions,
  count: number,
  hooks: HelperHooks,
): Promise<Array<Promise<void>>> {
  if (count === 0) return [];
  const url = options.workerUrl ?? new URL("./decrypt-worker.js", import.meta.url);
  if (!existsSync(fileURLToPath(url))) return []; // running from source (tests): the main thread does it all
  const { keySource: _k, onWarning: _w, config: _c, ...common } = options.common as FileCommandOptions;
  const workerCommon: WorkerCommon = common;
  return Array.from({ length: count }, () => {
    const worker = new Worker(url, { workerData: { common: workerCommon } });
    const inFlight = new Map<number, DecryptJob>();
    const send = () => {
      const batch = hooks.take(BATCH_SIZE);
      for (const job of batch) inFlight.set(job.index, job);
      if (batch.length > 0) worker.postMessage(batch);
    };
    return new Promise<void>((resolve) => {
      let gone = false;
      // the thread died or exited early: what it had not confirmed goes back, nothing is skipped
      const end = () => {
        if (gone) return;
        gone = true;
        hooks.requeue([...inFlight.values()]);
        inFlight.clear();
        resolve();
      };
      worker.on("message", (message: { done: number[]; failures: JobFailure[] }) => {
        for (const index of message.done) inFlight.delete(index);
        for (const failure of message.failures) hooks.onFailure(failure);
        send();
        if (inFlight.size === 0) void worker.terminate();
      });
      worker.on("error", end);
      worker.on("exit", end);
      // a reply that cannot be read would leave its files in flight forever: stop the thread (then "exit")
      worker.on("messageerror", () => void worker.terminate());
      // two batches ahead, so the thread never waits for the main thread to hand out the next one
      send();
      send();
    });
  });
}
