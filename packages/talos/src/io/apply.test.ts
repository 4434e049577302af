import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Cluster, loadCluster } from "@kubeforge/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBundle } from "../__fixtures__/bundle.js";
import { createFakeSealer } from "../__fixtures__/fake-sealer.js";
import { homelabClusterFile } from "../__fixtures__/paths.js";
import { TalosError } from "../errors.js";
import { applyConfigs } from "./apply.js";
import { createBundleFile } from "./bundle-store.js";
import { generateTalosOutput, MACHINE_CONFIG_FORMAT } from "./generate-output.js";
import { type TalosLayout, talosconfigFile, talosLayout } from "./layout.js";

// Every folder these tests make lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "talos-apply-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let cluster: Cluster;
let layout: TalosLayout;
let directory: string;
const sealer = createFakeSealer();

beforeAll(async () => {
  cluster = (await loadCluster(homelabClusterFile)).cluster;
  directory = await mkdtemp(path.join(scratch, "talos-apply-"));
  layout = talosLayout(path.join(directory, "cluster.ts"));
  await createBundleFile({ file: layout.bundle, bundle: await testBundle(), sealer });
  await generateTalosOutput({ cluster, layout, sealer });
});

/** A talosctl stand-in that records its argv, the config file's kind and mode, and its first line. */
async function fakeTalosctl(exitCode = 0): Promise<{ bin: string; log: string }> {
  const log = path.join(directory, `talosctl-${exitCode}.log`);
  const bin = path.join(directory, `talosctl-${exitCode}`);
  await writeFile(
    bin,
    `#!/bin/sh
file=""; prev=""
for arg in "$@"; do [ "$prev" = "--file" ] && file="$arg"; prev="$arg"; done
echo "$* kind=$(stat -L -c %F "$file") mode=$(stat -L -c %a "$file") first=$(head -n 1 "$file")" >> "${log}"
exit ${exitCode}
`,
  );
  await chmod(bin, 0o755);
  return { bin, log };
}

