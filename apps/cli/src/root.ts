// The command table. Descriptions live here so `kubeforge --help` imports no command module.
import { type Command, defineCommand } from "@kubeforge/cli-kit";

const load = (loader: () => Promise<{ default: Command }>) => () => loader().then((module) => module.default);

export const rootCommand = defineCommand({
  name: "kubeforge",
  description: "A homelab Kubernetes cluster (Talos + Flux) as typed TypeScript code.",
  usage: "<command> [options]",
  subCommands: {
    init: {
      description: "create clusters/<name>/ with your own age key, Talos PKI and Flux deploy key",
      load: load(() => import("./commands/init.js")),
    },
    build: {
      description: "check recipients, render flux/ and bootstrap/, write encrypted Talos configs",
      load: load(() => import("./commands/build.js")),
    },
    validate: {
      description: "validate cluster folders (schemas, Flux, policies, recipients, charts, Talos)",
      load: load(() => import("./commands/validate.js")),
    },
    secrets: {
      description: "SOPS verbs: encrypt, decrypt, edit, updatekeys, rotate, filestatus",
      load: load(() => import("./commands/secrets.js")),
    },
    talos: {
      description: "Talos PKI, machine configs, talosctl apply (kubeforge-talos)",
      load: load(() => import("./commands/talos.js")),
    },
    bootstrap: {
      description: "bring a cluster from Talos maintenance mode to a reconciled Flux (resumable)",
      load: load(() => import("./commands/bootstrap.js")),
    },
    upgrade: {
      description: "rolling Talos/Kubernetes upgrades: plan, run, status (kubeforge-upgrade)",
      load: load(() => import("./commands/upgrade.js")),
    },
    doctor: {
      description: "node, pod, event and Flux health of the running cluster",
      load: load(() => import("./commands/doctor.js")),
    },
  },
  footer:
    "Start: kubeforge init <name> → edit clusters/<name>/cluster.ts → kubeforge build <name> → kubeforge validate <name>\n→ kubeforge bootstrap <name>. `kubeforge <command> --help` shows each command's options; `kubeforge --version` the version.",
});
