// The Image Factory schematic id, computed offline with the factory's own algorithm
// (siderolabs/image-factory pkg/schematic/schematic.go): sha256 of the schematic marshalled by go-yaml v3
// (4-space indent, fields in struct order: overlay{image,name,options}, customization{extraKernelArgs, meta,
// systemExtensions{officialExtensions}, secureboot}; empty fields omitted, but `customization` always present).
// The vanilla schematic is `customization: {}\n` → 376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba.
// The factory keeps list order as given, so extensions are used in the order the model lists them.
import { createHash } from "node:crypto";
import { Document } from "yaml";

/** The schematic document as the factory receives it (`POST /schematics`). */
export interface FactorySchematic {
  readonly overlay?: { readonly image: string; readonly name: string; readonly options?: Record<string, unknown> };
  readonly customization: {
    readonly extraKernelArgs?: readonly string[];
    readonly systemExtensions?: { readonly officialExtensions: readonly string[] };
  };
}

export interface SchematicParts {
  readonly extensions: readonly string[];
  readonly extraKernelArgs: readonly string[];
  readonly overlay?: { readonly image: string; readonly name: string; readonly options?: Record<string, unknown> };
}

/** The factory document for extensions, kernel arguments and overlay, with empty parts left out. Pure. */
export function factorySchematic(parts: SchematicParts): FactorySchematic {
  const overlay = parts.overlay
    ? {
        image: parts.overlay.image,
        name: parts.overlay.name,
        ...(parts.overlay.options && Object.keys(parts.overlay.options).length > 0
          ? { options: parts.overlay.options }
          : {}),
      }
    : undefined;
  return {
    ...(overlay ? { overlay } : {}),
    customization: {
      ...(parts.extraKernelArgs.length > 0 ? { extraKernelArgs: [...parts.extraKernelArgs] } : {}),
      ...(parts.extensions.length > 0 ? { systemExtensions: { officialExtensions: [...parts.extensions] } } : {}),
    },
  };
}

/** The YAML the factory hashes: go-yaml v3's layout (4-space indent, indented sequences, no folding). */
export function marshalSchematic(schematic: FactorySchematic): string {
  return new Document(schematic).toString({ indent: 4, lineWidth: 0, indentSeq: true });
}

/** The schematic id the Image Factory assigns to `schematic`. Pure. */
export function schematicId(schematic: FactorySchematic): string {
  return createHash("sha256").update(marshalSchematic(schematic)).digest("hex");
}
