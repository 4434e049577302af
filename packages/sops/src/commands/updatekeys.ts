// `updatekeys`: re-wraps the data key for the recipients of the file's creation rule. Several files are all
// checked before the first is written, so a run that would lock the user out of one file changes none.
import { SopsError } from "../errors.js";
import { readInputFile } from "../io.js";
import { lockoutError, type UpdateKeysResult, updateKeysText } from "../operations/updatekeys.js";
import { configOf, type FileCommandOptions, formatsOf, identitiesOf, ruleOf, storeOptionsOf } from "./context.js";

export interface UpdateKeysFileOptions extends FileCommandOptions {
  /** Re-wrap even when no identity at hand opens the file afterwards (see UpdateKeysOptions). */
  readonly allowLockout?: boolean;
}

export async function updateKeysFile(options: UpdateKeysFileOptions): Promise<UpdateKeysResult> {
  const { input } = formatsOf(options);
  const config = await configOf(options);
  const rule = ruleOf(config, options);
  if (!config || !rule) {
    throw new SopsError("E_SOPS_NO_RULE", "no .sops.yaml with creation_rules found", {
      file: options.file,
      hint: "updatekeys takes the recipients from the matching creation rule; add a .sops.yaml or pass --config",
    });
  }
  return updateKeysText(await readInputFile(options.readPath ?? options.file), {
    ...storeOptionsOf(config, options),
    format: input,
    recipientGroups: rule.ageGroups,
    shamirThreshold: rule.shamirThreshold,
    identities: await identitiesOf(options),
    file: options.file,
    allowLockout: options.allowLockout,
  });
}

/** The answer to "Is this okay? (y/n)": the line typed, or undefined at the end of input. */
export type ConfirmUpdate = (question: string) => Promise<string | undefined>;

export interface UpdateKeysFilesOptions {
  readonly files: readonly string[];
  /** Options every file shares (formats, --config, cwd, env, warnings); readPath only with one file. */
  readonly common?: Omit<FileCommandOptions, "file">;
  readonly allowLockout?: boolean;
  /** Asks before each file's keys change, as sops does without --yes; undefined: apply without asking. */
  readonly confirm?: ConfirmUpdate;
  /** Receives the progress lines (the changes per file, "keys updated"); the CLI prints them on stderr. */
  readonly report: (line: string) => void;
  readonly write: (file: string, text: string) => Promise<void>;
}

export interface UpdateKeysFilesResult {
  readonly updated: string[];
  readonly upToDate: string[];
  /** Files the user answered "n" for (left unchanged, as in sops). */
  readonly declined: string[];
  /** Files that could not be read or opened (several files only: one file throws its own error). */
  readonly failures: { readonly file: string; readonly error: unknown }[];
}

/**
 * updatekeys over one or more files: every file is re-wrapped in memory first; if any would lock the user out
 * (and allowLockout is not set) E_SOPS_LOCKOUT lists them all and nothing is written. Then, per file, the changes
 * are reported, confirmed (when `confirm` is given) and written.
 */
export async function updateKeysFiles(options: UpdateKeysFilesOptions): Promise<UpdateKeysFilesResult> {
  const common = { ...options.common, file: "" };
  const shared = { config: (await configOf(common)) ?? null, keySource: await identitiesOf(common) };
  const planned: { file: string; result: UpdateKeysResult }[] = [];
  const failures: { file: string; error: unknown }[] = [];
  for (const file of options.files) {
    try {
      const readPath = options.common?.readPath ?? file;
      const result = await updateKeysFile({ ...options.common, ...shared, file, readPath, allowLockout: true });
      planned.push({ file, result });
    } catch (error) {
      if (options.files.length === 1) throw error;
      failures.push({ file, error });
    }
  }
  const locked = planned.filter((p) => p.result.locksOut);
  if (locked.length > 0 && !options.allowLockout) {
    throw lockoutError(locked.map((p) => ({ file: p.file, ...p.result })));
  }
  const outcome: UpdateKeysFilesResult = { updated: [], upToDate: [], declined: [], failures };
  for (const { file, result } of planned) {
    if (!result.changed) {
      options.report(`${file}: already up to date`);
      outcome.upToDate.push(file);
      continue;
    }
    options.report(`${file}: the following changes will be made to the file's groups:`);
    for (const r of result.added) options.report(`+++ ${r}`);
    for (const r of result.removed) options.report(`--- ${r}`);
    if (result.locksOut)
      options.report(`warning: ${file}: none of your identities will decrypt it afterwards (--allow-lockout)`);
    if (options.confirm && !(await confirmed(options.confirm, file))) {
      options.report(`${file}: left unchanged`);
      outcome.declined.push(file);
      continue;
    }
    await options.write(file, result.text);
    options.report(`${file}: keys updated`);
    outcome.updated.push(file);
  }
  return outcome;
}

/** sops' loop: asks until the answer is y or n; the end of input is an error (sops exits 1, nothing written). */
async function confirmed(confirm: ConfirmUpdate, file: string): Promise<boolean> {
  for (;;) {
    const answer = await confirm("Is this okay? (y/n):");
    if (answer === undefined) {
      throw new SopsError("E_SOPS_DECLINED", 'no answer to "Is this okay? (y/n)" (end of input)', {
        file,
        hint: "this file and the ones after it are unchanged; answer y or n, or pass --yes to apply without asking",
      });
    }
    const word = answer.trim();
    if (word === "y") return true;
    if (word === "n") return false;
  }
}
