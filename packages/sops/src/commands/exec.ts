// `exec-env` and `exec-file`: run a command with the decrypted values in its environment, or with the
// decrypted file at a private temp path that is removed afterwards (also on SIGINT, SIGTERM, SIGHUP).
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { SopsError } from "../errors.js";
import { emitPlainDocument } from "../formats/index.js";
import { readInputFile } from "../io.js";
import { openDocument } from "../operations/open.js";
import { Comment, SopsTime, TreeMap, TreeSeq } from "../tree.js";
import { type FileCommandOptions, formatsOf, identitiesOf, storesFor } from "./context.js";

export interface ExecOptions extends FileCommandOptions {
  readonly command: string;
  /** exec-env: start from an empty environment instead of this process's. */
  readonly pristine?: boolean;
  /** exec-file: the temp file's name (default `tmp-file` plus the input's extension). */
  readonly filename?: string;
}

const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Runs `sh -c command` (as sops does) and resolves to its exit code; forwards our signals to it. */
function runShell(command: string, env: NodeJS.ProcessEnv, onSignal?: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", command], { stdio: "inherit", env });
    const handlers = SIGNALS.map((signal) => {
      const handler = () => {
        onSignal?.();
        child.kill(signal);
      };
      process.on(signal, handler);
      return [signal, handler] as const;
    });
    const done = () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
    child.on("error", (error) => {
      done();
      reject(error);
    });
    child.on("exit", (code, signal) => {
      done();
      resolve(code ?? 128 + (os.constants.signals[signal as NodeJS.Signals] ?? 0));
    });
  });
}

async function open(options: ExecOptions) {
  const { input } = formatsOf(options);
  return openDocument(await readInputFile(options.readPath ?? options.file), {
    format: input,
    identities: await identitiesOf(options),
    file: options.file,
  });
}

/** The environment variables sops exec-env sets: the top-level scalars of the first document. */
export function environmentOf(branch: TreeMap, file?: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const item of branch.items) {
    if (item instanceof Comment) continue;
    const { key, value } = item;
    if (value instanceof TreeMap || value instanceof TreeSeq) {
      throw new SopsError("E_SOPS_DUMP", `cannot use complex value in environment; offending key ${key}`, { file });
    }
    if (key.includes("="))
      throw new SopsError("E_SOPS_DUMP", `cannot use keys with '=' in environment: ${key}`, { file });
    vars[key] =
      value instanceof SopsTime
        ? value.text
        : value instanceof Uint8Array
          ? Buffer.from(value).toString("utf8")
          : value === null
            ? ""
            : typeof value === "boolean"
              ? value
                ? "true"
                : "false"
              : String(value);
  }
  return vars;
}

/** exec-env: resolves to the command's exit code. */
export async function execEnv(options: ExecOptions): Promise<number> {
  const opened = await open(options);
  const vars = environmentOf(opened.branches[0] ?? new TreeMap(), options.file);
  const base = options.pristine ? { PATH: process.env.PATH } : (options.env ?? process.env);
  return runShell(options.command, { ...base, ...vars });
}

/** exec-file: `{}` in the command is replaced by the decrypted temp file's path. */
export async function execFile(options: ExecOptions): Promise<number> {
  const opened = await open(options);
  const { output } = formatsOf(options);
  const plain = emitPlainDocument(opened.branches, output, await storesFor(options));
  const dir = await mkdtemp(path.join(os.tmpdir(), "kubeforge-sops-exec-"));
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  try {
    const temp = path.join(dir, options.filename ?? `tmp-file${path.extname(options.file)}`);
    await writeFile(temp, plain, { mode: 0o600, flag: "wx" });
    const quoted = `'${temp.replaceAll("'", `'\\''`)}'`;
    return await runShell(options.command.replaceAll("{}", quoted), options.env ?? process.env, cleanUp);
  } finally {
    cleanUp();
  }
}
