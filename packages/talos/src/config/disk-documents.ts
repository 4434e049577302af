// Disks by hardware: the install disk (v1alpha1 `install.disk`/`diskSelector` up to 1.13, a CEL selector in
// 1.14's UnattendedInstall) and data disks as UserVolumeConfig (every supported line; 1.12 has no `mount`
// block, and Talos mounts a user volume at /var/mnt/<name> on every line).
import type { DataDisk, DiskSelector, DiskSpec } from "@kubeforge/config";
import type { NodeContext } from "./context.js";
import { type ConfigDocument, typedDocument } from "./documents.js";

const UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  PB: 1e15,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  PiB: 2 ** 50,
};

/** `>= 500GB` as a CEL comparison of `disk.size` in bytes; a bare size means "at least". */
function sizeCondition(size: string): string {
  const match = /^(<=|>=|<|>|==)?\s*(\d+(?:\.\d+)?)\s*(B|[KMGTP]i?B)$/.exec(size);
  if (!match) throw new Error(`internal: unchecked disk size ${size}`);
  const [, operator = ">=", amount = "0", unit = "B"] = match;
  return `disk.size ${operator} ${Math.round(Number(amount) * (UNITS[unit] ?? 1))}u`;
}

const quote = (text: string) => JSON.stringify(text);

/** A disk spec as a Talos CEL expression over `disk` (block.DiskSpec). Pure. */
export function diskMatch(disk: DiskSpec): string {
  if (typeof disk === "string") return `disk.dev_path == ${quote(disk)}`;
  return selectorConditions(disk).join(" && ");
}

function selectorConditions(selector: DiskSelector): string[] {
  const conditions: string[] = [];
  if (selector.size !== undefined) conditions.push(sizeCondition(selector.size));
  if (selector.model !== undefined) conditions.push(`glob(${quote(selector.model)}, disk.model)`);
  if (selector.serial !== undefined) conditions.push(`disk.serial == ${quote(selector.serial)}`);
  if (selector.wwid !== undefined) conditions.push(`disk.wwid == ${quote(selector.wwid)}`);
  if (selector.busPath !== undefined) conditions.push(`glob(${quote(selector.busPath)}, disk.bus_path)`);
  switch (selector.type) {
    case "nvme":
      conditions.push('disk.transport == "nvme"');
      break;
    case "ssd":
      conditions.push('!disk.rotational && disk.transport != "nvme"');
      break;
    case "hdd":
      conditions.push("disk.rotational");
      break;
    case "sd":
      conditions.push('disk.transport == "mmc"');
      break;
    default:
      break;
  }
  return conditions;
}

/** v1alpha1 `machine.install` disk fields (1.12/1.13): `disk` for a path, `diskSelector` otherwise. */
export function installDiskFields(disk: DiskSpec): Record<string, unknown> {
  if (typeof disk === "string") return { disk };
  return { diskSelector: { ...disk } };
}

/** One UserVolumeConfig per data disk; never on the system disk. */
export function renderDataDiskDocuments(context: NodeContext): ConfigDocument[] {
  return context.node.disks.map((disk: DataDisk) =>
    typedDocument("UserVolumeConfig", {
      name: disk.name,
      provisioning: {
        diskSelector: { match: `${diskMatch(disk.disk)} && !system_disk` },
        minSize: disk.minSize ?? "1GiB",
        grow: true,
      },
      filesystem: { type: disk.filesystem },
    }),
  );
}
