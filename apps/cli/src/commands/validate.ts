// `kubeforge validate [cluster…]`: kubeforge-validate over cluster folders; a folder of clusters validates each.
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineCommand } from "@kubeforge/cli-kit";
import { savedAgeKeyOf, useClusterAgeKey } from "../cluster-args.js";
import { findClusterArgument } from "../cluster-usage.js";
import { binFile, delegateTo } from "../delegate.js";

const validateBin = () => binFile("@kubeforge/validate", "kubeforge-validate");

const DEFINITIONS = ["cluster.ts", "cluster.yaml", "cluster.yml", "cluster.json"];
const hasDefinition = (dir: string) => DEFINITIONS.some((name) => existsSync(path.join(dir, name)));

/**
 * No target: the current folder, except at the repository root, where it means clusters/ (the root also holds the
 * packages' test fixtures, which are not clusters).
 */
export function defaultTarget(cwd: string): string {
  const atRoot = existsSync(path.join(cwd, "pnpm-workspace.yaml")) && existsSync(path.join(cwd, "clusters"));
  return atRoot
    ? path.relative(process.cwd(), path.join(cwd, "clusters")) || "."
    : path.relative(process.cwd(), cwd) || ".";
}

/** A target's cluster folders: a cluster folder or file, each cluster in a folder of clusters, or a name. */
export async function expandTargets(targets: readonly string[], cwd = process.cwd()): Promise<string[]> {
  const dirs: string[] = [];
  for (const target of targets.length ? targets : [defaultTarget(cwd)]) {
    const isDir = statSync(target, { throwIfNoEntry: false })?.isDirectory();
    if (isDir && !hasDefinition(target) && !existsSync(path.join(target, "flux"))) {
      const inside = readdirSync(target)
        .map((name) => path.join(target, name))
        .filter((dir) => statSync(dir).isDirectory() && hasDefinition(dir))
        .sort();
      if (inside.length > 0) {
        dirs.push(...inside);
        continue;
      }
    }
    if (isDir) {
      dirs.push(target);
      continue;
    }
    // a name that is no cluster: exit 2 (usage), as kubeforge-validate and the help say
    dirs.push(path.relative(process.cwd(), path.dirname(await findClusterArgument(target))) || ".");
  }
  return dirs;
}

/**
 * Cluster folders grouped by the age key source each must be validated with, in order of first appearance: its own
 * saved key, or (`key: undefined`) the user's environment as it is. A cluster never borrows another cluster's key.
 */
export function groupByAgeKey(
  dirs: readonly string[],
  savedKey: (dir: string) => string | undefined,
): { key: string | undefined; dirs: string[] }[] {
  const groups: { key: string | undefined; dirs: string[] }[] = [];
  for (const dir of dirs) {
    const key = savedKey(dir);
    const group = groups.find((entry) => entry.key === key);
    if (group) group.dirs.push(dir);
    else groups.push({ key, dirs: [dir] });
  }
  return groups;
}

/**
 * The files kubeforge-validate reported as not checked for want of a key: each report's `notChecked`, from its --json
 * document (printed with --json, else written with --json-file). Pure; the wording of the findings does not matter.
 */
export function uncheckedFiles(jsonDocument: string): string[] {
  let body: { reports?: { notChecked?: { file: string }[] }[] };
  try {
    body = JSON.parse(jsonDocument) as typeof body;
  } catch {
    // Not one JSON document (e.g. a stopped run): nothing to count.
    return [];
  }
  return (body.reports ?? []).flatMap((report) => (report.notChecked ?? []).map((entry) => entry.file));
}

/** The closing lines for files that could not be checked: the count, the clusters they belong to, the fix. Pure. */
export function describeUnchecked(files: readonly string[], dirs: readonly string[], strict: boolean): string {
  if (files.length === 0) return "";
  const byCluster = new Map<string, number>();
  for (const file of files) {
    const owner = dirs.find((dir) => {
      const relative = path.relative(path.resolve(dir), path.resolve(file));
      return !relative.startsWith("..") && !path.isAbsolute(relative);
    });
    const name = owner ? path.relative(process.cwd(), owner) || "." : path.dirname(file);
    byCluster.set(name, (byCluster.get(name) ?? 0) + 1);
  }
  const list = [...byCluster].map(([dir, count]) => `${dir} (${count})`).join(", ");
  return (
    `${files.length} file${files.length === 1 ? "" : "s"} NOT checked (no key): SOPS-encrypted Talos configs of ${list}${strict ? "" : " — a warning; --strict fails the run on it"}\n` +
    "  fix: give each cluster its age key: the one its .kubeforge/age-key-file names, else SOPS_AGE_KEY_FILE or SOPS_AGE_KEY\n"
  );
}

/**
 * kubeforge-validate --json of each key group as one document, as a single run prints it, plus `notChecked` (the files
 * no key opened). A group that stopped with an error is printed as it is. Pure.
 */
export function mergeJsonReports(outputs: readonly string[], exitCode: number, notChecked: readonly string[]): string {
  const reports: unknown[] = [];
  for (const output of outputs) {
    let body: { reports?: unknown[] } | undefined;
    try {
      body = JSON.parse(output) as { reports?: unknown[] };
    } catch {
      body = undefined;
    }
    if (!body || !Array.isArray(body.reports)) return output.endsWith("\n") || !output ? output : `${output}\n`;
    reports.push(...body.reports);
  }
  return `${JSON.stringify({ reports, exitCode, notChecked }, null, 2)}\n`;
}

/** kubeforge-validate's options that take a value; every other `-…` argument is a flag passed on as is. */
const VALUE_OPTIONS = new Set(["--config", "--source-root", "--kubeconfig", "--context", "--json-file"]);

