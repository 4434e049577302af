// `gen secrets`: the only way kubeforge creates cluster PKI, and it never replaces an existing bundle.
import { readFile } from "node:fs/promises";
import { loadCluster } from "@kubeforge/config";
import { TalosError } from "../errors.js";
import { createBundleFile } from "../io/bundle-store.js";
import { talosLayout } from "../io/layout.js";
import type { SecretsBundle } from "../secrets/bundle.js";
import { generateBundle } from "../secrets/generate-bundle.js";
import { parseBundle } from "../secrets/read-bundle.js";
import { loadSopsSealer } from "../store/load-sops.js";
import type { CommandIo, CommandOptions } from "./context.js";

export async function genSecrets(options: CommandOptions, io: CommandIo): Promise<number> {
  const { cluster } = await loadCluster(options.cluster);
  const layout = talosLayout(options.cluster);
  const sealer = loadSopsSealer(cluster.sops.ageRecipients);
  let bundle: SecretsBundle;
  if (options.from) {
    const from = options.from;
    const text = await readFile(from, "utf8").catch((cause: unknown) => {
      throw new TalosError(
        "E_BUNDLE_MISSING",
        [
          {
            file: from,
            path: "",
            message: "cannot be read",
            hint: "pass the path of a talosctl/talhelper secrets.yaml",
          },
        ],
        { cause },
      );
    });
    // talhelper keeps its talsecret.sops.yaml encrypted: open it with the same SOPS keys.
    bundle = parseBundle(
      sealer.isSealed(text, "yaml") ? await sealer.open(text, { file: from, format: "yaml" }) : text,
      from,
    );
  } else {
    bundle = await generateBundle({ talosVersion: cluster.talos.version });
  }
  await createBundleFile({ file: layout.bundle, bundle, sealer });
  if (options.json) io.out(`${JSON.stringify({ file: layout.bundle, imported: Boolean(options.from) })}\n`);
  else if (!options.quiet) {
    io.out(
      `${cluster.name}: ${options.from ? "imported" : "generated"} the secrets bundle into ${layout.bundle} (SOPS-encrypted)\n`,
    );
    io.out("Keep a copy of the age key that decrypts it: losing the bundle means losing access to the cluster.\n");
  }
  return 0;
}
