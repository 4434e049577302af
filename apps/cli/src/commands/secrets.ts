// `kubeforge secrets <verb>`: kubeforge-sops, with the cluster's age key found for files inside a cluster.
import { existsSync } from "node:fs";
import { defineCommand } from "@kubeforge/cli-kit";
import { clusterDirOf, useClusterAgeKey } from "../cluster-args.js";
import { delegateWithHelp } from "../delegate.js";

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
  async run({ argv, io }) {
    // No verb, or a verb without its file: usage (exit 2) instead of kubeforge-sops' own help or a silent success.
    const positional = argv.filter((arg) => !arg.startsWith("-"));
    const asksHelp = argv.includes("--help") || argv.includes("-h");
    if (!asksHelp && positional.length < 2) {
      const verbs = "encrypt|decrypt|edit|updatekeys|rotate|filestatus";
      io.err(
        positional.length === 0
          ? `error: secrets needs a verb and a file\nusage: kubeforge secrets <${verbs}> [options] <file>\n`
          : `error: secrets ${positional[0]} needs a file\nusage: kubeforge secrets ${positional[0]} [options] <file>\n`,
      );
      return 2;
    }
    for (const arg of argv) {
      if (arg.startsWith("-") || !existsSync(arg)) continue;
      const dir = clusterDirOf(arg);
      if (dir) useClusterAgeKey(dir);
    }
    return delegateWithHelp("@kubeforge/sops", "kubeforge-sops", argv, "kubeforge secrets");
  },
});
