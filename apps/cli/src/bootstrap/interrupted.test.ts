import { expect, it } from "vitest";
import { interruptedMessage } from "./interrupted.js";

it("names the step the run stopped in, the state file and the command that continues, on one line", () => {
  const text = interruptedMessage({
    signal: "SIGINT",
    step: { index: 7, total: 14, title: "install Cilium" },
    clusterArg: "clusters/homelab",
    stateFile: "clusters/homelab/.kubeforge/bootstrap-state.json",
  });
  expect(text).toBe(
    "\nbootstrap interrupted (SIGINT) during [7/14] install Cilium; finished steps are recorded in clusters/homelab/.kubeforge/bootstrap-state.json: re-run `kubeforge bootstrap clusters/homelab` to continue from there\n",
  );
  expect(interruptedMessage({ signal: "SIGTERM", step: undefined, clusterArg: ".", stateFile: "x" })).toContain(
    "(SIGTERM) before the first step",
  );
});
