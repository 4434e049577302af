// `kubeforge upgrade …`: kubeforge-upgrade, with --cluster accepting a folder or a name under clusters/.

import { defineCommand } from "@kubeforge/cli-kit";
import { resolveClusterFlag } from "../cluster-args.js";
import { delegateWithHelp } from "../delegate.js";

export default defineCommand({
  name: "upgrade",
  description: "Rolling Talos and Kubernetes upgrades, one node at a time, staging before production.",
  usage: "upgrade <plan|run|status> [<cluster> | --cluster <file|folder|name>] [options]",
  passThrough: true,
  footer: `Commands:
  plan     print the ordered steps for the model's target versions
  run      upgrade with gates before and after each node; resumes an interrupted run
  status   show where the last or current run stands

\`kubeforge upgrade plan --help\` lists every option (it is kubeforge-upgrade); --json prints data.`,
  async run({ argv }) {
    return delegateWithHelp(
      "@kubeforge/upgrade",
      "kubeforge-upgrade",
      await resolveClusterFlag(argv),
      "kubeforge upgrade",
    );
  },
});
