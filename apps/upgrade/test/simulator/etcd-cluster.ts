// A real three-member etcd cluster (Debian etcd-server) on loopback with TLS from the simulator's PKI.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { SimulatorPki } from "./pki.js";
import { freePort } from "./ports.js";

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly args: readonly string[];
  process?: ChildProcess;
}

export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  readonly endpoints: readonly string[];
  start(index: number): void;
  stop(index: number): Promise<void>;
  stopAll(): Promise<void>;
}

/** Fails loudly when etcd is missing: CI installs etcd-server, and a test must not skip silently. */
export function requireEtcdBinary(): string {
  try {
    return execFileSync("etcd", ["--version"], { encoding: "utf8" }).split("\n")[0] ?? "etcd";
  } catch {
    throw new Error("the etcd binary is not on PATH: install Debian's etcd-server (scripts/setup.sh does)");
  }
}

export async function startEtcdCluster(options: {
  dir: string;
  names: readonly string[];
  pki: SimulatorPki;
}): Promise<EtcdCluster> {
  requireEtcdBinary();
  const caFile = path.join(options.dir, "ca.crt");
  writeFileSync(caFile, options.pki.ca);
  const ports: { client: number; peer: number }[] = [];
  for (const _ of options.names) ports.push({ client: await freePort(), peer: await freePort() });
  const initial = options.names.map((name, index) => `${name}=https://127.0.0.1:${ports[index]?.peer}`).join(",");
  const members: EtcdMember[] = options.names.map((name, index) => {
    const port = ports[index] as { client: number; peer: number };
    const certs = options.pki.members[index];
    if (!certs) throw new Error(`no certificate for member ${name}`);
    const memberDir = path.join(options.dir, name);
    mkdirSync(memberDir, { recursive: true });
    const certFile = path.join(memberDir, "member.crt");
    const keyFile = path.join(memberDir, "member.key");
    writeFileSync(certFile, certs.cert);
    writeFileSync(keyFile, certs.key, { mode: 0o600 });
    const clientUrl = `https://127.0.0.1:${port.client}`;
    const peerUrl = `https://127.0.0.1:${port.peer}`;
    return {
      name,
      clientUrl,
      peerUrl,
      args: [
        `--name=${name}`,
        `--data-dir=${path.join(memberDir, "data")}`,
        `--listen-client-urls=${clientUrl}`,
        `--advertise-client-urls=${clientUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=${initial}`,
        "--initial-cluster-state=new",
        "--initial-cluster-token=kubeforge-sim",
        `--cert-file=${certFile}`,
        `--key-file=${keyFile}`,
        `--trusted-ca-file=${caFile}`,
        "--client-cert-auth",
        `--peer-cert-file=${certFile}`,
        `--peer-key-file=${keyFile}`,
        `--peer-trusted-ca-file=${caFile}`,
        "--peer-client-cert-auth",
        // Fast elections keep the suite short on busy machines without flapping.
        "--heartbeat-interval=100",
        "--election-timeout=1000",
        "--log-level=error",
        "--logger=zap",
      ],
    };
  });
  const start = (index: number) => {
    const member = members[index];
    if (!member) throw new Error(`no member ${index}`);
    if (member.process && member.process.exitCode === null && member.process.signalCode === null) return;
    member.process = spawn("etcd", member.args, { stdio: ["ignore", "ignore", "pipe"] });
    member.process.stderr?.resume();
  };
  const stop = async (index: number) => {
    const child = members[index]?.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  };
  for (let index = 0; index < members.length; index += 1) start(index);
  return {
    members,
    endpoints: members.map((member) => member.clientUrl),
    start,
    stop,
    stopAll: async () => {
      await Promise.all(members.map((_, index) => stop(index)));
    },
  };
}
