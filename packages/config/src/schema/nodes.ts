import { z } from "zod";
import { dns1123Label, ipAddress, macAddress } from "./primitives.js";
import { talosPatchSchema } from "./talos-patches.js";

export const nodeSchema = z
  .strictObject({
    hostname: dns1123Label.describe("Node name; also the Kubernetes node name."),
    address: ipAddress.describe("Static address of the node inside nodeCidr."),
    mac: macAddress.optional().describe("MAC address of the node's uplink (selects the link by hardware address)."),
    interface: z
      .string()
      .min(1)
      .optional()
      .describe("Name of the node's uplink, e.g. eth0 or enp1s0, when no MAC is given."),
    installDisk: z
      .string()
      .startsWith("/dev/")
      .optional()
      .describe("Disk Talos installs to; defaults to talos.installDisk."),
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
  .refine((node) => node.mac !== undefined || node.interface !== undefined, {
    message: "needs a mac or an interface so its network link can be configured — add one of them",
  })
  .describe("A machine of the cluster.");

export type Node = z.infer<typeof nodeSchema>;
