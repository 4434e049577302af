// `edit`: decrypts into a private temp file, opens $EDITOR, and re-encrypts only if the plaintext
// changed. The data key and the IVs of unchanged values are kept, so the diff shows only real edits.
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
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
 * Ctrl-C in a terminal signals the whole foreground group. The editor decides what it means (vim just
 * cancels a command), as `git commit` does; dying here instead would strand the plaintext temp file.
 */
function whileIgnoringInterrupts<T>(run: () => T): T {
  const ignore = () => undefined;
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGQUIT"];
  for (const signal of signals) process.on(signal, ignore);
  try {
    return run();
  } finally {
    for (const signal of signals) process.off(signal, ignore);
  }
}

/** Runs the editor on `content`; returns the edited bytes. */
async function runEditor(content: Uint8Array, name: string, env: NodeJS.ProcessEnv): Promise<Buffer> {
  const editor = editorCommand(env);
  const dir = await mkdtemp(path.join(os.tmpdir(), "kubeforge-sops-"));
  const temp = path.join(dir, name);
  try {
    await writeFile(temp, content, { mode: 0o600 });
    const result = whileIgnoringInterrupts(() =>
      spawnSync("sh", ["-c", `${editor} "$1"`, "sh", temp], { stdio: "inherit", env }),
    );
    if (result.error || result.status !== 0) {
      throw new SopsError(
        "E_SOPS_EDITOR",
        `the editor "${editor}" failed (exit ${result.status ?? result.error?.message}); nothing was written`,
        {
          hint: "fix $EDITOR or the editor session",
        },
      );
    }
    return await readFile(temp);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Edits an encrypted file in place (creating it from the creation rules if it does not exist). */
export async function editFile(options: EditFileOptions): Promise<{ changed: boolean; created: boolean }> {
  const env = options.env ?? process.env;
  const { input } = formatsOf(options);
  const name = path.basename(options.file);
  if (!(await fileExists(options.file))) {
    const edited = await runEditor(new Uint8Array(), name, env);
    if (edited.length === 0) return { changed: false, created: false };
    const config = await configOf(options);
    const rule = ruleOf(config, options);
    const text = await sealNewDocument(parsePlaintext(edited, input, options.file), {
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
  const opened = await openDocument(await readInputFile(options.file), {
    format: input,
    identities: await identitiesOf(options),
    file: options.file,
    ignoreMac: options.ignoreMac,
  });
  const store = await storesFor(options);
  const before = Buffer.from(emitPlainDocument(opened.branches, input, store));
  const after = await runEditor(before, name, env);
  if (after.equals(before)) return { changed: false, created: false };
  let branches: ReturnType<typeof parsePlaintext>;
  try {
    branches = parsePlaintext(after, input, options.file);
  } catch (error) {
    if (error instanceof SopsError) {
      throw new SopsError(error.code, `${error.reason}; the edit was discarded`, {
        file: options.file,
        path: error.path,
        hint: "run edit again and fix the syntax",
      });
    }
    throw error;
  }
  if (Buffer.from(emitPlainDocument(branches, input, store)).equals(before)) return { changed: false, created: false };
  const { metadata } = opened;
  const text = sealDocument(branches, {
    ...store,
    format: input,
    rules: metadata,
    keyGroups: metadata.keyGroups,
    useKeyGroups: metadata.useKeyGroups,
    shamirThreshold: metadata.shamirThreshold,
    cipher: opened.cipher,
    file: options.file,
  });
  await writeFileAtomic(options.file, text);
  return { changed: true, created: false };
}