/** Splits arguments into kubeforge-validate's options and the cluster targets (pure). */
export function splitValidateArgs(argv: readonly string[]): { flags: string[]; targets: string[] } {
  const flags: string[] = [];
  const targets: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (!arg.startsWith("-")) targets.push(arg);
    // `--cluster <x>` as the package CLIs take it: the same as the <cluster> argument
    else if (arg === "--cluster" && index + 1 < argv.length) targets.push(argv[++index]!);
    else if (arg.startsWith("--cluster=")) targets.push(arg.slice("--cluster=".length));
    else if (VALUE_OPTIONS.has(arg) && index + 1 < argv.length) flags.push(arg, argv[++index]!);
    else flags.push(arg);
  }
  return { flags, targets };
}

/** Removes `--json-file <file>` (or `=<file>`) from `flags` and returns the file; the last one wins, as in parseArgs. */
export function takeJsonFile(flags: string[]): string | undefined {
  let file: string | undefined;
  for (let index = 0; index < flags.length; ) {
    const arg = flags[index]!;
    if (arg === "--json-file" && index + 1 < flags.length) {
      file = flags[index + 1];
      flags.splice(index, 2);
    } else if (arg.startsWith("--json-file=")) {
      file = arg.slice("--json-file=".length);
      flags.splice(index, 1);
    } else index++;
  }
  return file;
}

export default defineCommand({
  name: "validate",
  description:
    "Validate cluster folders: schemas, Flux graph, kustomize builds, policies, SOPS recipients, Talos configs,\nand the charts HelmReleases name (from their repositories or the cache).",
  usage: "validate [<cluster>…] [options]",
  passThrough: true,
  options: {
    cluster: {
      type: "string",
      multiple: true,
      value: "<cluster>",
      description: "a cluster to validate, as the <cluster> argument (the package CLIs' form)",
    },
    json: { type: "boolean", description: "machine-readable output" },
    strict: { type: "boolean", description: "warnings fail the run too" },
    "no-kustomize": { type: "boolean", description: "skip the `kubectl kustomize` build of Flux paths" },
    offline: { type: "boolean", description: "check charts from the cache only" },
    "no-charts": { type: "boolean", description: "skip the chart check" },
    outdated: { type: "boolean", description: "list newer chart versions and Talos/Kubernetes patches" },
    config: { type: "string", value: "<file>", description: "validate.yaml with crds and exceptions" },
    "source-root": { type: "string", value: "<dir>", description: "folder Flux paths are relative to" },
    live: { type: "boolean", description: "also report drift and Flux objects not Ready in the current cluster" },
    kubeconfig: { type: "string", value: "<file>", description: "kubeconfig for --live" },
    context: { type: "string", value: "<name>", description: "kubeconfig context" },
    "json-file": { type: "string", value: "<file>", description: "also write the --json document to <file>" },
  },
  footer:
    "<cluster> is a cluster folder, its cluster.ts, a name under clusters/, or a folder of clusters (each is validated);\nwithout one: clusters/ at the repository root, else the current folder. Each cluster is decrypted with its own\nsaved age key (.kubeforge/age-key-file), a cluster without one with SOPS_AGE_KEY_FILE / SOPS_AGE_KEY. Encrypted\nTalos configs no key opens are warnings, counted at the end as NOT checked; --strict fails the run on them.\nEvery option of kubeforge-validate is passed on. Exit codes: 0 clean, 1 findings, 2 usage or internal error.",
  async run({ argv }) {
    const { flags, targets } = splitValidateArgs(argv);
    if (flags.includes("--help") || flags.includes("-h"))
      return delegateTo("@kubeforge/validate", "kubeforge-validate", [...flags, ...targets]);
    const dirs = await expandTargets(targets);
    // One kubeforge-validate per key source, each with exactly that source: a cluster's saved key, or the user's
    // environment unchanged for clusters without one.
    const { execa } = await import("execa");
    const json = flags.includes("--json");
    // Each group writes its JSON document here; the user's own --json-file gets the merged one at the end.
    const userJsonFile = takeJsonFile(flags);
    const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-validate-"));
    const reportFile = path.join(scratch, "report.json");
    let code = 0;
    const unchecked: string[] = [];
    const outputs: string[] = [];
    try {
      for (const group of groupByAgeKey(dirs, savedAgeKeyOf)) {
        const env = { ...process.env };
        // Without a saved key this changes nothing, but names a saved pointer whose key file is gone.
        for (const dir of group.key ? group.dirs.slice(0, 1) : group.dirs) useClusterAgeKey(dir, env);
        rmSync(reportFile, { force: true });
        const child = execa(process.execPath, [validateBin(), ...flags, "--json-file", reportFile, ...group.dirs], {
          env,
          extendEnv: false,
          stdin: "inherit",
          stdout: "pipe",
          stderr: "inherit",
          reject: false,
          encoding: "utf8",
        });
        let output = "";
        child.stdout?.on("data", (chunk: Buffer | string) => {
          output += String(chunk);
          // --json: one document for all groups, written below.
          if (!json) process.stdout.write(chunk);
        });
        const result = await child;
        code = Math.max(code, result.exitCode ?? 2);
        const document = existsSync(reportFile) ? readFileSync(reportFile, "utf8") : "";
        unchecked.push(...uncheckedFiles(document));
        outputs.push(json ? output : document);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    const merged = mergeJsonReports(outputs, code, unchecked);
    if (userJsonFile && merged) {
      writeFileSync(`${userJsonFile}.${process.pid}.tmp`, merged);
      renameSync(`${userJsonFile}.${process.pid}.tmp`, userJsonFile);
    }
    if (json) process.stdout.write(merged);
    process.stderr.write(describeUnchecked(unchecked, dirs, flags.includes("--strict")));
    return code;
  },
});
