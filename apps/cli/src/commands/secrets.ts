// `kubeforge secrets <verb>`: kubeforge-sops, with the cluster's age key found for files inside a cluster.
import { statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { type CommandIo, defineCommand } from "@kubeforge/cli-kit";
import { AGE_KEY_POINTER, useKeyOfFiles } from "../cluster-args.js";
import { delegateTo, delegateWithHelp, renameInHelp } from "../delegate.js";
import { listEncryptable } from "../recipients.js";

const isFolder = (file: string) => statSync(file, { throwIfNoEntry: false })?.isDirectory() === true;

/** The SOPS files under a folder (flux/ skipped: build copies the secrets into it), sorted. */
async function sopsFilesUnder(dir: string): Promise<string[]> {
  const { isSopsEncrypted, formatFromPath } = await import("@kubeforge/sops");
  const found: string[] = [];
  for (const file of await listEncryptable(dir)) {
    if (isSopsEncrypted(await readFile(file, "utf8"), formatFromPath(file))) found.push(file);
  }
  return found;
}

// kubeforge-sops options of updatekeys that take a value (the value is not a file to update)
const VALUE_OPTIONS = new Set([
  "--output",
  "--input-type",
  "--output-type",
  "--config",
  "--indent",
  "--filename-override",
]);

/** The files and folders of an updatekeys command line: the positionals after the verb, option values skipped. */
function updateTargetsOf(argv: readonly string[]): string[] {
  const found: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (VALUE_OPTIONS.has(arg)) index++;
    else if (!arg.startsWith("-")) found.push(arg);
  }
  return found.slice(1);
}

/**
 * kubeforge-sops' errors and warnings name its own commands (`kubeforge-sops edit <file>`), which know nothing of
 * the cluster's saved key; run as `kubeforge secrets`, they say `kubeforge secrets edit <file>` so they work as
 * printed. Only stderr: stdout carries decrypted data, which must stay byte for byte.
 */
function renameStderr(invocation: string, rewrite: (text: string) => string = (text) => text): void {
  const write = process.stderr.write.bind(process.stderr) as (...args: unknown[]) => boolean;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
    write(
      typeof chunk === "string" ? rewrite(renameInHelp(chunk, "kubeforge-sops", invocation)) : chunk,
      ...rest,
    )) as never;
}

/**
 * kubeforge-sops' lock-out fix says "add your own key to the .sops.yaml rule" and "add the new key's identity to
 * SOPS_AGE_KEY_FILE". Run as `kubeforge secrets` with the cluster's saved key, SOPS_AGE_KEY_FILE is not what is
 * read (the saved key wins), and the rule must match cluster.ts: name the file that is read and both places.
 */
function savedKeyAdvice(saved: { clusterDir: string; keyFile: string } | undefined): (text: string) => string {
  if (!saved) return (text) => text;
  const pointer = path.relative(process.cwd(), path.join(saved.clusterDir, AGE_KEY_POINTER));
  const definition = path.relative(process.cwd(), path.join(saved.clusterDir, "cluster.ts"));
  return (text) =>
    text
      .replace(
        "add the new key's identity to SOPS_AGE_KEY_FILE first",
        `add the new key's identity to ${saved.keyFile} first (the key file ${pointer} names, which kubeforge secrets reads instead of SOPS_AGE_KEY_FILE)`,
      )
      .replace(
        "add your own key to the .sops.yaml rule next to the new one",
        `add your own key back next to the new one, in the .sops.yaml rule and in sops.ageRecipients of ${definition}`,
      );
}

/** The value of `--config <file>` / `--config=<file>`, if given. */
function configFlagOf(argv: readonly string[]): string | undefined {
  for (const [index, arg] of argv.entries()) {
    if (arg.startsWith("--config=")) return arg.slice("--config=".length);
    if (arg === "--config") return argv[index + 1];
  }
  return undefined;
}

/**
 * `updatekeys <file|folder>…`: a folder stands for every SOPS file in it, so a teammate's new key reaches all of a
 * cluster's secrets and Talos files in one kubeforge-sops run. That run checks every file before it writes one
 * (a lock-out changes nothing, exit 40) and asks "Is this okay? (y/n)" on a terminal unless -y. First, for files
 * inside a cluster, the .sops.yaml rule must name the cluster's sops.ageRecipients (what build checks them against).
 */
