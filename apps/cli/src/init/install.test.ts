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
