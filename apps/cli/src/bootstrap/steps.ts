// The bootstrap plan, in order: Talos configs → etcd → kubeconfig → API → CRDs → Cilium → secrets → Flux → Ready.
// Every step is safe to repeat; the runner skips the ones the state file records as done.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { controlPlaneNodes, fluxPath } from "@kubeforge/config";
import { parse, parseDocument } from "yaml";
import { CliError } from "../errors.js";
import { clusterIdentities } from "./age-secret.js";
import { type BootstrapContext, type Step, waitFor } from "./context.js";
import { unpinnedWarning } from "./fingerprints.js";

/**
 * Prometheus-operator CRDs: the platform's ServiceMonitors and PrometheusRules are applied in the same reconciliation
 * as the chart that would bring them, so they must exist first. 0.93.0 is the operator the repository's CRD schemas
 * come from (../shared/conformance/crds/prometheus-operator); `--crds` replaces the list.
 */
export const DEFAULT_CRDS = [
  "https://github.com/prometheus-operator/prometheus-operator/releases/download/v0.93.0/stripped-down-crds.yaml",
];
export const FLUX_OPERATOR_CHART = "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator";
const DEPLOY_KEY_FILE = "git-deploy-key.sops.yaml";

/**
 * The first control-plane node at its static address. `--node-address` (the DHCP address of maintenance mode) is for
 * apply-config only: the config it applies gives the node its static address, which it has after the reboot.
 */
const firstControlPlane = (context: BootstrapContext) => {
  const node = controlPlaneNodes(context.cluster)[0];
  if (!node) throw new CliError("E_INPUT", "the cluster has no control-plane node");
  return { hostname: node.hostname, address: node.address };
};

const talos = (context: BootstrapContext, address: string, ...args: string[]) =>
  context.exec("talosctl", ["--talosconfig", context.talosconfig, "--nodes", address, "--endpoints", address, ...args]);

/** talosctl bootstrap errors that mean "not yet" (the codes Talos' own bootstrapper retries on). */
const RETRY_BOOTSTRAP =
  /FailedPrecondition|not available yet|time is not in sync|Unavailable|DeadlineExceeded|Canceled|connection refused/i;

/** Polls a talosctl call on one node until it succeeds, or fails with `timeout()`. */
const waitForTalos = (
  context: BootstrapContext,
  address: string,
  args: readonly string[],
  timeout: () => Error,
): Promise<true> =>
  waitFor(
    context,
    () =>
      talos(context, address, ...args).then(
        () => true as const,
        () => undefined,
      ),
    timeout,
  );

/** The machine config of `hostname`, decrypted: what apply-config receives. */
const machineConfigFile = (context: BootstrapContext, hostname: string) =>
  path.join(context.clusterDir, "talos", "generated", `${hostname}.sops.yaml`);

function applyStep(hostname: string): Step {
  return {
    id: `apply:${hostname}`,
    title: `apply the machine config to ${hostname} (insecure, maintenance mode)`,
    node: hostname,
    async run(context) {
      const address = context.addresses[hostname]!;
      const fingerprints = context.certFingerprints[hostname] ?? [];
      // Without a fingerprint talosctl accepts any certificate: say so before the CA keys leave.
      if (fingerprints.length === 0) context.io.err(unpinnedWarning(hostname, address));
      const config = await context.decrypt(machineConfigFile(context, hostname));
      // The plaintext config (machine secrets included) goes through a pipe, never a file a kill -9 leaves behind.
      await context.exec(
        "talosctl",
        [
          "apply-config",
          "--insecure",
          ...fingerprints.flatMap((fingerprint) => ["--cert-fingerprint", fingerprint]),
          "--nodes",
          address,
          "--file",
          "/dev/stdin",
        ],
        { input: config },
      );
      return fingerprints.length > 0 ? `${address} (certificate pinned)` : address;
    },
    async applies(context) {
      const file = machineConfigFile(context, hostname);
      // The digest of the decrypted config, not of the SOPS file: re-encrypting (updatekeys, a new recipient) changes
      // the ciphertext but not what a node runs, and must not count as a change.
      const digest = createHash("sha256")
        .update(await context.decrypt(file))
        .digest("hex");
      const node = context.cluster.nodes.find((entry) => entry.hostname === hostname);
      return { hostname, file, address: node?.address ?? "", digest };
    },
  };
}

