// kubeforge-sops: sops' verbs over @kubeforge/sops. The only place in this package that prints or exits.
// Start-up matters (scripts call it per file): only argument parsing and the error codes load here; the
// commands, formats and crypto load with dynamic import() when a command runs.
import { parseArgs } from "node:util";
import { SopsError, type SopsErrorCode } from "./errors.js";
import { SOPS_VERSION } from "./version.js";

const USAGE = `Usage: kubeforge-sops <command> [options] <file>

SOPS for age keys in pure TypeScript; reads and writes the files Go sops 3.13 and Flux use.

Commands:
  encrypt <file>                 encrypt a plaintext file (keys and rules from .sops.yaml or flags)
  decrypt <file>…                decrypt sops files; several files (or --recursive <dir>) need -i or --output-dir
  edit <file>                    decrypt into $EDITOR and re-encrypt if changed (keeps the data key)
  set <file> <index> <json>      set one value, e.g. set s.yaml '["data"]["pw"]' '"secret"'
  unset <file> <index>           remove one value
  exec-env <file> <command>      run <command> (sh -c) with the file's top-level values as environment
  exec-file <file> <command>     run <command> with {} replaced by the path of a private decrypted copy
  updatekeys <file>…             re-wrap the data key for the recipients the matching rule now names
  rotate <file>                  re-encrypt everything under a new data key
  filestatus <file>              print {"encrypted":true|false}

Options:
  -i, --in-place                 write the result back to <file> (through a symlink, to its target)
  --output <file>                write the result to <file> (encrypt keeps an unchanged target as is)
  --output-dir <dir>             decrypt: write each file under <dir>, keeping its relative path
  -r, --recursive <dir>          decrypt every sops file under <dir>
  --filename-override <name>     pick the format and the creation rule by <name> (e.g. when <file> is -)
  --input-type <type>            yaml, json, dotenv, ini or binary [default: from the extension]
  --output-type <type>           output format [default: the input type]
  --extract <path>               decrypt one value, e.g. '["data"]["password"]'
  --age <recipients>             encrypt to these age or ssh recipients (comma-separated), replacing the rule's
  --encrypted-regex <re>         encrypt only values under keys matching <re> (Go RE2 syntax)
  --unencrypted-regex <re>       leave values under keys matching <re> in clear text
  --encrypted-suffix <s>         encrypt only values under keys ending in <s>
  --unencrypted-suffix <s>       leave values under keys ending in <s> in clear text [default: _unencrypted]
  --mac-only-encrypted           compute the MAC over encrypted values only
  --require-encrypted            encrypt: fail (exit 1, nothing written) if the rules select none of a document's
                                 values; without it that is a warning and the file is written, as sops does
  --config <file>                the .sops.yaml to use [default: $SOPS_CONFIG, else search upwards]
  --indent <n>                   YAML/JSON indent [default: 4 / tab]
  --ignore-mac                   decrypt even if the MAC does not match
  --value-file, --value-stdin    set: read the JSON value from a file or stdin
  --pristine                     exec-env: do not pass this process's environment on
  --filename <name>              exec-file: the name of the temporary file (--no-fifo accepted: always a file)
  -y, --yes                      updatekeys: apply without asking (it asks only when stdin is a terminal)
  --allow-lockout                updatekeys: re-wrap even if none of your identities can decrypt the result
  -h, --help                     show this help
  -v, --version                  print the version

Keys: SSH keys (SOPS_AGE_SSH_PRIVATE_KEY_FILE, ~/.ssh/id_ed25519, ~/.ssh/id_rsa), SOPS_AGE_KEY,
SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD and ~/.config/sops/age/keys.txt ($XDG_CONFIG_HOME/sops/age/keys.txt).
Batch decrypt (64 files and 8 MB or more) uses worker threads; KUBEFORGE_SOPS_THREADS=N sets them (0: none).

Exit codes (sops 3.13): 0 success; 1 other error; 2 input unreadable; 3 output not written;
7 invalid set/unset index or value; 8 conflicting options; 23 cannot encrypt; 25 a value does not
decrypt; 51 MAC mismatch; 100 file not found; 128 no identity opens the data key;
200 edit: file not changed; 201 editor failed; 203 file already encrypted; 70 internal error.
Not in sops: 40 updatekeys would lock you out (nothing written; --allow-lockout overrides).`;

class UsageError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

