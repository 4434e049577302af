// `kubeforge bootstrap <cluster>`: from nodes in Talos maintenance mode to a reconciled Flux. Resumable: a state
// file in <cluster>/.kubeforge/ records finished steps; re-running continues where a run stopped.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { defineCommand } from "@kubeforge/cli-kit";
import { clusterArgument, loadDefinition, useClusterAgeKey } from "../cluster-args.js";
import { CliError } from "../errors.js";

function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!match) throw new CliError("E_USAGE", `${flag} ${text}: expected a duration such as 500ms, 5s, 30m`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h"];
}

export default defineCommand({
  name: "bootstrap",
  description:
    "Bring a cluster from Talos maintenance mode to a reconciled Flux: apply configs, bootstrap etcd, kubeconfig,\nCRDs, Cilium, the sops-age and Git secrets, Flux, then wait until every Kustomization and HelmRelease is Ready.\nIdempotent and resumable: finished steps are recorded in <cluster>/.kubeforge/bootstrap-state.json.",
  usage: "bootstrap [<cluster>] [options]",
  maxPositionals: 1,
  options: {
    cluster: {
      type: "string",
      value: "<cluster>",
      description: "the cluster, as the <cluster> argument (the package CLIs' form)",
    },
    "node-address": {
      type: "string",
      multiple: true,
      value: "<host=ip>",
      description: "reach a node in maintenance mode at this address (e.g. its DHCP lease)",
    },
    "cert-fingerprint": {
      type: "string",
      multiple: true,
      value: "<host=fp>",
      description:
        "apply-config to <host> only if its certificate has this fingerprint (its console shows it in maintenance mode)",
    },
    "require-fingerprint": {
      type: "boolean",
      description: "refuse to run while a node still to be configured has no --cert-fingerprint",
    },
    kubeconfig: {
      type: "string",
      value: "<file>",
      description: "where to write the kubeconfig [default: <cluster>/.kubeforge/kubeconfig]",
    },
    "flux-install": {
      type: "boolean",
      description: "use `flux install` + flux/flux-system instead of the Flux Operator",
    },
    crds: {
      type: "string",
      multiple: true,
      value: "<file|url>",
      description: "CRD manifests to apply first [default: prometheus-operator CRDs]",
    },
    timeout: { type: "string", value: "<dur>", description: "timeout of each wait [default: 30m]" },
    poll: { type: "string", value: "<dur>", description: "poll interval of waits [default: 5s]" },
    restart: { type: "boolean", description: "forget the state file and run every step again" },
    "accept-applied": {
      type: "boolean",
      description:
        "record the current machine configs as applied to the nodes bootstrap already configured (after `kubeforge talos apply` rolled a change out)",
    },
    json: { type: "boolean", description: "print the summary as JSON" },
  },
  footer:
    "Needs talosctl, kubectl, helm (and flux with --flux-install) on PATH, the age key of the cluster, and a built cluster\n(`kubeforge build`). In maintenance mode a node's identity is verified only with --cert-fingerprint: without it\nthe machine config (with the cluster's CA keys) goes to whatever answers at the node's address.\nExit codes: 0 reconciled, 1 a step failed (re-run to resume) or resuming was refused before anything ran\n(a changed, moved or renamed node: the message says what to do), 2 usage error, 130 interrupted (Ctrl-C; re-run\nto resume).",
  async run({ values, positionals, io }) {
    // The cluster first: a mistyped name is the likelier mistake, and its fix comes before installing tools.
    const { findDefinition } = await import("@kubeforge/config");
    const file = findDefinition(await clusterArgument(values, positionals, "bootstrap"));
    const { assertTools } = await import("../bootstrap/tools.js");
    const fluxInstall = values["flux-install"] ? "flux-cli" : "operator";
    assertTools(fluxInstall === "flux-cli" ? ["talosctl", "kubectl", "helm", "flux"] : ["talosctl", "kubectl", "helm"]);
    const clusterDir = path.dirname(file);
    useClusterAgeKey(clusterDir);
    const { cluster } = await loadDefinition(file);
    // Flux would be pointed at ./clusters/<name>/flux: the same refusal as build's.
    const { assertNameMatchesFolder } = await import("../build/cluster-folder.js");
    assertNameMatchesFolder(file, cluster);
    const ageKeyFile = process.env.SOPS_AGE_KEY_FILE;
    if (!ageKeyFile || !existsSync(ageKeyFile)) {
      throw new CliError(
        "E_KEY",
        "no age key file for the cluster (Flux needs it as the sops-age Secret)",
        "set SOPS_AGE_KEY_FILE to the key `kubeforge init` used",
      );
    }
    // Before anything changes: the key file must hold a key of the cluster (only those are uploaded later).
    const { clusterIdentities } = await import("../bootstrap/age-secret.js");
    await clusterIdentities(
      await (await import("node:fs/promises")).readFile(ageKeyFile, "utf8"),
      cluster.sops.ageRecipients,
      ageKeyFile,
    );
    if (!existsSync(path.join(clusterDir, "talos", "generated", "talosconfig.sops.yaml"))) {
      throw new CliError(
        "E_INPUT",
        `${path.relative(process.cwd(), clusterDir)} has no talos/generated/ configs`,
        `run \`kubeforge build ${path.relative(process.cwd(), clusterDir) || "."}\` first`,
      );
    }
    const addresses: Record<string, string> = Object.fromEntries(
      cluster.nodes.map((node) => [node.hostname, node.address]),
    );
    for (const entry of (values["node-address"] as string[] | undefined) ?? []) {
      const [host, ip] = entry.split("=");
      if (!host || !ip || !(host in addresses)) {
        throw new CliError(
          "E_USAGE",
          `--node-address ${entry}: expected <hostname>=<ip> with a hostname of the cluster`,
          `hostnames: ${Object.keys(addresses).join(", ")}`,
        );
      }
      addresses[host] = ip;
    }
    const { parseCertFingerprints } = await import("../bootstrap/fingerprints.js");
    const certFingerprints = parseCertFingerprints(
      (values["cert-fingerprint"] as string[] | undefined) ?? [],
      Object.keys(addresses),
    );
    const stateDir = path.join(clusterDir, ".kubeforge");
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    const stateFile = path.join(stateDir, "bootstrap-state.json");
    const { execa } = await import("execa");
    const { withPipeStdin } = await import("@kubeforge/talos");
    const { decryptText } = await import("@kubeforge/sops");
    const { readFile } = await import("node:fs/promises");
    const { openKubeApi } = await import("../bootstrap/kube.js");
    const { buildPlan, DEFAULT_CRDS } = await import("../bootstrap/steps.js");
    const { formatSummary, runPlan } = await import("../bootstrap/run.js");
    const kubeconfig = path.resolve((values.kubeconfig as string | undefined) ?? path.join(stateDir, "kubeconfig"));
    let kube: ReturnType<typeof openKubeApi> | undefined;
    const context = {
      cluster,
      clusterDir,
      stateDir,
      talosconfig: path.join(stateDir, "talosconfig"),
      kubeconfig,
      addresses,
      certFingerprints,
      requireFingerprint: values["require-fingerprint"] === true,
      ageKeyFile,
      fluxInstall,
      crds: (values.crds as string[] | undefined) ?? DEFAULT_CRDS,
      timeoutMs: parseDuration((values.timeout as string | undefined) ?? "30m", "--timeout"),
      pollMs: parseDuration((values.poll as string | undefined) ?? "5s", "--poll"),
      io,
      async exec(tool: string, args: readonly string[], options: { input?: string } = {}) {
        // with input (a decrypted machine config for `--file /dev/stdin`): stdin must be a pipe, see withPipeStdin
        const [command, argv] = options.input ? withPipeStdin(tool, args) : [tool, [...args]];
        // No input: stdin is closed, so a tool that asks (flux install's "override? Y/N") fails instead of waiting
        // forever. Each call is bounded too: past the longest wait we hand a tool (helm --timeout 15m, kubectl wait
        // --timeout=<--timeout>) plus 5 minutes, it is stopped and named.
        const ceiling = Math.max(context.timeoutMs, 15 * 60_000) + 5 * 60_000;
        const result = await execa(command, argv, {
          reject: false,
          timeout: ceiling,
          ...(options.input ? { input: options.input } : { stdin: "ignore" }),
        });
        if (result.timedOut)
          throw new CliError(
            "E_TIMEOUT",
            `${tool} ${args.filter((arg) => !arg.includes("/tmp/kubeforge-bootstrap-")).join(" ")} did not finish in ${Math.round(ceiling / 60_000)} minutes`,
            "check the cluster, then re-run `kubeforge bootstrap` (finished steps are skipped)",
          );
        if (result.exitCode !== 0) {
          const output = `${result.stderr}\n${result.stdout}`.trim().split("\n").slice(-6).join("\n");
          throw new CliError(
            "E_TOOL_FAILED",
            `${tool} ${args.filter((arg) => !arg.includes("/tmp/kubeforge-bootstrap-")).join(" ")} failed (exit ${result.exitCode}):\n${output}`,
            "fix the cause, then re-run `kubeforge bootstrap`: finished steps are skipped",
          );
        }
        return result.stdout;
      },
      kube: () => {
        kube ??= openKubeApi(kubeconfig);
        return kube;
      },
      decrypt: async (sopsFile: string) =>
        decryptText(await readFile(sopsFile, "utf8"), { format: "yaml", file: sopsFile }),
    } as const;
    const clusterArg = path.relative(process.cwd(), clusterDir) || ".";
    // Ctrl-C (or kill, a closed terminal): say where the run stopped and that re-running continues from there.
    const { guardInterrupts } = await import("../interrupts.js");
    const { interruptedMessage } = await import("../bootstrap/interrupted.js");
    let current: { index: number; total: number; title: string } | undefined;
    const guard = guardInterrupts({
      message: ({ signal }) =>
        interruptedMessage({ signal, step: current, clusterArg, stateFile: path.relative(process.cwd(), stateFile) }),
    });
    let outcomes: Awaited<ReturnType<typeof runPlan>>;
    try {
      outcomes = await runPlan(context, buildPlan(context), stateFile, {
        clusterArg,
        acceptApplied: values["accept-applied"] === true,
        restart: values.restart === true,
        onStep: (step) => {
          current = step;
        },
        hold: (work) => guard.hold(work),
      });
    } finally {
      guard.release();
    }
    if (values.json) io.out(`${JSON.stringify({ cluster: cluster.name, kubeconfig, steps: outcomes }, null, 2)}\n`);
    else {
      io.out(formatSummary(cluster.name, outcomes));
      io.out(
        `kubeconfig: export KUBECONFIG=${path.relative(process.cwd(), kubeconfig)} (contexts: admin, oidc@${cluster.name})\n`,
      );
    }
    return 0;
  },
});