/** The OIDC context beside talosctl's admin one: kubectl oidc-login (kubelogin) fetches the token. */
export function addOidcContext(kubeconfigText: string, context: Pick<BootstrapContext, "cluster">): string {
  const document = parseDocument(kubeconfigText);
  const { cluster } = context;
  const current = String(document.get("current-context") ?? "");
  const contexts = (document.toJS().contexts ?? []) as { name: string; context: { cluster: string } }[];
  const clusterName = contexts.find((entry) => entry.name === current)?.context.cluster ?? cluster.name;
  const user = `oidc@${cluster.name}`;
  const entry = {
    name: user,
    user: {
      exec: {
        apiVersion: "client.authentication.k8s.io/v1beta1",
        command: "kubectl",
        args: [
          "oidc-login",
          "get-token",
          `--oidc-issuer-url=${cluster.oidc.issuerUrl}`,
          `--oidc-client-id=${cluster.oidc.clientId}`,
          "--oidc-extra-scope=email",
          "--oidc-extra-scope=groups",
        ],
        interactiveMode: "IfAvailable",
      },
    },
  };
  const js = document.toJS() as Record<string, unknown>;
  const keep = <T extends { name: string }>(list: unknown) =>
    ((list as T[] | undefined) ?? []).filter((item) => item.name !== user);
  document.set("users", document.createNode([...keep(js.users), entry]));
  document.set(
    "contexts",
    document.createNode([...keep(js.contexts), { name: user, context: { cluster: clusterName, user } }]),
  );
  return document.toString();
}

