import { describe, expect, it } from "vitest";
import { factorySchematic, marshalSchematic, schematicId } from "./schematic-id.js";

describe("schematicId", () => {
  // Ids as published by the Image Factory (factory.talos.dev) and quoted across talhelper/Terraform set-ups.
  it.each([
    [[], "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba"],
    [["siderolabs/qemu-guest-agent"], "ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515"],
    [
      ["siderolabs/iscsi-tools", "siderolabs/util-linux-tools"],
      "613e1592b2da41ae5e265e8789429f22e121aab91cb4deb6bc3c0b6262961245",
    ],
  ])("matches the factory's id for extensions %j", (extensions, id) => {
    expect(schematicId(factorySchematic({ extensions, extraKernelArgs: [] }))).toBe(id);
  });

  it("marshals like go-yaml v3: struct order, 4-space indent, empty parts left out", () => {
    const text = marshalSchematic(
      factorySchematic({
        extensions: ["siderolabs/intel-ucode"],
        extraKernelArgs: ["net.ifnames=0"],
        overlay: { image: "siderolabs/sbc-raspberrypi", name: "rpi_generic" },
      }),
    );
    expect(text).toBe(
      [
        "overlay:",
        "    image: siderolabs/sbc-raspberrypi",
        "    name: rpi_generic",
        "customization:",
        "    extraKernelArgs:",
        "        - net.ifnames=0",
        "    systemExtensions:",
        "        officialExtensions:",
        "            - siderolabs/intel-ucode",
        "",
      ].join("\n"),
    );
  });
});
