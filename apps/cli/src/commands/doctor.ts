// `kubeforge doctor`: kubeforge-validate doctor (nodes, pods, warning events, Flux readiness).
import { defineCommand } from "@kubeforge/cli-kit";
import { delegateTo } from "../delegate.js";

export default defineCommand({
  name: "doctor",
  description: "Node, pod, warning-event and Flux health of the current cluster.",
  usage: "doctor [--kubeconfig <file>] [--context <name>] [--json] [--strict]",
  passThrough: true,
  footer: "Reads the kubeconfig ($KUBECONFIG, ~/.kube/config). Exit codes: 0 healthy, 1 findings, 2 error.",
  async run({ argv }) {
    return delegateTo("@kubeforge/validate", "kubeforge-validate", ["doctor", ...argv]);
  },
});