export function buildPlan(context: Pick<BootstrapContext, "cluster" | "fluxInstall">): Step[] {
  const { cluster } = context;
  const steps: Step[] = cluster.nodes.map((node) => applyStep(node.hostname));
  steps.push(
    {
      id: "talosconfig",
      title: "write the talosconfig",
      async run(ctx) {
        const text = await ctx.decrypt(path.join(ctx.clusterDir, "talos", "generated", "talosconfig.sops.yaml"));
        await writeFile(ctx.talosconfig, text, { mode: 0o600 });
        return path.relative(process.cwd(), ctx.talosconfig);
      },
    },
    {
      id: "etcd-bootstrap",
      title: "talosctl bootstrap (etcd) on the first control-plane node",
      async run(ctx) {
        const node = firstControlPlane(ctx);
        // Nodes reboot into their installed config after apply-config; wait until Talos answers with TLS.
        await waitForTalos(
          ctx,
          node.address,
          ["version"],
          () =>
            new CliError(
              "E_TIMEOUT",
              `${node.hostname} (${node.address}) did not answer talosctl after its config was applied`,
              "check the node's console; re-run bootstrap to resume",
            ),
        );
        // Talos refuses `bootstrap` until the node's CRI is up and its clock in sync (FailedPrecondition "bootstrap is
        // not available yet" / "time is not in sync yet"), though `version` already answers; talosctl does not retry,
        // Talos' own bootstrapper does (siderolabs/talos pkg/cluster/bootstrap.go). So do we, until --timeout.
        let last = "";
        return waitFor(
          ctx,
          async () => {
            try {
              await talos(ctx, node.address, "bootstrap");
              return node.hostname;
            } catch (error) {
              const message = (error as Error).message;
              if (/AlreadyExists|already bootstrapped/i.test(message)) return `${node.hostname}: already bootstrapped`;
              if (!RETRY_BOOTSTRAP.test(message)) throw error;
              last = message.split("\n").pop() ?? message;
              return undefined;
            }
          },
          () =>
            new CliError(
              "E_TIMEOUT",
              `talosctl bootstrap on ${node.hostname} (${node.address}) was still refused when --timeout ran out: ${last}`,
              "check the node's time (NTP) and `talosctl dmesg`; re-run bootstrap to resume",
            ),
        );
      },
    },
    {
      id: "etcd-wait",
      title: "wait for etcd",
      async run(ctx) {
        const node = firstControlPlane(ctx);
        await waitForTalos(
          ctx,
          node.address,
          ["etcd", "status"],
          () =>
            new CliError(
              "E_TIMEOUT",
              "etcd did not become healthy",
              `run \`talosctl --talosconfig ${ctx.talosconfig} -n ${node.address} etcd status\` and \`talosctl dmesg\``,
            ),
        );
        return "healthy";
      },
    },
    {
      id: "kubeconfig",
      title: "write the kubeconfig (admin context + OIDC context)",
      async run(ctx) {
        const node = firstControlPlane(ctx);
        await talos(ctx, node.address, "kubeconfig", ctx.kubeconfig, "--force", "--merge=false");
        await writeFile(ctx.kubeconfig, addOidcContext(await readFile(ctx.kubeconfig, "utf8"), ctx), { mode: 0o600 });
        return path.relative(process.cwd(), ctx.kubeconfig);
      },
    },
    {
      id: "api-wait",
      title: "wait for the Kubernetes API through the VIP",
      async run(ctx) {
        const kube = await ctx.kube();
        await waitFor(
          ctx,
          async () => ((await kube.isReachable()) ? true : undefined),
          () =>
            new CliError(
              "E_TIMEOUT",
              `the Kubernetes API at ${kube.server} did not answer`,
              "check that the VIP is free and the control plane is up (`talosctl health`)",
            ),
        );
        return kube.server;
      },
    },
    {
      id: "crds",
      title: "apply the CRDs the first reconciliation needs (server-side)",
      async run(ctx) {
        for (const source of ctx.crds) {
          await ctx.exec("kubectl", [
            "--kubeconfig",
            ctx.kubeconfig,
            "apply",
            "--server-side",
            "--force-conflicts",
            "-f",
            source,
          ]);
        }
        return `${ctx.crds.length} source${ctx.crds.length === 1 ? "" : "s"}`;
      },
    },
    {
      id: "cilium",
      title: "install Cilium with helm from bootstrap/cilium-values.yaml",
      async run(ctx) {
        const values = path.join(ctx.clusterDir, "bootstrap", "cilium-values.yaml");
        if (!existsSync(values))
          throw new CliError("E_INPUT", `${values} does not exist`, "run `kubeforge build` first");
        const version = /--version\s+(\S+)/.exec(await readFile(values, "utf8"))?.[1];
        await ctx.exec("helm", [
          "--kubeconfig",
          ctx.kubeconfig,
          "upgrade",
          "--install",
          "cilium",
          "cilium",
          "--repo",
          "https://helm.cilium.io/",
          ...(version ? ["--version", version] : []),
          "--namespace",
          "kube-system",
          "--values",
          values,
          "--wait",
          "--timeout",
          "15m",
        ]);
        return version ? `cilium ${version}` : "cilium";
      },
    },
    {
      id: "sops-age",
      title: `create Secret flux-system/${cluster.sops.decryptionSecret} from your age key`,
      async run(ctx) {
        // Only the cluster's own identities: the key file may hold keys of other clusters and projects.
        const identities = await clusterIdentities(
          await readFile(ctx.ageKeyFile, "utf8"),
          ctx.cluster.sops.ageRecipients,
          ctx.ageKeyFile,
        );
        const kube = await ctx.kube();
        await kube.ensureNamespace("flux-system");
        await kube.upsertSecret({
          metadata: { name: ctx.cluster.sops.decryptionSecret, namespace: "flux-system" },
          stringData: { "age.agekey": identities.text },
        });
        const left = identities.skipped
          ? ` (${identities.skipped} other key${identities.skipped === 1 ? "" : "s"} left out)`
          : "";
        return `${identities.recipients.join(", ")} from ${ctx.ageKeyFile}${left}`;
      },
    },
    {
      id: "git-secret",
      title: "create Secret flux-system/flux-system from the Git deploy key",
      async run(ctx) {
        const file = path.join(ctx.clusterDir, DEPLOY_KEY_FILE);
        if (!existsSync(file)) return `skipped: no ${DEPLOY_KEY_FILE} (public repository or your own credentials)`;
        const secret = parse(await ctx.decrypt(file)) as { stringData?: Record<string, string>; type?: string };
        const kube = await ctx.kube();
        await kube.ensureNamespace("flux-system");
        await kube.upsertSecret({
          metadata: { name: "flux-system", namespace: "flux-system" },
          stringData: secret.stringData ?? {},
        });
        return DEPLOY_KEY_FILE;
      },
    },
  );
  if (context.fluxInstall === "operator") {
    steps.push({
      id: "flux",
      title:
        "install the Flux Operator and a FluxInstance, then apply flux/flux-system (GitRepository + Kustomization)",
      async run(ctx) {
        await ctx.exec("helm", [
          "--kubeconfig",
          ctx.kubeconfig,
          "upgrade",
          "--install",
          "flux-operator",
          FLUX_OPERATOR_CHART,
          "--namespace",
          "flux-system",
          "--create-namespace",
          "--wait",
        ]);
        const kube = await ctx.kube();
        const { url, branch } = ctx.cluster.flux;
        await kube.upsertCustomObject(
          {
            group: "fluxcd.controlplane.io",
            version: "v1",
            plural: "fluxinstances",
            namespace: "flux-system",
            name: "flux",
          },
          fluxInstance(ctx),
        );
        // The sync objects come from the committed tree (flux/flux-system), as with `flux install`: one owner, and
        // they carry what a FluxInstance sync cannot (SOPS decryption, the service account).
        await ctx.exec("kubectl", [
          "--kubeconfig",
          ctx.kubeconfig,
          "--namespace",
          "flux-system",
          "wait",
          "--for=condition=Ready",
          "fluxinstance/flux",
          `--timeout=${Math.max(1, Math.round(ctx.timeoutMs / 1000))}s`,
        ]);
        await applyFluxSystem(ctx);
        return `${url}#${branch} ${fluxPath(ctx.cluster)}`;
      },
    });
  } else {
    steps.push({
      id: "flux",
      title: "flux install, then apply flux/flux-system (GitRepository + Kustomization)",
      async run(ctx) {
        // flux install writes the cluster domain into source-controller's artifact address (default cluster.local)
        await ctx.exec("flux", [
          "--kubeconfig",
          ctx.kubeconfig,
          "install",
          `--cluster-domain=${ctx.cluster.network.clusterDomain}`,
        ]);
        await applyFluxSystem(ctx);
        return fluxPath(ctx.cluster);
      },
    });
  }
  steps.push({
    id: "ready",
    title: "wait until every Kustomization and HelmRelease is Ready",
    async run(ctx) {
      const kube = await ctx.kube();
      let last = "";
      const status = await waitFor(
        ctx,
        async () => {
          const objects = await kube.fluxStatus();
          const waiting = objects.filter((object) => !object.ready);
          const line = waiting
            .map((object) => `${object.kind} ${object.namespace}/${object.name}: ${object.why}`)
            .join("\n");
          if (line && line !== last) ctx.io.err(`  not Ready yet:\n${line.replace(/^/gm, "    ")}\n`);
          last = line;
          return objects.some((object) => object.kind === "Kustomization") && waiting.length === 0
            ? objects
            : undefined;
        },
        () =>
          new CliError(
            "E_NOT_READY",
            `Flux objects still not Ready after ${Math.round(ctx.timeoutMs / 1000)}s:\n${last.replace(/^/gm, "  ")}`,
            "fix what the reasons say (`flux get all -A`), then re-run bootstrap: it resumes here",
          ),
      );
      const count = (kind: string) => status.filter((object) => object.kind === kind).length;
      return `all Kustomizations Ready (${count("Kustomization")}), all HelmReleases Ready (${count("HelmRelease")})`;
    },
  });
  return steps;
}

/** Applies the committed flux/flux-system (the `flux-system` GitRepository and Kustomization) server-side. */
async function applyFluxSystem(ctx: BootstrapContext): Promise<void> {
  await ctx.exec("kubectl", [
    "--kubeconfig",
    ctx.kubeconfig,
    "apply",
    "--server-side",
    "-k",
    path.join(ctx.clusterDir, "flux", "flux-system"),
  ]);
}

/**
 * The FluxInstance of this cluster: Flux's controllers only. It has no `sync`: the generated
 * flux/flux-system/gotk-sync.yaml already defines the `flux-system` GitRepository and Kustomization, and the root
 * Kustomization re-applies them, so a FluxInstance sync would give those objects two owners fighting each other.
 */
export function fluxInstance(context: Pick<BootstrapContext, "cluster">): Record<string, unknown> {
  const { cluster } = context;
  return {
    apiVersion: "fluxcd.controlplane.io/v1",
    kind: "FluxInstance",
    metadata: { name: "flux", namespace: "flux-system" },
    spec: {
      distribution: { version: "2.x", registry: "ghcr.io/fluxcd" },
      components: ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"],
      cluster: { type: "kubernetes", networkPolicy: true, domain: cluster.network.clusterDomain },
    },
  };
}
