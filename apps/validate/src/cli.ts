// kubeforge-validate: the only place that prints and exits. Exit codes: 0 clean, 1 findings, 2 usage/internal.

import { renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { describeArgsError, isVersionRequest, versionLine } from "@kubeforge/cli-kit";
import { ConfigError, formatIssue, loadCluster } from "@kubeforge/config";
import { formatOutdated, type OutdatedEntry, outdatedCharts, outdatedReleases } from "./charts/outdated.js";
import { ValidateError } from "./errors.js";
import type { Finding } from "./finding.js";
import { kubectlKustomize } from "./kustomize/kustomize-build.js";
import { prefetchKustomize } from "./kustomize/prefetch.js";
import { EXIT_ERROR, exitCodeFor } from "./report/exit-code.js";
import { formatHumanReport } from "./report/format-human.js";
import { clusterDirsOf, resolveLayout } from "./tree/cluster-layout.js";
import { loadDocuments } from "./tree/load-documents.js";
import type { ValidationReport } from "./validate-tree.js";

const USAGE = `Usage:
  kubeforge-validate [options] <cluster-dir>...   validate clusters/<name> (flux/, talos/, cluster.ts) offline,
                                                  charts from their repositories or the cache;
                                                  a folder of clusters (clusters/) validates each one
  kubeforge-validate doctor [options]            node, pod, event and Flux health of the current cluster

Options:
  --json                 machine-readable output
  --json-file <file>     also write the --json document to <file> (the report stays human on stdout)
  --strict               warnings fail the run too
  --no-kustomize         skip the \`kubectl kustomize\` build of Flux Kustomization paths
  --offline              check charts from the cache only (say which could not be checked)
  --no-charts            skip the chart check (versions, digests and values against the real charts)
  --outdated             list newer chart versions and Talos/Kubernetes patches per component
  --config <file>        validate.yaml with crds and exceptions (default: <cluster-dir>/validate.yaml)
  --source-root <dir>    folder Flux paths are relative to (default: inferred from the tree)
  --live                 also report drift and Flux objects not Ready in the current cluster
  --kubeconfig <file>    kubeconfig for --live and doctor (default: $KUBECONFIG, ~/.kube/config)
  --context <name>       kubeconfig context (default: the current one)
  --talosconfig <file>   doctor: also check Talos services and etcd members via talosctl (default: $TALOSCONFIG)
  -h, --help             show this help
  -v, --version          print the version

Exit codes: 0 clean, 1 findings, 2 usage or internal error.
`;

const OPTIONS = {
  json: { type: "boolean", default: false },
  "json-file": { type: "string" },
  strict: { type: "boolean", default: false },
  "no-kustomize": { type: "boolean", default: false },
  offline: { type: "boolean", default: false },
  "no-charts": { type: "boolean", default: false },
  outdated: { type: "boolean", default: false },
  config: { type: "string" },
  "source-root": { type: "string" },
  live: { type: "boolean", default: false },
  kubeconfig: { type: "string" },
  context: { type: "string" },
  talosconfig: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
}

type Args = ReturnType<typeof parse>;

function kubeOptions(args: Args) {
  return {
    ...(args.values.kubeconfig ? { kubeconfig: args.values.kubeconfig } : {}),
    ...(args.values.context ? { context: args.values.context } : {}),
  };
}

// The Kubernetes client costs half a second to load: only live mode and doctor import it.
const loadLive = () =>
  Promise.all([
    import("@kubernetes/client-node"),
    import("./live/check-live.js"),
    import("./live/doctor.js"),
    import("./live/kube-client.js"),
    import("./live/doctor/report.js"),
  ]).then(([client, { checkLive }, { runDoctor }, { openKubeConfig }, { formatDoctorReport }]) => ({
    client,
    checkLive,
    runDoctor,
    openKubeConfig,
    formatDoctorReport,
  }));

function talosOption(args: Args) {
  const talosconfig = args.values.talosconfig ?? process.env.TALOSCONFIG;
  return talosconfig ? { talos: { talosconfig } } : {};
}

async function doctor(args: Args): Promise<number> {
  const { client, runDoctor, openKubeConfig, formatDoctorReport } = await loadLive();
  const { AppsV1Api, CoreV1Api, CustomObjectsApi } = client;
  const config = openKubeConfig(kubeOptions(args));
  const findings = await runDoctor(
    {
      core: config.makeApiClient(CoreV1Api),
      custom: config.makeApiClient(CustomObjectsApi),
      apps: config.makeApiClient(AppsV1Api),
    },
    talosOption(args),
  ).catch((error: unknown) => {
    // A silent API server keeps its socket open after the deadline fired: end the process once it is reported.
    setTimeout(() => process.exit(EXIT_ERROR), 500).unref();
    throw error;
  });
  if (args.values.json) {
    process.stdout.write(`${JSON.stringify({ context: config.getCurrentContext(), findings }, null, 2)}\n`);
  } else {
    process.stdout.write(
      formatDoctorReport(`kubeforge-validate doctor (context ${config.getCurrentContext()})`, findings),
    );
  }
  return exitCodeFor(findings, { strict: args.values.strict });
}

/** Writes the --json document to `--json-file` whole or not at all: a reader never sees half a report. */
function writeJsonFile(file: string, text: string): void {
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, text);
  renameSync(partial, file);
}

