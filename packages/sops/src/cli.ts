// kubeforge-sops: sops' verbs over @kubeforge/sops. The only place in this package that prints or exits.
import { parseArgs } from "node:util";
import { decryptFile } from "./commands/decrypt.js";
import { editFile } from "./commands/edit.js";
import { encryptFile } from "./commands/encrypt.js";
import { fileStatus } from "./commands/filestatus.js";
import { rotateFile } from "./commands/rotate.js";
import { updateKeysFile } from "./commands/updatekeys.js";
import { SopsError, type SopsErrorCode } from "./errors.js";
import { SOPS_FORMATS, type SopsFormat } from "./formats/index.js";
import { writeFileAtomic } from "./io.js";
import { SOPS_VERSION } from "./metadata.js";

const USAGE = `Usage: kubeforge-sops <command> [options] <file>

SOPS for age keys in pure TypeScript; reads and writes the files Go sops 3.13 and Flux use.

Commands:
  encrypt <file>      encrypt a plaintext file (keys and rules from .sops.yaml or flags)
  decrypt <file>      decrypt a sops file
  edit <file>         decrypt into $EDITOR and re-encrypt if changed (keeps the data key)
  updatekeys <file>   re-wrap the data key for the recipients the matching rule now names
  rotate <file>       re-encrypt everything under a new data key
  filestatus <file>   print {"encrypted":true|false}

Options:
  -i, --in-place                 write the result back to <file>
  --output <file>                write the result to <file> (encrypt keeps an unchanged target as is)
  --input-type <type>            yaml, json, dotenv, ini or binary [default: from the extension]
  --output-type <type>           output format [default: the input type]
  --extract <path>               decrypt one value, e.g. '["data"]["password"]'
  --age <recipients>             encrypt to these age recipients (comma-separated), replacing the rule's
  --encrypted-regex <re>         encrypt only values under keys matching <re>
  --unencrypted-regex <re>       leave values under keys matching <re> in clear text
  --encrypted-suffix <s>         encrypt only values under keys ending in <s>
  --unencrypted-suffix <s>       leave values under keys ending in <s> in clear text [default: _unencrypted]
  --mac-only-encrypted           compute the MAC over encrypted values only
  --config <file>                the .sops.yaml to use [default: $SOPS_CONFIG, else search upwards]
  --indent <n>                   YAML/JSON indent [default: 4 / tab]
  --ignore-mac                   decrypt even if the MAC does not match
  -y, --yes                      updatekeys: apply without asking (it never asks)
  -h, --help                     show this help
  --version                      print the version

Keys: age identities come from SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD and
~/.config/sops/age/keys.txt ($XDG_CONFIG_HOME/sops/age/keys.txt).

Exit codes: 0 success; 1 usage or other error; 2 input unreadable or invalid; 3 output not written;
5 invalid .sops.yaml; 23 cannot encrypt (no or bad recipients); 25 a value does not decrypt;
51 MAC mismatch; 61 no matching creation rule; 128 no identity opens the data key (or PGP-only file);
201 editor failed; 203 file already encrypted; 70 internal error.`;

class UsageError extends Error {}

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
};

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "in-place": { type: "boolean", short: "i" },
      output: { type: "string" },
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
      yes: { type: "boolean", short: "y" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    },
  });
}

function formatOption(value: string | undefined, flag: string): SopsFormat | undefined {
  if (value === undefined) return undefined;
  if (!(SOPS_FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} must be one of ${SOPS_FORMATS.join(", ")}, got "${value}"`);
  }
  return value as SopsFormat;
}

/** Writes to stdout and waits until it is flushed (process.exit would cut a piped write short). */
function out(data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(data, (error) => (error ? reject(error) : resolve())));
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    await out(`${USAGE}\n`);
    return values.help ? 0 : 1;
  }
  if (values.version) {
    await out(`kubeforge-sops (sops ${SOPS_VERSION} compatible)\n`);
    return 0;
  }
  const [command, file, ...rest] = positionals;
  if (!file) throw new UsageError(`${command}: missing <file>`);
  if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(" ")}`);
  if (values["in-place"] && values.output) throw new UsageError("--in-place and --output cannot be used together");
  const indent = values.indent === undefined ? undefined : Number(values.indent);
  if (indent !== undefined && !Number.isInteger(indent)) throw new UsageError(`--indent must be an integer`);
  const common = {
    file,
    inputType: formatOption(values["input-type"], "--input-type"),
    outputType: formatOption(values["output-type"], "--output-type"),
    configPath: values.config,
    indent,
    ignoreMac: values["ignore-mac"],
  };
  const target = values["in-place"] ? file : values.output;
  // plaintext never lands readable by others, in a new file or over an existing one
  const emit = async (data: string | Uint8Array, options: { secret?: boolean } = {}) =>
    target ? writeFileAtomic(target, data, options) : out(data);

  switch (command) {
    case "encrypt": {
      const text = await encryptFile({
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
      });
      await emit(text);
      return 0;
    }
    case "decrypt":
      await emit(await decryptFile({ ...common, extract: values.extract }), { secret: true });
      return 0;
    case "edit": {
      const result = await editFile(common);
      if (!result.changed) process.stderr.write(`${file}: file unchanged, nothing written\n`);
      return 0;
    }
    case "updatekeys": {
      const result = await updateKeysFile(common);
      if (!result.changed) {
        process.stderr.write(`${file}: already up to date\n`);
        return 0;
      }
      for (const r of result.added) process.stderr.write(`+++ ${r}\n`);
      for (const r of result.removed) process.stderr.write(`--- ${r}\n`);
      await writeFileAtomic(values.output ?? file, result.text);
      process.stderr.write(`${file}: keys updated\n`);
      return 0;
    }
    case "rotate":
      await emit(await rotateFile(common));
      return 0;
    case "filestatus":
      await out(`${JSON.stringify(await fileStatus(common))}\n`);
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\nRun kubeforge-sops --help for usage.\n`);
      process.exit(1);
    }
    if (error instanceof SopsError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exit(error.code === "E_SOPS_IO" && /cannot write/.test(error.reason) ? 3 : EXIT_CODES[error.code]);
    }
    process.stderr.write(
      `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(70);
  },
);
