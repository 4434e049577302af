import { z } from "zod";
import { dataDiskSchema, diskSchema } from "./disks.js";
import { hardwareAddress, nodeNetworkSchema } from "./node-network.js";
import { dns1123Label, ipAddress } from "./primitives.js";
import { nodeSchematicSchema } from "./schematic.js";
import { talosPatchSchema } from "./talos-patches.js";

export const nodeSchema = z
  .strictObject({
    hostname: dns1123Label.describe("Node name; also the Kubernetes node name."),
    address: ipAddress.describe("Static address of the node inside nodeCidr (with network.dhcp: its reserved lease)."),
    mac: hardwareAddress
      .optional()
      .describe("MAC address of the node's uplink NIC: selects the link by hardware (any case; stored lower-case)."),
    linkMatch: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Talos link selector (CEL) for the uplink when no MAC is given, e.g. `link.driver == "igc"` or `glob("enp1s*", link.name)`.',
      ),
    interface: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Kernel name of the uplink (enp1s0). Names change with firmware and slots: prefer mac. ethN needs net.ifnames=0.",
      ),
    installDisk: diskSchema.optional().describe("Disk Talos installs to; defaults to talos.installDisk."),
    disks: z
      .array(dataDiskSchema)
      .default([])
      .describe("Data disks, each a Talos user volume mounted at /var/mnt/<name>."),
    network: nodeNetworkSchema.prefault({}),
    schematic: nodeSchematicSchema.optional(),
    controlPlane: z.boolean().default(true).describe("Runs etcd and the control plane."),
    worker: z
      .boolean()
      .default(true)
      .describe("Schedules workloads (on a control-plane node this allows scheduling there)."),
    labels: z.record(z.string(), z.string()).default({}).describe("Extra Kubernetes node labels."),
    patches: z
      .array(talosPatchSchema)
      .default([])
      .describe("Machine-config patches for this node only, applied after the cluster- and role-level ones."),
  })
  .refine(
    (node) =>
      node.mac !== undefined ||
      node.linkMatch !== undefined ||
      node.interface !== undefined ||
      node.network.bond !== undefined,
    {
      message:
        "needs a mac (or linkMatch, interface, or network.bond) so its network link can be configured — add its NIC's MAC address",
    },
  )
  .describe("A machine of the cluster.");

export type Node = z.infer<typeof nodeSchema>;
