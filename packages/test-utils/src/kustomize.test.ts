// kubectl gets no SOPS key: the age key in the environment of a test run must not reach it.
import { afterEach, describe, expect, it, vi } from "vitest";

const calls: { file: string; args: readonly string[]; options: Record<string, unknown> }[] = [];
vi.mock("execa", () => ({
  execa: async (file: string, args: readonly string[], options: Record<string, unknown> = {}) => {
    calls.push({ file, args, options });
    return { stdout: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n" };
  },
}));

const { kustomizeBuild } = await import("./kustomize.js");
const { envWithoutSecrets } = await import("./child-env.js");

const planted = {
  SOPS_AGE_KEY: "AGE-SECRET-KEY-1PLANTED",
  SOPS_AGE_KEY_FILE: "/root/.config/sops/age/keys.txt",
  SOPS_AGE_KEY_CMD: "cat /root/key",
  SOPS_AGE_SSH_PRIVATE_KEY_FILE: "/root/.ssh/id_ed25519",
};

afterEach(() => {
  for (const name of Object.keys(planted)) delete process.env[name];
  calls.length = 0;
});

describe("kustomizeBuild", () => {
  it("runs kubectl without the SOPS age key variables, and without inheriting them", async () => {
    Object.assign(process.env, planted);
    const objects = await kustomizeBuild("/somewhere");
    expect(objects).toEqual([{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }]);
    expect(calls).toHaveLength(1);
    const options = calls[0]?.options ?? {};
    expect(options.extendEnv).toBe(false);
    const env = (options.env ?? process.env) as Record<string, string>;
    for (const name of Object.keys(planted)) expect(env[name], name).toBeUndefined();
    expect(env.PATH).toBe(process.env.PATH);
  });
});

describe("envWithoutSecrets", () => {
  it("drops SOPS variables and credential-like names, keeps the rest", () => {
    expect(
      envWithoutSecrets({
        ...planted,
        PATH: "/bin",
        HOME: "/root",
        GITHUB_TOKEN: "t",
        KUBECONFIG: "/k",
        AWS_SECRET_ACCESS_KEY: "s",
      }),
    ).toEqual({ PATH: "/bin", HOME: "/root", KUBECONFIG: "/k" });
  });
});
