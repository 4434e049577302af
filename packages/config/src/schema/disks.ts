// Disks by hardware: the install disk and data disks are picked by path or by what the disk is (size,
// model, serial, wwid, type, bus path), so a renumbered /dev/sdX cannot wipe the wrong disk.
import { z } from "zod";

export const devicePath = z.string().startsWith("/dev/", { message: "must be a device path such as /dev/sda" });

/** A size bound as Talos reads it: a number with a unit, e.g. 100GB, 1.5TiB, optionally with a comparison. */
const sizeText = z.string().regex(/^(<=|>=|<|>|==)?\s*\d+(\.\d+)?\s*(B|[KMGTP]i?B)$/, {
  message: "must be a size such as 500GB or >= 1TiB",
});

export const diskSelectorSchema = z
  .strictObject({
    size: sizeText.optional().describe("Disk size, with an optional comparison: `>= 500GB`, `1TB`."),
    model: z.string().min(1).optional().describe("Disk model (glob), e.g. Samsung SSD 870*."),
    serial: z.string().min(1).optional().describe("Disk serial number."),
    wwid: z.string().min(1).optional().describe("World-wide id, e.g. naa.5002538e40a1b2c3."),
    type: z.enum(["ssd", "hdd", "nvme", "sd"]).optional().describe("Disk type."),
    busPath: z.string().min(1).optional().describe("Bus path (glob), e.g. /pci0000:00/0000:00:17.0/*."),
  })
  .refine((selector) => Object.keys(selector).length > 0, {
    message: "needs at least one field to select by",
    // only for a selector that is otherwise valid: `{ tpye: "nvme" }` is one unknown key, not also an empty selector
    when: (payload) => payload.issues.length === 0,
  })
  .describe("Selects a disk by what it is, not by its /dev name.");

export const diskSchema = z
  .union([devicePath, diskSelectorSchema])
  .describe("A disk: a /dev path, or a selector (size, model, serial, wwid, type, busPath).");

export const dataDiskSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/, {
        message: "must be lowercase letters, digits and '-', at most 32 characters",
      })
      .describe("Volume name; Talos mounts it at /var/mnt/<name>."),
    disk: diskSchema,
    minSize: z
      .string()
      .regex(/^\d+(\.\d+)?\s*(B|[KMGTP]i?B)$/, { message: "must be a size such as 100GiB" })
      .optional()
      .describe("Smallest acceptable volume size."),
    filesystem: z.enum(["xfs", "ext4"]).default("xfs").describe("Filesystem of the volume."),
    cubefs: z
      .enum(["data", "meta"])
      .optional()
      .describe("CubeFS use: `data` holds datanode data, `meta` metanode and master data."),
  })
  .describe("A data disk, rendered as a Talos UserVolumeConfig mounted at /var/mnt/<name>.");

export type DiskSelector = z.infer<typeof diskSelectorSchema>;
export type DiskSpec = z.infer<typeof diskSchema>;
export type DataDisk = z.infer<typeof dataDiskSchema>;
