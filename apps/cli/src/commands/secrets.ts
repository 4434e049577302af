// `kubeforge secrets <verb>`: kubeforge-sops, with the cluster's age key found for files inside a cluster.
import { existsSync } from "node:fs";
import { defineCommand } from "@kubeforge/cli-kit";
import { clusterDirOf, useClusterAgeKey } from "../cluster-args.js";
import { delegateTo } from "../delegate.js";

export default defineCommand({
  name: "secrets",
  description: "SOPS (age) for the cluster's secrets; byte-compatible with sops 3.13 and Flux.",
  usage: "secrets <encrypt|decrypt|edit|updatekeys|rotate|filestatus> [options] <file>",
  passThrough: true,
  footer: `Verbs:
  encrypt <file>      encrypt a plaintext file (keys and rules from .sops.yaml)
  decrypt <file>      decrypt a sops file
  edit <file>         decrypt into $EDITOR and re-encrypt if changed
  updatekeys <file>   re-wrap the data key for the recipients the matching .sops.yaml rule names
  rotate <file>       re-encrypt everything under a new data key
  filestatus <file>   print {"encrypted":true|false}

\`kubeforge secrets <verb> --help\` lists every option (it is kubeforge-sops). For a file inside a cluster
folder the age key \`kubeforge init\` used is found automatically.`,
  async run({ argv }) {
    for (const arg of argv) {
      if (arg.startsWith("-") || !existsSync(arg)) continue;
      const dir = clusterDirOf(arg);
      if (dir) useClusterAgeKey(dir);
    }
    return delegateTo("@kubeforge/sops", "kubeforge-sops", argv);
  },
});
