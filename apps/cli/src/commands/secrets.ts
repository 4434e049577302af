// `kubeforge secrets <verb>`: kubeforge-sops, with the cluster's age key found for files inside a cluster.
import { statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { type CommandIo, defineCommand } from "@kubeforge/cli-kit";
import { clusterDirOf, useClusterAgeKey, useKeyOfFiles } from "../cluster-args.js";
import { binFile, delegateWithHelp } from "../delegate.js";
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

/**
 * `updatekeys <folder>…`: every SOPS file under each folder, one kubeforge-sops run per file (it takes one
 * file), so a teammate's new key reaches all of a cluster's secrets and Talos files in one command.
 */
async function updateKeysInFolders(
  argv: readonly string[],
  targets: readonly string[],
  io: CommandIo,
): Promise<number> {
  const options = argv.filter((arg) => arg.startsWith("-"));
  const files: string[] = [];
  for (const target of targets) {
    if (!isFolder(target)) {
      files.push(target);
      continue;
    }
    const found = await sopsFilesUnder(target);
    if (found.length === 0) {
      io.err(`error: ${target}: no SOPS-encrypted file in this folder\n`);
      return 1;
    }
    files.push(...found);
  }
  const { execa } = await import("execa");
  const sops = binFile("@kubeforge/sops", "kubeforge-sops");
  let failed = 0;
  for (const [index, file] of files.entries()) {
    const dir = clusterDirOf(file);
    if (dir) useClusterAgeKey(dir);
    io.err(`[${index + 1}/${files.length}] ${path.relative(process.cwd(), file)}\n`);
    const result = await execa(process.execPath, [sops, "updatekeys", ...options, file], {
      stdio: ["ignore", "inherit", "inherit"],
      reject: false,
    });
    if (result.exitCode !== 0) failed += 1;
  }
  io.err(
    failed === 0
      ? `updatekeys: ${files.length} file${files.length === 1 ? "" : "s"} checked\n`
      : `error: updatekeys failed for ${failed} of ${files.length} files (see above); the others are done\n`,
  );
  return failed === 0 ? 0 : 1;
}

export default defineCommand({
  name: "secrets",
  description: "SOPS (age) for the cluster's secrets; byte-compatible with sops 3.13 and Flux.",
  usage: "secrets <encrypt|decrypt|edit|updatekeys|rotate|filestatus> [options] <file>",
  passThrough: true,
  footer: `Verbs:
  encrypt <file>      encrypt a plaintext file (keys and rules from .sops.yaml)
  decrypt <file>      decrypt a sops file
  edit <file>         decrypt into $EDITOR and re-encrypt if changed
  updatekeys <file>   re-wrap the data key for the recipients the matching .sops.yaml rule names
                      (a folder: every SOPS file in it, e.g. clusters/mine after adding a teammate's key)
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
    if (positional[0] === "updatekeys" && !asksHelp && targets.some(isFolder))
      return updateKeysInFolders(argv, targets, io);
    await useKeyOfFiles(targets, { hint: `run kubeforge secrets ${positional[0]} once per cluster` });
    return delegateWithHelp("@kubeforge/sops", "kubeforge-sops", argv, "kubeforge secrets");
  },
});