describe("applyConfigs", () => {
  it("prints the talosctl commands on a dry run without decrypting anything", async () => {
    const opened = sealer.opened;
    const steps = await applyConfigs({ cluster, layout, sealer, dryRun: true, insecure: true });
    expect(steps.map((step) => step.command.join(" "))).toEqual([
      "talosctl apply-config --nodes 192.168.1.101 --file <config> --insecure",
      "talosctl apply-config --nodes 192.168.1.102 --file <config> --insecure",
      "talosctl apply-config --nodes 192.168.1.103 --file <config> --insecure",
    ]);
    expect(sealer.opened).toBe(opened);
  });

  it("hands talosctl each decrypted config on its stdin, never in a file; the talosconfig 0600, removed afterwards", async () => {
    const { bin, log } = await fakeTalosctl();
    const seen: string[] = [];
    await applyConfigs({
      cluster,
      layout,
      sealer,
      talosctl: bin,
      nodes: ["node-2"],
      onCommand: (command) => seen.push(...command),
    });
    const line = (await readFile(log, "utf8")).trim();
    expect(line).toMatch(
      /^apply-config --nodes 192\.168\.1\.102 --file \/dev\/stdin --talosconfig \S+ --endpoints 192\.168\.1\.102 kind=fifo mode=\d+ first=version: v1alpha1$/,
    );
    const talosconfig = seen[seen.indexOf("--talosconfig") + 1] as string;
    expect(existsSync(talosconfig)).toBe(false);
  });

  /**
   * A talosctl stand-in that, like the real one, reads its stdin and then opens `--talosconfig` by path once
   * (`cat` here, os.Open in talosctl); it logs the file's type and mode, its folder's mode, and copies what it read.
   */
  async function readingTalosctl(name: string): Promise<{ bin: string; log: string; copies: string }> {
    const log = path.join(directory, `${name}.log`);
    const copies = path.join(directory, `${name}-read`);
    const bin = path.join(directory, name);
    await writeFile(
      bin,
      `#!/bin/sh
cat > /dev/null
tc=""; prev=""
for arg in "$@"; do [ "$prev" = "--talosconfig" ] && tc="$arg"; prev="$arg"; done
echo "$3 kind=$(stat -c %F "$tc") mode=$(stat -c %a "$tc") folder=$(stat -c %a "$(dirname "$tc")")" >> "${log}"
cat "$tc" > "${copies}-$3"
`,
      { mode: 0o755 },
    );
    return { bin, log, copies };
  }

  const plainTalosconfig = async () => {
    const file = talosconfigFile(layout.generated);
    return sealer.open(await readFile(file, "utf8"), { file, format: MACHINE_CONFIG_FORMAT });
  };

  it("hands each talosctl run the talosconfig through a named pipe in a 0700 folder, written once per run", async () => {
    const { bin, log, copies } = await readingTalosctl("talosctl-reads");
    const seen: string[] = [];
    const warnings: string[] = [];
    await applyConfigs({
      cluster,
      layout,
      sealer,
      talosctl: bin,
      onCommand: (command) => seen.push(command[command.indexOf("--talosconfig") + 1] as string),
      onWarning: (message) => warnings.push(message),
    });
    // Every node's run opened it by path and read the whole talosconfig: a FIFO, never a regular file.
    expect((await readFile(log, "utf8")).trim().split("\n")).toEqual(
      ["192.168.1.101", "192.168.1.102", "192.168.1.103"].map((node) => `${node} kind=fifo mode=600 folder=700`),
    );
    const expected = await plainTalosconfig();
    expect(expected).toMatch(/^context: /);
    for (const node of ["192.168.1.101", "192.168.1.102", "192.168.1.103"])
      expect(await readFile(`${copies}-${node}`, "utf8")).toBe(expected);
    expect(warnings).toEqual([]);
    // The pipe and its folder are gone afterwards.
    expect(new Set(seen).size).toBe(1);
    expect(existsSync(path.dirname(seen[0] as string))).toBe(false);
  });

  it("does not hang when talosctl ends without reading the talosconfig, whether it succeeds or fails", async () => {
    const ok = path.join(directory, "talosctl-ignores");
    await writeFile(ok, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const steps = await applyConfigs({ cluster, layout, sealer, talosctl: ok });
    expect(steps.map((step) => step.hostname)).toEqual(["node-1", "node-2", "node-3"]);
    const failing = path.join(directory, "talosctl-refuses");
    await writeFile(failing, "#!/bin/sh\necho 'error: bad flag' >&2\nexit 1\n", { mode: 0o755 });
    const error = await applyConfigs({ cluster, layout, sealer, talosctl: failing }).catch((caught: unknown) => caught);
    expect((error as TalosError).code).toBe("E_TALOSCTL_FAILED");
    // One that opens the pipe and exits without reading it.
    const opens = path.join(directory, "talosctl-opens");
    await writeFile(
      opens,
      '#!/bin/sh\ntc=""; prev=""\nfor arg in "$@"; do [ "$prev" = "--talosconfig" ] && tc="$arg"; prev="$arg"; done\nexec 3<"$tc"\nexit 0\n',
      { mode: 0o755 },
    );
    expect(await applyConfigs({ cluster, layout, sealer, talosctl: opens })).toHaveLength(3);
    // A missing talosctl (sh exits 127, nothing opens the pipe) is reported as such.
    const missing = await applyConfigs({ cluster, layout, sealer, talosctl: path.join(directory, "nope") }).catch(
      (caught: unknown) => caught,
    );
    expect((missing as TalosError).code).toBe("E_TALOSCTL_MISSING");
  }, 120_000);

  it("falls back to a 0600 temp file, with a warning, when mkfifo is unavailable", async () => {
    const { bin, log, copies } = await readingTalosctl("talosctl-file");
    const warnings: string[] = [];
    await applyConfigs({
      cluster,
      layout,
      sealer,
      talosctl: bin,
      nodes: ["node-2"],
      mkfifo: path.join(directory, "no-mkfifo"),
      onWarning: (message) => warnings.push(message),
    });
    expect((await readFile(log, "utf8")).trim()).toBe("192.168.1.102 kind=regular file mode=600 folder=700");
    expect(await readFile(`${copies}-192.168.1.102`, "utf8")).toBe(await plainTalosconfig());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^cannot make a named pipe for the talosconfig \(.*no-mkfifo is not installed\): .*0600 temp file/,
    );
  });

  it("offers only the apply modes the cluster's talosctl has (interactive went in 1.13, reboot in 1.14)", async () => {
    // the homelab cluster runs Talos v1.13.9: no interactive (talosctl 1.13 refuses it at flag parsing)
    await expect(
      applyConfigs({ cluster, layout, sealer, dryRun: true, insecure: true, mode: "interactive" as never }),
    ).rejects.toThrow(
      /--mode: interactive is not an apply mode of talosctl v1\.13\.9 — use one of auto, no-reboot, reboot, staged, try/,
    );
    const on114 = { ...cluster, talos: { ...cluster.talos, version: "v1.14.0-rc.1" } } as Cluster;
    await expect(
      applyConfigs({ cluster: on114, layout, sealer, dryRun: true, insecure: true, mode: "reboot" }),
    ).rejects.toThrow(
      /--mode: reboot is not an apply mode of talosctl v1\.14\.0-rc\.1 — use one of auto, no-reboot, staged, try/,
    );
    const steps = await applyConfigs({ cluster, layout, sealer, dryRun: true, insecure: true, mode: "reboot" });
    expect(steps[0]?.command).toContain("reboot");
  });

  it("reports the node when talosctl fails (the config went over stdin: no file to remove)", async () => {
    const { bin } = await fakeTalosctl(3);
    const seen: string[] = [];
    const error = await applyConfigs({
      cluster,
      layout,
      sealer,
      talosctl: bin,
      nodes: ["node-1"],
      insecure: true,
      onCommand: (c) => seen.push(...c),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TalosError);
    expect((error as TalosError).code).toBe("E_TALOSCTL_FAILED");
    expect((error as Error).message).toMatch(/^node-1: talosctl apply-config failed/);
    expect(seen[seen.indexOf("--file") + 1]).toBe("/dev/stdin");
  });

  it("keeps SOPS keys out of talosctl's environment", async () => {
    const bin = path.join(directory, "talosctl-env");
    const log = path.join(directory, "talosctl-env.log");
    await writeFile(bin, `#!/bin/sh\nenv > "${log}"\n`, { mode: 0o755 });
    process.env.SOPS_AGE_KEY = "AGE-SECRET-KEY-1TEST";
    try {
      await applyConfigs({ cluster, layout, sealer, talosctl: bin, nodes: ["node-1"], insecure: true });
    } finally {
      delete process.env.SOPS_AGE_KEY;
    }
    const env = await readFile(log, "utf8");
    expect(env).not.toContain("AGE-SECRET-KEY");
    expect(env).not.toMatch(/^SOPS_/m);
    expect(env).toMatch(/^PATH=/m);
  });

  it("targets the maintenance-mode address the user gives, pins the certificate, passes --mode", async () => {
    const steps = await applyConfigs({
      cluster,
      layout,
      sealer,
      dryRun: true,
      insecure: true,
      nodes: ["node-2"],
      address: "192.168.1.57",
      certFingerprints: ["ab:cd"],
      mode: "no-reboot",
    });
    expect(steps.map((step) => step.command.join(" "))).toEqual([
      "talosctl apply-config --nodes 192.168.1.57 --file <config> --insecure --cert-fingerprint ab:cd --mode no-reboot",
    ]);
    await expect(
      applyConfigs({ cluster, layout, sealer, dryRun: true, insecure: true, address: "192.168.1.57" }),
    ).rejects.toThrow(/--address: names one node's address but 3 nodes are selected/);
    await expect(
      applyConfigs({ cluster, layout, sealer, dryRun: true, nodes: ["node-1"], certFingerprints: ["x"] }),
    ).rejects.toThrow(/--cert-fingerprint: is only for --insecure/);
    await expect(
      // biome-ignore lint/suspicious/noExplicitAny: an invalid mode as the CLI could pass it
      applyConfigs({ cluster, layout, sealer, dryRun: true, mode: "sometimes" as any }),
    ).rejects.toThrow(/--mode: sometimes is not an apply mode of talosctl v1\.13\.9 — use one of auto, no-reboot/);
  });

  it("reports a missing talosctl as such, with how to install it", async () => {
    const error = await applyConfigs({
      cluster,
      layout,
      sealer,
      talosctl: path.join(directory, "no-such-talosctl"),
      nodes: ["node-1"],
      insecure: true,
    }).catch((caught: unknown) => caught);
    expect((error as TalosError).code).toBe("E_TALOSCTL_MISSING");
    expect((error as Error).message).toMatch(/is not installed \(not found on PATH\) — install talosctl/);
    expect((error as Error).message).not.toContain("50000");
  });

  it("a dry run fails when there is nothing to apply", async () => {
    const empty = talosLayout(path.join(await mkdtemp(path.join(scratch, "talos-apply-empty-")), "cluster.ts"));
    await expect(applyConfigs({ cluster, layout: empty, sealer, dryRun: true, insecure: true })).rejects.toThrow(
      /node-1\.sops\.yaml: is missing: nothing to apply — run `kubeforge-talos gen config` first/,
    );
  });

  it("refuses an unknown node name", async () => {
    await expect(applyConfigs({ cluster, layout, sealer, nodes: ["node-9"], dryRun: true })).rejects.toThrow(
      /--node: node-9 is not a node of homelab — use one of node-1, node-2, node-3/,
    );
  });
});
