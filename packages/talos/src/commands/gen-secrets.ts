// `gen secrets`: the only way kubeforge creates cluster PKI. It never replaces a bundle, and it refuses while
// configs built from another bundle exist (new CAs lock a running cluster out) unless told `--rekey`.

import { readFile } from "node:fs/promises";
import path from "node:path";
import { loadCluster } from "@kubeforge/config";
import { TalosError } from "../errors.js";
import { assertNoBundle, createBundleFile } from "../io/bundle-store.js";
import { talosLayout } from "../io/layout.js";
import { listGeneratedFiles } from "../io/pki-guard.js";
import { recoverBundleCommand } from "../io/recovery-command.js";
import type { SecretsBundle } from "../secrets/bundle.js";
import { parseSecretsSource } from "../secrets/from-machine-config.js";
import { generateBundle } from "../secrets/generate-bundle.js";
import { loadSopsSealer } from "../store/load-sops.js";
import type { SecretSealer } from "../store/sealer.js";
import type { CommandIo, CommandOptions } from "./context.js";

async function importBundle(from: string, sealer: SecretSealer): Promise<SecretsBundle> {
  const text = await readFile(from, "utf8").catch((cause: unknown) => {
    throw new TalosError(
      "E_BUNDLE_MISSING",
      [
        {
          file: from,
          path: "",
          message: "cannot be read",
          hint: "pass the path of a talosctl/talhelper secrets.yaml or of a control-plane machine config",
        },
      ],
      { cause },
    );
  });
  // talhelper keeps its talsecret.sops.yaml encrypted, and so does kubeforge its machine configs.
  const plaintext = sealer.isSealed(text, "yaml") ? await sealer.open(text, { file: from, format: "yaml" }) : text;
  return parseSecretsSource(plaintext, from);
}

export async function genSecrets(options: CommandOptions, io: CommandIo): Promise<number> {
  const { cluster } = await loadCluster(options.cluster);
  const layout = talosLayout(options.cluster);
  const sealer = loadSopsSealer(cluster.sops.ageRecipients);
  // an existing bundle first: the "configs exist" refusal below is about a MISSING bundle (it advises recovery)
  if (!options.from) await assertNoBundle(layout.bundle);
  const generated = await listGeneratedFiles(layout);
  // An import restores the cluster's own PKI (gen config then checks it against the configs); only new PKI is refused.
  if (generated.length > 0 && !options.from) {
    if (!options.rekey) {
      throw new TalosError(
        "E_GENERATED_EXISTS",
        generated.map((file) => ({
          file,
          path: "",
          message: "exists: it was built from this cluster's current PKI",
          hint: `new secrets would lock you out of the running cluster. Restore the bundle (git), or recover it with \`${recoverBundleCommand(layout.bundle, path.join(layout.generated, "<control-plane>.sops.yaml"))}\`; pass --rekey only to re-key a cluster you will reinstall`,
        })),
        { summary: `refusing to create new cluster PKI while generated configs exist in ${layout.generated}:` },
      );
    }
  }
  const bundle = options.from
    ? await importBundle(options.from, sealer)
    : await generateBundle({ talosVersion: cluster.talos.version });
  await createBundleFile({ file: layout.bundle, bundle, sealer });
  // only once the new PKI exists: createBundleFile refuses an existing bundle, and then nothing was re-keyed
  if (generated.length > 0 && !options.from) {
    io.err(
      `warning: --rekey: new PKI for ${cluster.name}; the configs in ${path.relative(process.cwd(), layout.generated) || layout.generated} become useless and every node must be reset and reinstalled with the new ones (gen config --rekey, then apply --insecure)\n`,
    );
  }
  if (options.json) io.out(`${JSON.stringify({ file: layout.bundle, imported: Boolean(options.from) })}\n`);
  else if (!options.quiet) {
    io.out(
      `${cluster.name}: ${options.from ? "imported" : "generated"} the secrets bundle into ${layout.bundle} (SOPS-encrypted)\n`,
    );
    io.out("Keep a copy of the age key that decrypts it: losing the bundle means losing access to the cluster.\n");
  }
  return 0;
}