/** `--json-file`'s value from raw arguments, for the error path where parsing may have failed. */
function jsonFileArg(argv: readonly string[]): string | undefined {
  for (const [index, arg] of argv.entries()) {
    if (arg === "--json-file") return argv[index + 1];
    if (arg.startsWith("--json-file=")) return arg.slice("--json-file=".length);
  }
  return undefined;
}

function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? "" : "s"}`;
}

function describeReport(report: ValidationReport): string[] {
  return [
    `${count(report.stats.objects, "object")} in ${count(report.stats.files, "file")}${report.stats.talosDocuments ? `, ${count(report.stats.talosDocuments, "Talos document")}` : ""}`,
    `schemas: Kubernetes ${report.kubernetesSchemas}${report.kubernetesVersion ? ` (cluster runs ${report.kubernetesVersion})` : ""} + bundled Flux/prometheus-operator CRDs + CRDs in the tree`,
    `Flux paths built with: ${report.kustomize}`,
  ];
}

/** `--outdated`: newer chart versions per HelmRelease and newer Talos/Kubernetes releases per cluster. */
async function outdated(args: Args): Promise<number> {
  if (args.values.offline)
    throw new ValidateError("E_USAGE", "--outdated reads the chart repositories", "run it without --offline");
  const reports: { target: string; entries: OutdatedEntry[] }[] = [];
  for (const dir of args.positionals) {
    const layout = resolveLayout(dir);
    const loaded = await loadDocuments(layout.fluxDir, { displayBase: process.cwd() });
    const model = layout.modelFile;
    const cluster = model
      ? await loadCluster(model).then(
          (result) => result.cluster,
          (error: unknown) => {
            // A ConfigError's first line only says the file is invalid: show its first issue (line:col, path).
            const issue = error instanceof ConfigError ? error.issues[0] : undefined;
            throw new ValidateError(
              "E_CONFIG",
              issue
                ? formatIssue(issue, model)
                : `${model}: ${String((error as Error)?.message ?? error).split("\n")[0]}`,
              "fix the cluster definition; `kubeforge-validate` without --outdated lists every problem",
            );
          },
        )
      : undefined;
    const entries = [...(cluster ? outdatedReleases(cluster) : []), ...(await outdatedCharts(loaded.documents))];
    reports.push({ target: path.relative(process.cwd(), layout.clusterDir) || ".", entries });
  }
  if (args.values.json) process.stdout.write(`${JSON.stringify({ reports }, null, 2)}\n`);
  else
    for (const report of reports)
      process.stdout.write(formatOutdated(`kubeforge-validate --outdated ${report.target}`, report.entries));
  return 0;
}

async function validate(args: Args): Promise<number> {
  const dirs = args.positionals;
  if (dirs.length === 0)
    throw new ValidateError("E_USAGE", "no cluster directory given", "e.g. kubeforge-validate clusters/homelab");
  if (args.values.outdated) return outdated(args);
  const live = args.values.live ? await loadLive() : undefined;
  const kubeConfig = live?.openKubeConfig(kubeOptions(args));
  const reports: { report: ValidationReport; live: Finding[] }[] = [];
  const clusterDirs = dirs.flatMap(clusterDirsOf);
  // Kustomize children start first and run while the heavy modules load and the trees are checked.
  const kubectl = args.values["no-kustomize"] ? undefined : kubectlKustomize();
  const builds = await Promise.all(
    clusterDirs.map((dir) =>
      kubectl
        ? prefetchKustomize({
            dir,
            build: kubectl,
            ...(args.values["source-root"] ? { sourceRoot: args.values["source-root"] } : {}),
          })
        : undefined,
    ),
  );
  const { validateTree } = await import("./validate-tree.js");
  const { RULES } = await import("./rules/index.js");
  const { chartRule } = await import("./charts/check-charts.js");
  for (const [index, dir] of clusterDirs.entries()) {
    const report = await validateTree({
      dir,
      kustomize: builds[index] ?? false,
      ...(args.values.config ? { config: args.values.config } : {}),
      ...(args.values["source-root"] ? { sourceRoot: args.values["source-root"] } : {}),
      ...(args.values["no-charts"] ? {} : { rules: [...RULES, chartRule({ offline: args.values.offline })] }),
    });
    reports.push({ report, live: live && kubeConfig ? await live.checkLive({ dir, kubeConfig }) : [] });
  }
  const all = reports.flatMap(({ report, live }) => [...report.findings, ...live]);
  if (args.values.json || args.values["json-file"]) {
    const body = reports.map(({ report, live }) => ({ ...report, ...(kubeConfig ? { live } : {}) }));
    const text = `${JSON.stringify({ reports: body, exitCode: exitCodeFor(all, { strict: args.values.strict }) }, null, 2)}\n`;
    if (args.values["json-file"]) writeJsonFile(args.values["json-file"], text);
    if (args.values.json) process.stdout.write(text);
  }
  if (!args.values.json) {
    for (const { report, live } of reports) {
      const title = `kubeforge-validate ${report.target}${report.cluster ? ` (cluster ${report.cluster})` : ""}${kubeConfig ? ` + live (context ${kubeConfig.getCurrentContext()})` : ""}`;
      process.stdout.write(
        formatHumanReport({
          title,
          details: describeReport(report),
          findings: [...report.findings, ...live],
          suppressed: report.suppressed,
        }),
      );
    }
  }
  return exitCodeFor(all, { strict: args.values.strict });
}

async function main(argv: string[]): Promise<number> {
  if (isVersionRequest(argv)) {
    process.stdout.write(versionLine("kubeforge-validate", new URL("../package.json", import.meta.url)));
    return 0;
  }
  let args: Args;
  try {
    args = parse(argv);
  } catch (error) {
    throw new ValidateError("E_USAGE", describeArgsError(error, OPTIONS), "see the options below");
  }
  if (args.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.positionals[0] === "doctor") {
    if (args.positionals.length > 1)
      throw new ValidateError("E_USAGE", "doctor takes no directory", "run `kubeforge-validate doctor`");
    return doctor(args);
  }
  return validate(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A tool that asked for JSON gets JSON on stdout (and in --json-file) for a stopped run too, not an empty stream.
    const jsonFile = jsonFileArg(process.argv.slice(2));
    if (process.argv.includes("--json") || jsonFile) {
      const known = error instanceof ValidateError;
      const body = {
        error: {
          code: known ? error.code : "E_INTERNAL",
          message: known ? error.message : `internal error: ${(error as Error)?.message ?? String(error)}`,
          ...(known && error.hint ? { hint: error.hint } : {}),
        },
        exitCode: EXIT_ERROR,
      };
      const text = `${JSON.stringify(body, null, 2)}\n`;
      if (process.argv.includes("--json")) process.stdout.write(text);
      if (jsonFile) {
        try {
          writeJsonFile(jsonFile, text);
        } catch {
          // The error below is what the user needs; a second one about the report file would hide it.
        }
      }
    }
    if (error instanceof ValidateError) {
      process.stderr.write(`kubeforge-validate: ${error.message}${error.hint ? ` — ${error.hint}` : ""}\n`);
      if (error.code === "E_USAGE") process.stderr.write(`\n${USAGE}`);
    } else {
      process.stderr.write(`kubeforge-validate: internal error\n${(error as Error)?.stack ?? String(error)}\n`);
    }
    process.exitCode = EXIT_ERROR;
  },
);
