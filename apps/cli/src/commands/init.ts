// `kubeforge init <name>`: a new cluster from the typed template, with the user's own age key, Talos PKI and Flux
// deploy key; registered in the workspace and checked with build + validate.
import { readFile } from "node:fs/promises";
import { defineCommand } from "@kubeforge/cli-kit";
import { CliError } from "../errors.js";

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The last line of init's check: "clean" only when build + validate printed nothing above it. */
export function verifySummary(findings: readonly { readonly severity: string }[]): string {
  const errors = findings.filter((finding) => finding.severity === "error").length;
  const warnings = findings.length - errors;
  const counts = [
    errors > 0 ? `${errors} error${errors === 1 ? "" : "s"}` : "",
    warnings > 0 ? `${warnings} warning${warnings === 1 ? "" : "s"} (above)` : "",
  ].filter(Boolean);
  return `build + validate: ${counts.length === 0 ? "clean" : counts.join(", ")}`;
}

export default defineCommand({
  name: "init",
  description:
    "Create clusters/<name>/ from the typed template with your own age key, a new Talos PKI and a Flux Git deploy key.\nAsks on a terminal for what is missing; scripts pass flags.",
  usage: "init <name> [options]",
  maxPositionals: 1,
  options: {
    node: {
      type: "string",
      multiple: true,
      value: "<[host=]addr[,mac]>",
      description: "a node: address, optional MAC and hostname",
    },
    gateway: { type: "string", value: "<ip>", description: "gateway of the node network" },
    vip: { type: "string", value: "<ip>", description: "free address the Kubernetes API answers on" },
    "node-cidr": { type: "string", value: "<cidr>", description: "node network [default: the gateway's /24]" },
    nameserver: {
      type: "string",
      multiple: true,
      value: "<ip>",
      description: "DNS resolver [default: gateway, 1.1.1.1]",
    },
    "oidc-issuer": { type: "string", value: "<url>", description: "OIDC issuer (https://…)" },
    "oidc-client-id": { type: "string", value: "<id>", description: "OIDC client id [default: kubernetes]" },
    "admin-group": {
      type: "string",
      value: "<group>",
      description: "OIDC group bound to cluster-admin [default: admins]",
    },
    "git-url": {
      type: "string",
      value: "<url>",
      description: "repository Flux pulls (ssh://… or git@host:owner/repo.git)",
    },
    branch: { type: "string", value: "<name>", description: "branch Flux follows [default: main]" },
    "known-hosts": {
      type: "string",
      value: "<file>",
      description: "known_hosts of the Git host [default: built in for github.com, gitlab.com]",
    },
    environment: { type: "string", value: "<env>", description: "production or staging [default: production]" },
    "install-disk": { type: "string", value: "<dev>", description: "disk Talos installs to [default: /dev/sda]" },
    interface: {
      type: "string",
      value: "<name>",
      description: "uplink (enpXsY) of nodes given without a MAC; required when a node has no MAC",
    },
    "talos-version": { type: "string", value: "<v>", description: "Talos version [default: newest supported]" },
    "kubernetes-version": { type: "string", value: "<v>", description: "Kubernetes version" },
    "age-key-file": {
      type: "string",
      value: "<file>",
      description: "age key to use or create [default: $SOPS_AGE_KEY_FILE, else ~/.config/sops/age/keys.txt]",
    },
    "age-recipient": {
      type: "string",
      value: "<age1…>",
      description: "which key of a key file holding several this cluster uses",
    },
    "skip-install": { type: "boolean", description: "do not run `pnpm install` (nor build + validate, which need it)" },
    "skip-verify": { type: "boolean", description: "do not run build + validate at the end" },
    json: { type: "boolean", description: "print the result as JSON" },
  },
  footer:
    "Example: kubeforge init mine --node 192.168.1.11,aa:bb:cc:dd:ee:01 \\\n  --node 192.168.1.12,aa:bb:cc:dd:ee:02 --node 192.168.1.13,aa:bb:cc:dd:ee:03 \\\n  --gateway 192.168.1.1 --vip 192.168.1.10 --oidc-issuer https://auth.example.com --git-url git@github.com:you/lab.git\nRe-running init for an existing cluster refuses; nothing is written unless every value is valid.",
  async run({ values: flags, positionals, io }) {
    const [name, ...extra] = positionals;
    if (!name || extra.length) throw new CliError("E_USAGE", "init takes one cluster name", "e.g. kubeforge init mine");
    if (!NAME.test(name) || name.length > 63) {
      throw new CliError(
        "E_INPUT",
        `"${name}" is not a valid cluster name`,
        "use lowercase letters, digits and '-' (a DNS label)",
      );
    }
    const { findRepositoryRoot } = await import("@kubeforge/config");
    const repoRoot = findRepositoryRoot(process.cwd());
    if (!repoRoot)
      throw new CliError(
        "E_USAGE",
        "not inside a kubeforge repository",
        "run init from the repository (where pnpm-workspace.yaml is)",
      );
    const { existingClusterError } = await import("../init/existing-cluster.js");
    const exists = existingClusterError(repoRoot, name);
    if (exists) throw exists;
    // A staging folder that an init killed with SIGKILL (or an older kubeforge) left behind.
    const { removeInterruptedInits } = await import("../init/leftovers.js");
    for (const leftover of removeInterruptedInits(repoRoot))
      io.err(`removed ${leftover}/, left behind by an interrupted kubeforge init\n`);
    const { collectValues } = await import("../init/values.js");
    const ask = io.interactive && !flags.json ? await terminalAsk() : undefined;
    let partial: Awaited<ReturnType<typeof collectValues>>;
    const { findOrCreateAgeKey } = await import("../init/age-key.js");
    let key: Awaited<ReturnType<typeof findOrCreateAgeKey>>;
    try {
      partial = await collectValues(name, flags, ask?.ask);
      // Every value is checked before the age key is looked for or created.
      await (await import("../init/create-cluster.js")).checkValues(partial);
      key = await findOrCreateAgeKey({
        keyFile: flags["age-key-file"] as string | undefined,
        recipient: flags["age-recipient"] as string | undefined,
        repoRoot,
        ...(ask ? { choose: (recipients: readonly string[]) => chooseRecipient(ask.ask, recipients) } : {}),
      });
    } finally {
      ask?.close();
    }
    const values = { ...partial, ageRecipient: key.recipient };
    const { knownHostsFor, sshHostOf } = await import("../init/deploy-key.js");
    const host = sshHostOf(values.gitUrl);
    const knownHosts = flags["known-hosts"]
      ? await readFile(flags["known-hosts"] as string, "utf8")
      : host
        ? knownHostsFor(host)
        : undefined;
    const { createCluster } = await import("../init/create-cluster.js");
    const created = await createCluster({ repoRoot, values, key, ...(knownHosts ? { knownHosts } : {}) });
    const log = (text: string) => (flags.json ? undefined : io.err(text));
    log(`created clusters/${name}/ (${created.files.join(", ")})\n`);
    log(`age key: ${key.file} (${key.created ? "created" : `found via ${key.source}`}), recipient ${key.recipient}\n`);
    log(`.sops.yaml: rules for clusters/${name} added ahead of the others\n`);
    // The deploy key first: it is needed on the Git host whatever happens to the install below.
    if (!flags.json && created.deployKey) {
      io.out(
        `\nAdd this read-only deploy key to ${host ?? "your Git host"} (GitHub: repository → Settings → Deploy keys):\n\n  ${created.deployKey}\n\n`,
      );
    }
    if (!flags["skip-install"]) {
      log("pnpm install: registering the cluster in the workspace and lockfile …\n");
      const { pnpmInstall } = await import("../init/install.js");
      await pnpmInstall(repoRoot, name, {
        ...(created.deployKey ? { deployKeyFile: `clusters/${name}/git-deploy-key.sops.yaml` } : {}),
      });
    }
    let findings = 0;
    if (!flags["skip-verify"] && !flags["skip-install"]) {
      process.env.SOPS_AGE_KEY_FILE = key.file;
      const build = (await import("./build.js")).default;
      await build.run?.({ values: { quiet: true }, positionals: [created.dir], argv: [], io });
      const { validateTree } = await import("@kubeforge/validate");
      const report = await validateTree({ dir: created.dir });
      findings = report.findings.filter((finding) => finding.severity === "error").length;
      for (const finding of report.findings)
        log(`${finding.severity}: ${finding.file}: ${finding.path}: ${finding.message} — ${finding.hint}\n`);
      log(`${verifySummary(report.findings)}\n`);
    }
    if (flags.json) {
      io.out(
        `${JSON.stringify({ cluster: name, dir: created.dir, files: created.files, ageKeyFile: key.file, recipient: key.recipient, deployKey: created.deployKey, findings }, null, 2)}\n`,
      );
    } else {
      if (created.deployKey) {
        if (!knownHosts)
          io.out(
            `No known_hosts for ${host}: run \`ssh-keyscan ${host}\` and put the output under known_hosts with \`kubeforge secrets edit clusters/${name}/git-deploy-key.sops.yaml\`.\n`,
          );
      } else {
        io.out(
          `\n${values.gitUrl} is not ssh://: give Flux a token yourself (a Secret flux-system with username/password).\n`,
        );
      }
      if (key.source === "--age-key-file")
        io.out(`kubeforge finds ${key.file} for this cluster; other tools need SOPS_AGE_KEY_FILE=${key.file}.\n`);
      // --skip-install: the cluster's package is not linked yet, and build cannot load cluster.ts until it is
      const install = flags["skip-install"] ? `pnpm install (adds clusters/${name} to the workspace), ` : "";
      io.out(
        `Next: ${install}review clusters/${name}/cluster.ts (lines marked CHANGE), kubeforge build ${name}, kubeforge validate ${name}, commit, push, kubeforge bootstrap ${name}.\n`,
      );
    }
    return findings === 0 ? 0 : 1;
  },
});