async function updateKeys(argv: readonly string[], io: CommandIo) {
  const targets = updateTargetsOf(argv);
  const expanded = new Map<string, string[]>();
  for (const target of targets) {
    if (!isFolder(target)) continue;
    const found = await sopsFilesUnder(target);
    if (found.length === 0) {
      io.err(`error: ${target}: no SOPS-encrypted file in this folder\n`);
      return 1;
    }
    expanded.set(
      target,
      found.map((file) => path.relative(process.cwd(), file)),
    );
  }
  const args = argv.flatMap((arg) => expanded.get(arg) ?? [arg]);
  const files = targets.flatMap((target) => expanded.get(target) ?? [target]);
  const saved = await useKeyOfFiles(files, { hint: "run kubeforge secrets updatekeys once per cluster" });
  renameStderr("kubeforge secrets", savedKeyAdvice(saved));
  const { assertRulesMatchClusters } = await import("../secrets/rule-recipients.js");
  await assertRulesMatchClusters(files, { configPath: configFlagOf(argv) });
  return delegateTo("@kubeforge/sops", "kubeforge-sops", args);
}

export default defineCommand({
  name: "secrets",
  description: "SOPS (age) for the cluster's secrets; byte-compatible with sops 3.13 and Flux.",
  usage: "secrets <encrypt|decrypt|edit|updatekeys|rotate|filestatus> [options] <file>",
  passThrough: true,
  footer: `Verbs:
  encrypt <file>      encrypt a plaintext file (keys and rules from .sops.yaml); refuses (exit 1, nothing
                      written) when the rule's selection encrypts none of a document's values
  decrypt <file>      decrypt a sops file
  edit <file>         decrypt into $EDITOR and re-encrypt if changed
  updatekeys <file>   re-wrap the data key for the recipients the matching .sops.yaml rule names
                      (a folder: every SOPS file in it, e.g. clusters/mine after adding a teammate's key);
                      refuses when the rule differs from cluster.ts sops.ageRecipients, or when none of your
                      keys could decrypt the result (exit 40; --allow-lockout if someone else holds the new key);
                      asks "Is this okay? (y/n)" on a terminal unless -y
  rotate <file>       re-encrypt everything under a new data key
  filestatus <file>   print {"encrypted":true|false}

\`kubeforge secrets <verb> --help\` lists every option (it is kubeforge-sops). For a file inside a cluster
folder the age key \`kubeforge init\` used is found automatically.`,
  async run({ argv, io }) {
    // No verb, or a verb without its file: usage (exit 2) instead of kubeforge-sops' own help or a silent success.
    const positional = argv.filter((arg) => !arg.startsWith("-"));
    const asksHelp = argv.includes("--help") || argv.includes("-h");
    if (!asksHelp && positional.length < 2) {
      const verbs = "encrypt|decrypt|edit|updatekeys|rotate|filestatus";
      io.err(
        positional.length === 0
          ? `error: secrets needs a verb and a file\nusage: kubeforge secrets <${verbs}> [options] <file>\n`
          : `error: secrets ${positional[0]} needs a file\nusage: kubeforge secrets ${positional[0]} [options] <file>\n`,
      );
      return 2;
    }
    const targets = positional.slice(1);
    if (asksHelp) return delegateWithHelp("@kubeforge/sops", "kubeforge-sops", argv, "kubeforge secrets");
    if (positional[0] === "updatekeys") return updateKeys(argv, io);
    renameStderr("kubeforge secrets");
    await useKeyOfFiles(targets, { hint: `run kubeforge secrets ${positional[0]} once per cluster` });
    // a file under a cluster's secrets/ is never meant to stay plaintext: a rule that selects none of its values
    // (e.g. encrypted_regex ^(data|stringdata)$ on stringData) is refused instead of written as a "*.sops.yaml"
    const args =
      positional[0] === "encrypt" && !argv.includes("--require-encrypted") ? [...argv, "--require-encrypted"] : argv;
    return delegateTo("@kubeforge/sops", "kubeforge-sops", args);
  },
});
