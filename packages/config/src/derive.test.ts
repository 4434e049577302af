import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cubefsNodeLabels, installerImage } from "./derive.js";
import { parseClusterYaml } from "./load.js";
import type { Cluster } from "./schema/cluster.js";
import { validateCluster } from "./validate.js";

type Data = { talos: Record<string, unknown>; cubefs?: Record<string, unknown> };

function fixture(change: (data: Data) => void = () => {}): Cluster {
  const data = parseClusterYaml(
    readFileSync(path.resolve(import.meta.dirname, "../test/fixtures/valid/cluster.yaml"), "utf8"),
  ) as Data;
  change(data);
  const result = validateCluster(data);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.cluster;
}

const VANILLA = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";

describe("installerImage", () => {
  it("uses the Image Factory installer up to Talos 1.13 and metal-installer from 1.14, as talosctl does", () => {
    expect(installerImage(fixture())).toBe(`factory.talos.dev/installer/${VANILLA}:v1.13.9`);
    expect(installerImage(fixture((data) => (data.talos.version = "v1.14.0")))).toBe(
      `factory.talos.dev/metal-installer/${VANILLA}:v1.14.0`,
    );
  });

  it("keeps an installer image the model names", () => {
    expect(installerImage(fixture((data) => (data.talos.installerImage = "registry.lan/installer:v1.13.9")))).toBe(
      "registry.lan/installer:v1.13.9",
    );
  });
});

describe("cubefsNodeLabels", () => {
  it("puts masters on control planes by default and the other roles on every node", () => {
    const labels = cubefsNodeLabels(fixture((data) => (data.cubefs = { metaNodes: ["lab-1", "lab-2"] })));
    expect(labels["lab-3"]).toEqual({
      "component.cubefs.io/master": "enabled",
      "component.cubefs.io/datanode": "enabled",
      "component.cubefs.io/csi": "enabled",
    });
    expect(Object.keys(labels["lab-1"] ?? {})).toContain("component.cubefs.io/metanode");
  });
});
