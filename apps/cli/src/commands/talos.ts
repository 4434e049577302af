// `kubeforge talos …`: kubeforge-talos, with --cluster accepting a folder or a name under clusters/.

import { defineCommand } from "@kubeforge/cli-kit";
import { resolveClusterFlag } from "../cluster-args.js";
import { delegateWithHelp } from "../delegate.js";

export default defineCommand({
  name: "talos",
  description: "Talos secrets bundle, machine configs and talosctl apply for a cluster.",
  usage: "talos <gen secrets|gen config|validate|apply> [options]",
  passThrough: true,
  footer: `Commands:
  gen secrets      create talos/talsecret.sops.yaml (new PKI, or --from a bundle); never overwrites
  gen config       write SOPS-encrypted machine configs and talosconfig to talos/generated/
  validate FILE…   check machine configs against the official Talos schema
  apply            talosctl apply-config per node

--cluster takes a file, a folder or a cluster name. \`kubeforge talos gen config --help\` lists every option.`,
  async run({ argv }) {
    return delegateWithHelp("@kubeforge/talos", "kubeforge-talos", await resolveClusterFlag(argv), "kubeforge talos");
  },
});