// sops 3.13's cmd/sops/codes, per failure.
const EXIT_CODES: Record<SopsErrorCode, number> = {
  E_SOPS_PARSE: 1, // decrypt: store error → generic; encrypt maps it to 2 below ("Error unmarshalling file")
  E_SOPS_IO: 2, // CouldNotReadInputFile (3 when writing, below)
  E_SOPS_NOT_FOUND: 100, // NoFileSpecified: "cannot operate on non-existent file"
  E_SOPS_NOT_ENCRYPTED: 1, // "sops metadata not found"
  E_SOPS_METADATA: 1,
  E_SOPS_ALREADY_ENCRYPTED: 203, // FileAlreadyEncrypted
  E_SOPS_NO_KEY: 128, // CouldNotRetrieveKey
  E_SOPS_NO_IDENTITY: 128,
  E_SOPS_UNSUPPORTED: 128,
  E_SOPS_MAC_MISMATCH: 51, // MacMismatch
  E_SOPS_DECRYPT: 25, // ErrorDecryptingTree
  E_SOPS_NO_RULE: 1, // "no matching creation rules found" → generic
  E_SOPS_CONFIG: 1, // config errors → generic
  E_SOPS_CONFLICT: 8, // ErrorConflictingParameters
  E_SOPS_NO_RECIPIENTS: 23,
  E_SOPS_RECIPIENT: 23,
  E_SOPS_ENCRYPT: 23, // ErrorEncryptingTree
  E_SOPS_VERIFY: 23,
  E_SOPS_EXTRACT: 1,
  E_SOPS_EDITOR: 201, // NoEditorFound
  E_SOPS_INTERRUPTED: 1, // sops' cancelError → generic
  E_SOPS_UNCHANGED: 200, // FileHasNotBeenModified
  E_SOPS_USAGE: 7, // ErrorInvalidSetFormat
  E_SOPS_DUMP: 4, // ErrorDumpingTree (decrypt's "Error dumping file", which exec-env reaches too)
  E_SOPS_NOTHING_ENCRYPTED: 1, // ours: only with --require-encrypted (sops writes such a file and exits 0)
  E_SOPS_LOCKOUT: 40, // ours (sops has no such check): a code no sops failure uses, so scripts can tell it apart
  E_SOPS_DECLINED: 1, // sops returns fmt.Scanln's error → generic
};

const FORMATS = ["yaml", "json", "dotenv", "ini", "binary"] as const;
type Format = (typeof FORMATS)[number];

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "in-place": { type: "boolean", short: "i" },
      output: { type: "string" },
      "output-dir": { type: "string" },
      recursive: { type: "string", short: "r" },
      "filename-override": { type: "string" },
      "input-type": { type: "string" },
      "output-type": { type: "string" },
      extract: { type: "string" },
      age: { type: "string", short: "a" },
      "encrypted-regex": { type: "string" },
      "unencrypted-regex": { type: "string" },
      "encrypted-suffix": { type: "string" },
      "unencrypted-suffix": { type: "string" },
      "mac-only-encrypted": { type: "boolean" },
      config: { type: "string" },
      indent: { type: "string" },
      "ignore-mac": { type: "boolean" },
      "value-file": { type: "string" },
      "value-stdin": { type: "boolean" },
      pristine: { type: "boolean" },
      filename: { type: "string" },
      // exec-file always uses a private temp file; sops' --no-fifo is accepted for scripts that pass it
      "no-fifo": { type: "boolean" },
      yes: { type: "boolean", short: "y" },
      "allow-lockout": { type: "boolean" },
      "require-encrypted": { type: "boolean" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
}

type Values = ReturnType<typeof parse>["values"];

