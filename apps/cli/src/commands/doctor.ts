// `kubeforge doctor [<cluster>]`: kubeforge-validate doctor (nodes, pods, warning events, Flux readiness). With a
// cluster, it reads the kubeconfig (and talosconfig) `kubeforge bootstrap` wrote under <cluster>/.kubeforge/.
import { existsSync } from "node:fs";
import path from "node:path";
import { defineCommand } from "@kubeforge/cli-kit";
import { findClusterArgument } from "../cluster-usage.js";
import { delegateTo } from "../delegate.js";
import { CliError } from "../errors.js";

/** kubeforge-validate doctor's options that take a value. */
const VALUE_OPTIONS = new Set(["--kubeconfig", "--context", "--talosconfig"]);

/** doctor's arguments for kubeforge-validate: a cluster positional becomes its bootstrap kubeconfig/talosconfig. */
export async function doctorArgs(argv: readonly string[]): Promise<string[]> {
  const flags: string[] = [];
  const targets: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (!arg.startsWith("-")) targets.push(arg);
    else if (VALUE_OPTIONS.has(arg) && index + 1 < argv.length) flags.push(arg, argv[++index]!);
    else flags.push(arg);
  }
  if (targets.length > 1) throw new CliError("E_USAGE", "doctor takes one cluster", "e.g. kubeforge doctor homelab");
  const [target] = targets;
  if (!target) return ["doctor", ...flags];
  const stateDir = path.join(path.dirname(await findClusterArgument(target)), ".kubeforge");
  const has = (name: string) => flags.some((flag) => flag === name || flag.startsWith(`${name}=`));
  const extra: string[] = [];
  if (!has("--kubeconfig")) {
    const kubeconfig = path.join(stateDir, "kubeconfig");
    if (!existsSync(kubeconfig))
      throw new CliError(
        "E_INPUT",
        `${path.relative(process.cwd(), kubeconfig)} does not exist`,
        `run \`kubeforge bootstrap ${target}\` first, or pass --kubeconfig <file>`,
        // "2 error" in the help: nothing was checked (1 is for findings)
        { exitCode: 2 },
      );
    extra.push("--kubeconfig", kubeconfig);
  }
  const talosconfig = path.join(stateDir, "talosconfig");
  if (!has("--talosconfig") && existsSync(talosconfig)) extra.push("--talosconfig", talosconfig);
  return ["doctor", ...extra, ...flags];
}

export default defineCommand({
  name: "doctor",
  description: "Node, pod, warning-event and Flux health of a cluster.",
  usage: "doctor [<cluster>] [--kubeconfig <file>] [--context <name>] [--talosconfig <file>] [--json] [--strict]",
  maxPositionals: 1,
  passThrough: true,
  footer:
    "With <cluster> (folder, cluster.ts or name under clusters/): the kubeconfig and talosconfig `kubeforge bootstrap` wrote\nin <cluster>/.kubeforge/. Without: $KUBECONFIG, ~/.kube/config. Exit codes: 0 healthy, 1 findings, 2 error.",
  async run({ argv }) {
    return delegateTo("@kubeforge/validate", "kubeforge-validate", await doctorArgs(argv));
  },
});
