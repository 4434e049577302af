// `edit`: decrypts into a private temp file, opens $EDITOR, and re-encrypts only if the plaintext
// changed. The data key and the IVs of unchanged values are kept, so the diff shows only real edits.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { SopsError } from "../errors.js";
import { emitPlainDocument } from "../formats/index.js";
import { fileExists, readInputFile, writeFileAtomic } from "../io.js";
import { parsePlaintext, sealNewDocument } from "../operations/encrypt.js";
import { openDocument } from "../operations/open.js";
import { sealDocument } from "../operations/seal.js";
import {
  configOf,
  type FileCommandOptions,
  formatsOf,
  identitiesOf,
  ruleOf,
  storeOptionsOf,
  storesFor,
} from "./context.js";

export interface EditFileOptions extends FileCommandOptions {
  readonly ignoreMac?: boolean;
  /** Called with the error of an invalid edit; resolve true to reopen the editor (default: give up). */
  readonly onInvalid?: (message: string) => Promise<boolean>;
}

function editorCommand(env: NodeJS.ProcessEnv): string {
  const chosen = env.SOPS_EDITOR || env.EDITOR;
  if (chosen) return chosen;
  for (const candidate of ["vim", "nano", "vi"]) {
    if (spawnSync("sh", ["-c", `command -v ${candidate}`], { stdio: "ignore" }).status === 0) return candidate;
  }
  throw new SopsError("E_SOPS_EDITOR", "no editor found", { hint: "set $EDITOR (or $SOPS_EDITOR)" });
}

/**
 * The editor's environment: everything but the age key sources. The editor (and any plugin it runs) needs the
 * plaintext of this one file, never the key that opens every other file of the repository.
 */
export function editorEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^SOPS_AGE_/.test(name)));
}

/** Runs the editor once, asynchronously, so signal handlers can run while it is open. */
function runEditorOnce(editor: string, temp: string, env: NodeJS.ProcessEnv, track: (child?: ChildProcess) => void) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn("sh", ["-c", `${editor} "$1"`, "sh", temp], { stdio: "inherit", env: editorEnvironment(env) });
    track(child);
    child.on("error", (error) => {
      track(undefined);
      reject(error);
    });
    child.on("exit", (code, signal) => {
      track(undefined);
      if (code === 0) resolve();
      else reject(new Error(signal ? `killed by ${signal}` : `exit ${code}`));
    });
  });
}

export interface EditSession<T> {
  readonly content: Uint8Array;
  readonly name: string;
  readonly env: NodeJS.ProcessEnv;
  /** Turns the edited bytes into the result; a SopsError means "invalid input". */
  readonly accept: (edited: Buffer) => T;
  /** Shown an invalid edit's error; resolves true to reopen the editor (sops waits for Enter). */
  readonly onInvalid?: (message: string) => Promise<boolean>;
}

/**
 * Opens $EDITOR on a private temp file (0700 dir, 0600 file created exclusively) until the edit is
 * valid or unchanged. SIGTERM and SIGHUP end the session at once and remove the plaintext. SIGINT
 * while the editor is open belongs to the editor (a terminal sends Ctrl-C to the whole group and vim
 * only cancels a command); anywhere else it ends the session the same way. Undefined: not changed.
 */
async function editUntilValid<T>(session: EditSession<T>): Promise<T | undefined> {
  const editor = editorCommand(session.env);
  const dir = await mkdtemp(path.join(os.tmpdir(), "kubeforge-sops-"));
  const temp = path.join(dir, session.name);
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  let child: ChildProcess | undefined;
  let interrupted: NodeJS.Signals | undefined;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((signal) => {
    const handler = () => {
      if (signal === "SIGINT" && child) return;
      interrupted = signal;
      child?.kill(signal);
      cleanUp();
      wake();
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  const interruptedError = () =>
    new SopsError("E_SOPS_INTERRUPTED", `interrupted by ${interrupted}; the plaintext temp file was removed`, {
      hint: "nothing was written",
    });
  try {
    await writeFile(temp, session.content, { mode: 0o600, flag: "wx" });
    for (;;) {
      try {
        await runEditorOnce(editor, temp, session.env, (c) => {
          child = c;
        });
      } catch (error) {
        if (interrupted) throw interruptedError();
        throw new SopsError(
          "E_SOPS_EDITOR",
          `the editor "${editor}" failed (${(error as Error).message}); nothing was written`,
          { hint: "fix $EDITOR or the editor session" },
        );
      }
      if (interrupted) throw interruptedError();
      const edited = await readFile(temp);
      if (edited.equals(Buffer.from(session.content))) return undefined;
      try {
        return session.accept(edited);
      } catch (error) {
        if (!(error instanceof SopsError) || error.code === "E_SOPS_VERIFY") throw error;
        const again = session.onInvalid
          ? await Promise.race([session.onInvalid(error.message), stopped.then(() => false)])
          : false;
        if (interrupted) throw interruptedError();
        if (!again) {
          throw new SopsError(error.code, `${error.reason}; the edit was discarded`, {
            file: error.file,
            path: error.path,
            hint: "run edit again and fix the syntax",
          });
        }
      }
    }
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    cleanUp();
  }
}

/** Edits an encrypted file in place (creating it from the creation rules if it does not exist). */
export async function editFile(options: EditFileOptions): Promise<{ changed: boolean; created: boolean }> {
  const env = options.env ?? process.env;
  const { input } = formatsOf(options);
  const name = path.basename(options.file);
  if (!(await fileExists(options.file))) {
    const config = await configOf(options);
    const rule = ruleOf(config, options);
    const branches = await editUntilValid({
      content: new Uint8Array(),
      name,
      env,
      accept: (edited) => parsePlaintext(edited, input, options.file),
      onInvalid: options.onInvalid,
    });
    if (!branches) return { changed: false, created: false };
    const text = await sealNewDocument(branches, {
      ...storeOptionsOf(config, options),
      format: input,
      recipientGroups: rule?.ageGroups ?? [],
      shamirThreshold: rule?.shamirThreshold,
      rules: rule ?? {},
      file: options.file,
    });
    await writeFileAtomic(options.file, text);
    return { changed: true, created: true };
  }
  const opened = await openDocument(await readInputFile(options.readPath ?? options.file), {
    format: input,
    identities: await identitiesOf(options),
    file: options.file,
    ignoreMac: options.ignoreMac,
  });
  const store = await storesFor(options);
  const before = Buffer.from(emitPlainDocument(opened.branches, input, store));
  const { metadata } = opened;
  const seal = (edited: Buffer) => {
    const branches = parsePlaintext(edited, input, options.file);
    if (Buffer.from(emitPlainDocument(branches, input, store)).equals(before)) return undefined;
    return sealDocument(branches, {
      ...store,
      format: input,
      rules: metadata,
      keyGroups: metadata.keyGroups,
      useKeyGroups: metadata.useKeyGroups,
      shamirThreshold: metadata.shamirThreshold,
      cipher: opened.cipher,
      file: options.file,
    });
  };
  const text = await editUntilValid({ content: before, name, env, accept: seal, onInvalid: options.onInvalid });
  if (text === undefined) return { changed: false, created: false };
  await writeFileAtomic(options.file, text);
  return { changed: true, created: false };
}
