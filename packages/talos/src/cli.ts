// kubeforge-talos: the only place in this package that prints or exits.
import { parseArgs } from "node:util";
import { describeArgsError, isVersionRequest, versionLine } from "@kubeforge/cli-kit";
import { ConfigError, findDefinitionPath } from "@kubeforge/config";
import { apply } from "./commands/apply.js";
import { type CommandIo, UsageError } from "./commands/context.js";
import { genConfig } from "./commands/gen-config.js";
import { genSecrets } from "./commands/gen-secrets.js";
import { validate } from "./commands/validate.js";
import { TalosError } from "./errors.js";

const USAGE = `Usage: kubeforge-talos <command> [options]

Commands:
  gen secrets      create talos/talsecret.sops.yaml: new PKI, or --from an existing bundle or control-plane
                   config; never overwrites, refuses new PKI while talos/generated/ holds configs
  gen config       write SOPS-encrypted machine configs and talosconfig to talos/generated/ (needs the bundle;
                   refuses when the bundle's CAs differ from those in the existing configs)
  validate FILE…   check machine configs against the official Talos schema (SOPS-encrypted files are decrypted)
  apply            talosctl apply-config per node, each decrypted config on its stdin (never a file)

Options:
  --cluster <file>        cluster definition, a folder holding one, or a name under clusters/; talos/ sits beside
                          the definition [default: the definition in the current folder]
  --from <file>           gen secrets: import a talosctl / talhelper bundle or recover it from a control-plane
                          machine config (plain or SOPS-encrypted) instead of generating one
  --rekey                 gen secrets / gen config: replace the cluster's PKI on purpose; every node must be
                          reset and reinstalled afterwards
  --plaintext             gen config: also write decrypted copies to talos/out/ (mode 0600, own .gitignore)
  --check                 gen config: write nothing; decrypt talos/generated/ in memory and exit 1 naming each file
                          (and the first differing path) that no longer matches the definition and the bundle
  --talos-version <v>     validate: schema version [default: the --cluster's Talos version, else v1.13.9]
  --node <hostname>       apply: only this node (repeatable)
  --insecure              apply: first install to nodes in maintenance mode
  --address <ip>          apply --insecure: the address the node has in maintenance mode (DHCP); one --node only
  --cert-fingerprint <fp> apply --insecure: accept only this server certificate fingerprint (repeatable)
  --mode <mode>           apply: talosctl apply mode: auto, no-reboot, reboot (before Talos 1.14), staged, try
  --dry-run               apply: print the talosctl commands without running them
  --json                  print the result as JSON
  -q, --quiet             print nothing on success
  -h, --help              show this help
  -v, --version           print the version

Bootstrap order: gen secrets → gen config → apply --insecure → talosctl bootstrap (etcd, once)
  → talosctl kubeconfig → Cilium → Flux.

Exit codes: 0 success; 1 invalid definition or config, missing/undecryptable bundle, bundle already exists,
PKI mismatch, schema errors, gen config --check: stale output or no key to check, nothing to apply, talosctl
missing or failed; 2 usage error; 70 internal error.`;

const OPTIONS = {
  cluster: { type: "string" },
  from: { type: "string" },
  plaintext: { type: "boolean" },
  check: { type: "boolean" },
  "talos-version": { type: "string" },
  node: { type: "string", multiple: true },
  insecure: { type: "boolean" },
  address: { type: "string" },
  "cert-fingerprint": { type: "string", multiple: true },
  mode: { type: "string" },
  rekey: { type: "boolean" },
  "dry-run": { type: "boolean" },
  json: { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
}

async function main(argv: string[], io: CommandIo): Promise<number> {
  if (isVersionRequest(argv)) {
    io.out(versionLine("kubeforge-talos", new URL("../package.json", import.meta.url)));
    return 0;
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(describeArgsError(error, OPTIONS, "kubeforge-talos"));
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    io.out(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const [command, sub, ...rest] = positionals;
  const known =
    (command === "gen" && (sub === "secrets" || sub === "config") && rest.length === 0) ||
    command === "validate" ||
    (command === "apply" && positionals.length === 1);
  // Before the definition is looked for: a mistyped command is a usage error wherever it runs.
  if (!known) throw new UsageError(`unknown command: ${positionals.join(" ")}`);
  const options = {
    // A file, a folder holding one or a name under clusters/, as `kubeforge` takes it; a ConfigError names the fix.
    // talos/ sits beside the definition, so commands get the file, never the folder.
    // `validate` reads the definition only when --cluster is given; the other commands always need it.
    cluster: values.cluster === undefined && command === "validate" ? "cluster.ts" : findDefinitionPath(values.cluster),
    from: values.from,
    plaintext: values.plaintext,
    check: values.check,
    talosVersion: values["talos-version"],
    nodes: values.node,
    insecure: values.insecure,
    address: values.address,
    certFingerprints: values["cert-fingerprint"],
    mode: values.mode,
    rekey: values.rekey,
    dryRun: values["dry-run"],
    json: values.json,
    quiet: values.quiet,
  };
  if (command === "validate") {
    return validate(positionals.slice(1), { ...options, clusterGiven: values.cluster !== undefined }, io);
  }
  if (command === "apply") return apply(options, io);
  return sub === "secrets" ? genSecrets(options, io) : genConfig(options, io);
}

const io: CommandIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

main(process.argv.slice(2), io).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    if (error instanceof TalosError || error instanceof ConfigError) {
      io.err(`error: ${error.message}\n`);
      process.exit(1);
    }
    io.err(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(70);
  },
);
