import { expect, it } from "vitest";
import { pnpmInstall } from "./install.js";

it("shows pnpm's stdout (ERR_PNPM_…) and stderr on failure, with the next steps and the public key's way back", async () => {
  const exec = async () => {
    throw Object.assign(new Error("Command failed: pnpm install"), {
      code: 1,
      stdout: "Progress: resolved 1\n ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with frozen-lockfile\n",
      stderr: "some warning on stderr\n",
    });
  };
  const error = (await pnpmInstall("/repo", "mine", {
    exec,
    deployKeyFile: "clusters/mine/git-deploy-key.sops.yaml",
  }).catch((caught: unknown) => caught)) as { message: string; hint: string };
  expect(error.message).toContain("ERR_PNPM_OUTDATED_LOCKFILE");
  expect(error.message).toContain("some warning on stderr");
  expect(error.hint).toContain("pnpm install && kubeforge build mine");
  expect(error.hint).toContain("kubeforge secrets decrypt clusters/mine/git-deploy-key.sops.yaml");
});

it("says the next step when pnpm was stopped by a signal (Ctrl-C reaches it too), exiting 128 + the signal", async () => {
  const exec = async () => {
    throw Object.assign(new Error("Command failed: pnpm install"), { code: null, signal: "SIGINT" });
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const before = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
  const error = (await pnpmInstall("/repo", "mine", { exec }).catch((caught: unknown) => caught)) as {
    message: string;
    hint: string;
    exitCode: number;
  };
  // The guard stays so init's own SIGINT still ends with the message; take it off this test process.
  for (const signal of signals) {
    const added = process.listeners(signal).filter((listener) => !before.get(signal)?.includes(listener));
    expect(added).toHaveLength(1);
    for (const listener of added) process.off(signal, listener);
  }
  expect(error.message).toBe(
    "pnpm install was stopped by SIGINT; clusters/mine/ is complete but not registered in the workspace yet",
  );
  expect(error.hint).toBe("run `pnpm install && kubeforge build mine && kubeforge validate mine`");
  expect(error.exitCode).toBe(130);
});
