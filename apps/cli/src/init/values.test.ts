import { expect, it } from "vitest";
import { collectValues, defaultNodeCidr, parseNodeFlag } from "./values.js";

it("parses --node as [hostname=]address[,mac]", () => {
  expect(parseNodeFlag("192.168.1.11", 0)).toEqual({ hostname: "node-1", address: "192.168.1.11" });
  expect(parseNodeFlag("cp-a=192.168.1.12,aa:bb:cc:dd:ee:02", 1)).toEqual({
    hostname: "cp-a",
    address: "192.168.1.12",
    mac: "aa:bb:cc:dd:ee:02",
  });
  expect(defaultNodeCidr("10.0.7.1")).toBe("10.0.7.0/24");
});

it("asks on a terminal for exactly the missing values, MACs included", async () => {
  const questions: string[] = [];
  const answers = [
    "10.0.0.11, 10.0.0.12,10.0.0.13",
    "https://auth.lab",
    "git@gitlab.com:me/lab.git",
    "aa:bb:cc:dd:ee:01,,aa:bb:cc:dd:ee:03",
    "enp1s0",
  ];
  const values = await collectValues("lab", { gateway: "10.0.0.1", vip: "10.0.0.10" }, async (question) => {
    questions.push(question);
    return answers.shift() ?? "";
  });
  expect(questions.map((q) => q.split(" (")[0]!.split(":")[0])).toEqual([
    "Node addresses",
    "OIDC issuer URL",
    "Git URL Flux pulls from",
    "MAC addresses of the nodes, same order",
    "Uplink interface of node-2",
  ]);
  expect(values.nodes).toEqual([
    { hostname: "node-1", address: "10.0.0.11", mac: "aa:bb:cc:dd:ee:01" },
    { hostname: "node-2", address: "10.0.0.12" },
    { hostname: "node-3", address: "10.0.0.13", mac: "aa:bb:cc:dd:ee:03" },
  ]);
  expect(values).toMatchObject({
    nodeCidr: "10.0.0.0/24",
    nameservers: ["10.0.0.1", "1.1.1.1"],
    gitUrl: "ssh://git@gitlab.com/me/lab.git",
    interface: "enp1s0",
  });
});

it("lists every missing flag when there is no terminal", async () => {
  await expect(collectValues("lab", { vip: "10.0.0.10" }, undefined)).rejects.toMatchObject({
    code: "E_USAGE",
    hint: "pass --node 192.168.1.11,aa:bb:cc:dd:ee:01 (repeat per node, each with its MAC), --gateway 192.168.1.1, --oidc-issuer https://auth.example.com, --git-url ssh://git@github.com/you/homelab.git (or run it in a terminal to be asked)",
  });
});

it("in a terminal, says an empty answer left a value missing (not to run it in a terminal)", async () => {
  const error = await collectValues("lab", { vip: "10.0.0.10" }, async () => "").catch((caught: unknown) => caught);
  expect(error).toMatchObject({ code: "E_USAGE" });
  expect((error as { hint: string }).hint).toMatch(
    /^answer every question \(an empty answer leaves the value missing\)/,
  );
  expect((error as { hint: string }).hint).not.toContain("run it in a terminal");
});

const FLAGS = {
  gateway: "10.0.0.1",
  vip: "10.0.0.10",
  "oidc-issuer": "https://auth.lab",
  "git-url": "git@gitlab.com:me/lab.git",
};

it("requires a MAC per node or --interface, and refuses ethN (Talos names NICs enpXsY)", async () => {
  await expect(
    collectValues("lab", { ...FLAGS, node: ["10.0.0.11,aa:bb:cc:dd:ee:01", "10.0.0.12"] }, undefined),
  ).rejects.toMatchObject({ code: "E_USAGE", message: "node-2 (10.0.0.12) has no MAC address" });
  await expect(
    collectValues("lab", { ...FLAGS, node: ["10.0.0.12"], interface: "eth0" }, undefined),
  ).rejects.toMatchObject({ message: expect.stringContaining("--interface eth0") });
  const values = await collectValues("lab", { ...FLAGS, node: ["10.0.0.12"], interface: "enp2s0" }, undefined);
  expect(values.interface).toBe("enp2s0");
  const withMacs = await collectValues("lab", { ...FLAGS, node: ["10.0.0.11,aa:bb:cc:dd:ee:01"] }, undefined);
  expect(withMacs.nodes[0]).toMatchObject({ mac: "aa:bb:cc:dd:ee:01" });
});
