// CubeFS on the nodes' data disks: datanode disks and the metanode/master data path are the Talos user volumes.
import { type ClusterInput, validateCluster } from "@kubeforge/config";
import { describe, expect, it } from "vitest";
import { fixtureInput } from "../../test/fixture-cluster.js";
import { cubefsValues } from "./cubefs.js";

function cluster(change: (input: ClusterInput) => void) {
  const input = fixtureInput();
  change(input);
  const result = validateCluster(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.cluster;
}

describe("cubefsValues on data disks", () => {
  it("places datanode disks and metanode data on the /var/mnt user volumes, never on the system disk", () => {
    const values = cubefsValues(
      cluster((input) => {
        input.nodes = input.nodes.map((node) => ({
          ...node,
          disks: [
            { name: "cubefs-meta", disk: { type: "ssd" }, cubefs: "meta" },
            { name: "cubefs-data", disk: { type: "hdd" }, cubefs: "data" },
            { name: "cubefs-data2", disk: { serial: `S${node.hostname}` }, cubefs: "data" },
          ],
        }));
      }),
    );
    expect(values.datanode.disks).toEqual([
      `/var/mnt/cubefs-data:${10 * 1024 ** 3}`,
      `/var/mnt/cubefs-data2:${10 * 1024 ** 3}`,
    ]);
    expect(values.path.data).toBe("/var/mnt/cubefs-meta");
    expect(JSON.stringify(values)).not.toContain("/var/lib/cubefs");
  });

  it("keeps the system-disk path only when the model has no data disks", () => {
    const values = cubefsValues(cluster(() => {}));
    expect(values.datanode.disks).toEqual([`/var/lib/cubefs/data0:${10 * 1024 ** 3}`]);
  });
});
