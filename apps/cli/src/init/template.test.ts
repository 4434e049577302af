import { validateCluster } from "@kubeforge/config";
import { expect, it } from "vitest";
import {
  clusterInput,
  DEFAULT_KUBERNETES_VERSION,
  DEFAULT_TALOS_VERSION,
  type InitValues,
  renderClusterTs,
  renderPackageJson,
} from "./template.js";

const values: InitValues = {
  name: "lab",
  environment: "production",
  nodes: [
    { hostname: "node-1", address: "10.0.0.11", mac: "aa:bb:cc:dd:ee:01" },
    { hostname: "node-2", address: "10.0.0.12" },
    { hostname: "node-3", address: "10.0.0.13" },
  ],
  nodeCidr: "10.0.0.0/24",
  gateway: "10.0.0.1",
  nameservers: ["10.0.0.1"],
  vip: "10.0.0.10",
  oidcIssuer: "https://auth.lab",
  oidcClientId: "kubernetes",
  adminGroup: "admins",
  gitUrl: "ssh://git@github.com/me/lab.git",
  gitBranch: "main",
  ageRecipient: "age1qwp864mpgk3hgh0j5h2ms30r5zw37xv8jwlk8s6chcrpzhz63skqn6tvzh",
  installDisk: "/dev/nvme0n1",
  interface: "enp1s0",
  talosVersion: DEFAULT_TALOS_VERSION,
  kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
};

it("renders a definition that validates with the default versions of the release table", () => {
  const result = validateCluster(clusterInput(values));
  expect(result.ok ? [] : result.errors).toEqual([]);
});

it("renders cluster.ts with the values and the fields to change marked, never an example's keys", () => {
  const text = renderClusterTs(values);
  expect(text).toContain('{ hostname: "node-2", address: "10.0.0.12", interface: "enp1s0" }');
  expect(text).toContain('mac: "aa:bb:cc:dd:ee:01"');
  expect(text).toContain(`sops: { ageRecipients: ["${values.ageRecipient}"] }`);
  expect(text).not.toContain("example");
  expect(text.match(/\/\/ CHANGE/g)?.length).toBeGreaterThanOrEqual(8);
  expect(JSON.parse(renderPackageJson("lab")).scripts.build).toBe("kubeforge build .");
});