function formatOption(value: string | undefined, flag: string): Format | undefined {
  if (value === undefined) return undefined;
  if (!(FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${FORMATS.join(", ")}, got "${value}"`);
  }
  return value as Format;
}

/** Writes to stdout and waits until it is flushed (process.exit would cut a piped write short). */
function out(data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(data, (error) => (error ? reject(error) : resolve())));
}

const warn = (message: string) => process.stderr.write(`[kubeforge-sops] warning: ${message}\n`);

/** sops' "Press enter to return to the editor" loop; false (give up) when stdin is closed. */
function waitForEnter(message: string): Promise<boolean> {
  process.stderr.write(
    `error: ${message}\nCould not load tree, probably due to invalid syntax. Press enter to return to the editor, or Ctrl+C to exit.\n`,
  );
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      if (!chunk.includes(10)) return;
      finish(true);
    };
    const onEnd = () => finish(false);
    const finish = (again: boolean) => {
      process.stdin.off("data", onData);
      process.stdin.off("end", onEnd);
      process.stdin.pause();
      resolve(again);
    };
    process.stdin.on("data", onData);
    process.stdin.on("end", onEnd);
    process.stdin.resume();
  });
}

function commonOf(values: Values, file: string) {
  const indent = values.indent === undefined ? undefined : Number(values.indent);
  if (indent !== undefined && !Number.isInteger(indent)) throw new UsageError("--indent must be an integer");
  const override = values["filename-override"];
  return {
    file: override ?? file,
    readPath: file,
    inputType: formatOption(values["input-type"], "--input-type"),
    outputType: formatOption(values["output-type"], "--output-type"),
    configPath: values.config,
    indent,
    ignoreMac: values["ignore-mac"],
    onWarning: warn,
  };
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.version) {
    await out(`kubeforge-sops (sops ${SOPS_VERSION} compatible)\n`);
    return 0;
  }
  if (values.help || positionals.length === 0) {
    await out(`${USAGE}\n`);
    return values.help ? 0 : 1;
  }
  const [command, ...args] = positionals;
  if (values["in-place"] && values.output) {
    throw new UsageError("--in-place and --output cannot be used together", 8);
  }
  if (command === "decrypt" && (args.length > 1 || values.recursive)) return decryptMany(values, args);
  const file = args[0];
  if (!file) throw new UsageError(`${command}: missing <file>`, 100);
  const common = commonOf(values, file);
  const target = values["in-place"] ? file : values.output;
  const { writeFileAtomic } = await import("./io.js");
  // plaintext never lands readable by others, in a new file or over an existing one
  const emit = async (data: string | Uint8Array, options: { secret?: boolean } = {}) =>
    target ? writeFileAtomic(target, data, options) : out(data);
  const only = (count: number) => {
    if (args.length > count) throw new UsageError(`unexpected arguments: ${args.slice(count).join(" ")}`);
  };

  switch (command) {
    case "encrypt": {
      only(1);
      const { encryptFile } = await import("./commands/encrypt.js");
      let text: string;
      try {
        text = await encryptFile({
          ...common,
          age: values.age
            ?.split(",")
            .map((s) => s.trim())
            .filter(Boolean),
          rules: {
            encryptedRegex: values["encrypted-regex"],
            unencryptedRegex: values["unencrypted-regex"],
            encryptedSuffix: values["encrypted-suffix"],
            unencryptedSuffix: values["unencrypted-suffix"],
            macOnlyEncrypted: values["mac-only-encrypted"],
          },
          previousFile: values.output,
          requireEncrypted: values["require-encrypted"],
        });
      } catch (error) {
        // sops: "Error unmarshalling file" is CouldNotReadInputFile (2) when encrypting
        if (error instanceof SopsError && error.code === "E_SOPS_PARSE") throw Object.assign(error, { exitCode: 2 });
        throw error;
      }
      await emit(text);
      return 0;
    }
    case "decrypt": {
      only(1);
      const { decryptFile } = await import("./commands/decrypt.js");
      await emit(await decryptFile({ ...common, extract: values.extract }), { secret: true });
      return 0;
    }
    case "edit": {
      only(1);
      const { editFile } = await import("./commands/edit.js");
      const result = await editFile({ ...common, onInvalid: waitForEnter });
      if (!result.changed) throw new SopsError("E_SOPS_UNCHANGED", "File has not changed, exiting.");
      return 0;
    }
    case "set":
    case "unset": {
      const { setInFile } = await import("./commands/set.js");
      const { readInputFile } = await import("./io.js");
      const index = args[1];
      let value: string | undefined;
      if (command === "set") {
        if (values["value-file"] && values["value-stdin"])
          throw new UsageError("cannot use both --value-file and --value-stdin");
        if (values["value-file"] || values["value-stdin"]) {
          only(2);
          value = (await readInputFile(values["value-stdin"] ? "-" : values["value-file"]!)).toString("utf8");
        } else {
          only(3);
          value = args[2];
        }
        if (index === undefined || value === undefined)
          throw new UsageError("set needs <file> <index> <value> (or --value-file / --value-stdin)", 100);
      } else {
        only(2);
        if (index === undefined) throw new UsageError("unset needs <file> <index>", 100);
      }
      const text = await setInFile({ ...common, index, value });
      await writeFileAtomic(values.output ?? file, text);
      return 0;
    }
    case "exec-env":
    case "exec-file": {
      only(2);
      const run = args[1];
      if (!run) throw new UsageError(`${command} needs <file> <command>`);
      const exec = await import("./commands/exec.js");
      const options = { ...common, command: run, pristine: values.pristine, filename: values.filename };
      return command === "exec-env" ? exec.execEnv(options) : exec.execFile(options);
    }
    case "updatekeys":
      return updateKeys(values, args, common);
    case "rotate": {
      only(1);
      const { rotateFile } = await import("./commands/rotate.js");
      await emit(await rotateFile(common));
      return 0;
    }
    case "filestatus": {
      only(1);
      const { fileStatus } = await import("./commands/filestatus.js");
      await out(`${JSON.stringify(await fileStatus(common))}\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/**
 * updatekeys <file>…: all files checked before any is written. Asks "Is this okay? (y/n)" per file as sops does,
 * but only when stdin is a terminal and --yes is not given; otherwise (scripts, CI) it applies without asking.
 */
async function updateKeys(values: Values, files: string[], common: ReturnType<typeof commonOf>): Promise<number> {
  if (files.length > 1 && (values.output || values["filename-override"]))
    throw new UsageError("--output and --filename-override work on one file only");
  const { updateKeysFiles } = await import("./commands/updatekeys.js");
  const { writeFileAtomic } = await import("./io.js");
  // one file keeps --filename-override (the name picks the rule; readPath is what is read and written)
  const { file: _file, readPath, ...shared } = common;
  const single = files.length === 1;
  const result = await updateKeysFiles({
    files: single ? [common.file] : files,
    common: single ? { ...shared, readPath } : shared,
    allowLockout: values["allow-lockout"],
    confirm: values.yes || !process.stdin.isTTY ? undefined : askLine,
    report: (line) => process.stderr.write(`${line}\n`),
    write: (file, text) => writeFileAtomic(values.output ?? (single ? readPath : file), text),
  });
  for (const { error } of result.failures) process.stderr.write(`error: ${describe(error)}\n`);
  if (result.failures.length > 0) {
    process.stderr.write(`error: failed updating ${result.failures.length} of ${files.length} files\n`);
    return 1;
  }
  return 0;
}

/** One line from stdin after `question` (on stderr); undefined when stdin ends first. */
async function askLine(question: string): Promise<string | undefined> {
  const { createInterface } = await import("node:readline");
  const lines = createInterface({ input: process.stdin, terminal: false });
  process.stderr.write(`${question} `);
  try {
    for await (const line of lines) return line;
    return undefined;
  } finally {
    lines.close();
  }
}

/** decrypt with several files or --recursive: one process, key sources read once, each file to its own output. */
async function decryptMany(values: Values, files: string[]): Promise<number> {
  if (values.extract) throw new UsageError("--extract works on one file only");
  if (values["filename-override"]) throw new UsageError("--filename-override works on one file only");
  if (!values["in-place"] && !values["output-dir"]) {
    throw new UsageError("decrypting several files needs -i (each in place) or --output-dir <dir>", 8);
  }
  const { decryptMany: run } = await import("./commands/decrypt-many.js");
  const failures = await run({
    files,
    recursive: values.recursive,
    outputDir: values["output-dir"],
    common: commonOf(values, ""),
    onError: (error) => process.stderr.write(`error: ${describe(error)}\n`),
  });
  return failures.length === 0 ? 0 : exitCodeOf(failures[0]!);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return error.code;
  if (error instanceof SopsError) {
    const explicit = (error as SopsError & { exitCode?: number }).exitCode;
    if (explicit !== undefined) return explicit;
    if (error.code === "E_SOPS_IO" && /cannot write/.test(error.reason)) return 3;
    return EXIT_CODES[error.code];
  }
  return 70;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\nRun kubeforge-sops --help for usage.\n`);
    } else if (error instanceof SopsError) {
      process.stderr.write(`error: ${error.message}\n`);
    } else {
      process.stderr.write(
        `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    process.exit(exitCodeOf(error));
  },
);
