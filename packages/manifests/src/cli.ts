// kubeforge-manifests: renders a cluster's Flux tree. The only place in this package that prints or exits.
import { parseArgs } from "node:util";
import { describeArgsError, isVersionRequest, versionLine } from "@kubeforge/cli-kit";
import { ConfigError, findDefinitionPath, formatIssue } from "@kubeforge/config";
import { buildCluster, objectCount } from "./build.js";
import { PlaintextSecretError } from "./secrets.js";
import { UnsafePathError, WriteConflictError } from "./writer/errors.js";

const USAGE = `Usage: kubeforge-manifests build [options]

Renders a cluster definition into the folder Flux reconciles.

Options:
  --cluster <file>  cluster definition (cluster.ts, cluster.yaml or cluster.json), a folder holding one, or a
                    name under clusters/ [default: the definition in the current folder]
  --out <dir>       output folder [default: flux/ beside the definition]
  --check           change nothing; exit 1 if the folder is not up to date
  --json            print the result as JSON
  -q, --quiet       print nothing on success
  -h, --help        show this help
  -v, --version     print the version

Exit codes: 0 success, 1 invalid definition / conflict / out of date, 2 usage error, 70 internal error.`;

class UsageError extends Error {}

const OPTIONS = {
  cluster: { type: "string" },
  out: { type: "string" },
  check: { type: "boolean" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

async function main(argv: string[]): Promise<number> {
  if (isVersionRequest(argv)) {
    process.stdout.write(versionLine("kubeforge-manifests", new URL("../package.json", import.meta.url)));
    return 0;
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(describeArgsError(error, OPTIONS, "kubeforge-manifests"));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const command = positionals[0] ?? "build";
  if (command !== "build" || positionals.length > 1) throw new UsageError(`unknown command: ${positionals.join(" ")}`);

  // A file, a folder holding one or a name under clusters/, as `kubeforge` takes it; a ConfigError names the fix.
  const cluster = findDefinitionPath(values.cluster);
  const result = await buildCluster({ cluster, out: values.out, dryRun: values.check });
  for (const warning of result.warnings) process.stderr.write(`warning: ${formatIssue(warning, cluster)}\n`);
  const changed = [result, result.bootstrap].some((part) => part.written.length > 0 || part.removed.length > 0);
  const stale = values.check === true && changed;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...result, upToDate: !stale }, null, 2)}\n`);
  } else if (values.check && stale) {
    process.stderr.write(
      `${result.out} is out of date (${result.written.length + result.bootstrap.written.length} to write, ${result.removed.length + result.bootstrap.removed.length} to remove): run \`pnpm turbo build\`\n`,
    );
  } else if (!values.quiet) {
    const written = result.written.length + result.bootstrap.written.length;
    const removed = result.removed.length + result.bootstrap.removed.length;
    const verb = values.check ? "is up to date" : `written (${written} changed, ${removed} removed)`;
    process.stdout.write(`${result.name}: ${objectCount(result)} in ${result.out} ${verb}\n`);
  }
  return stale ? 1 : 0;
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    if (
      error instanceof ConfigError ||
      error instanceof WriteConflictError ||
      error instanceof UnsafePathError ||
      error instanceof PlaintextSecretError
    ) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(
      `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(70);
  },
);