/** Asks which of several keys the cluster uses: a number or the age1… itself. */
async function chooseRecipient(
  ask: (question: string) => Promise<string>,
  recipients: readonly string[],
): Promise<string | undefined> {
  const list = recipients.map((recipient, index) => `  ${index + 1}) ${recipient}`).join("\n");
  const answer = (
    await ask(`The age key file holds ${recipients.length} keys:\n${list}\nWhich one does this cluster use? `)
  ).trim();
  return /^\d+$/.test(answer) ? recipients[Number(answer) - 1] : answer || undefined;
}

/**
 * Questions on the terminal. Lines are queued as they arrive, so answers typed or pasted ahead are kept (readline's
 * question() drops lines that arrive before it is called); a closed input (Ctrl+D) cancels init cleanly.
 */
async function terminalAsk() {
  const readline = await import("node:readline");
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const lines: string[] = [];
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  let closed = false;
  rl.on("line", (line) => {
    const next = waiting.shift();
    if (next) next.resolve(line);
    else lines.push(line);
  });
  rl.on("close", () => {
    closed = true;
    for (const next of waiting.splice(0))
      next.reject(
        new CliError(
          "E_USAGE",
          "init cancelled: the input closed before every value was given",
          "run it again, or pass the values as flags",
        ),
      );
  });
  const ask = (question: string) => {
    process.stderr.write(question);
    const line = lines.shift();
    if (line !== undefined) {
      process.stderr.write(`${line}\n`);
      return Promise.resolve(line);
    }
    if (closed)
      return Promise.reject(
        new CliError(
          "E_USAGE",
          "init cancelled: the input closed before every value was given",
          "run it again, or pass the values as flags",
        ),
      );
    return new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
  };
  return { ask, close: () => rl.close() };
}
