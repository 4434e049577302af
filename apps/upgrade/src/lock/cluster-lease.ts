// The run lock inside the cluster: a coordination.k8s.io/v1 Lease in kube-system, taken atomically (create,
// or replace at the observed resourceVersion), renewed while the run lasts, released only by its holder.
// Two shells in two folders (or on two machines) share the cluster, so this is the lock that keeps them apart.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { UpgradeError } from "../errors.js";
import { type KubeClient, LeaseConflictError, type LeaseRecord } from "../gates/nodes.js";

export const RUN_LEASE = { namespace: "kube-system", name: "kubeforge-upgrade" } as const;

/** @default 60 */
export const DEFAULT_LEASE_SECONDS = 60;

export interface ClusterLockOptions {
  readonly kube: KubeClient;
  /** @default DEFAULT_LEASE_SECONDS */
  readonly durationSeconds?: number;
  /** Identity to write; a fresh `<host>/<pid>/<uuid>` otherwise. */
  readonly identity?: string;
  /** The identity of a run proven dead (its local lock's pid is gone on this host): its Lease may be taken over. */
  readonly takeOverFrom?: string;
  /** Wall clock for renewTime (the Lease is read by other machines). @default () => new Date() */
  readonly now?: () => Date;
  /** Called once when the Lease is lost (someone else holds it, or renewals failed for a whole lease duration). */
  readonly onLost?: (reason: string) => void;
}

export interface ClusterLock {
  readonly identity: string;
  /** Throws E_LOCKED when the Lease was lost: the run must not touch another node. */
  assertHeld(): void;
  release(): Promise<void>;
}

export function newLockIdentity(): string {
  return `${hostname()}/${process.pid}/${randomUUID()}`;
}

function leaseApi(kube: KubeClient) {
  const { readLease, createLease, replaceLease, deleteLease } = kube;
  if (!readLease || !createLease || !replaceLease || !deleteLease) {
    throw new UpgradeError("E_CONNECT", "the Kubernetes client cannot manage Leases, so the run lock cannot be taken", {
      hint: "use createKubeClient",
    });
  }
  return {
    read: () => readLease.call(kube, RUN_LEASE.namespace, RUN_LEASE.name),
    create: (spec: Omit<LeaseRecord, "resourceVersion">) =>
      createLease.call(kube, RUN_LEASE.namespace, RUN_LEASE.name, spec),
    replace: (spec: Omit<LeaseRecord, "resourceVersion">, version: string) =>
      replaceLease.call(kube, RUN_LEASE.namespace, RUN_LEASE.name, spec, version),
    remove: (version: string) => deleteLease.call(kube, RUN_LEASE.namespace, RUN_LEASE.name, version),
  };
}

/** Whether a Lease's holder has stopped renewing it (renewTime older than its duration). */
export function leaseExpired(lease: LeaseRecord, now: Date): boolean {
  if (!lease.holder) return true;
  const renewed = Date.parse(lease.renewTime ?? lease.acquireTime ?? "");
  if (Number.isNaN(renewed)) return false;
  return now.getTime() - renewed > (lease.durationSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
}

function locked(lease: LeaseRecord): UpgradeError {
  return new UpgradeError(
    "E_LOCKED",
    `another upgrade holds the cluster lock (Lease ${RUN_LEASE.namespace}/${RUN_LEASE.name}: ${lease.holder}, renewed ${lease.renewTime ?? "?"})`,
    {
      gate: "no-upgrade-in-progress",
      hint: `wait for it to finish; if that run is gone, the Lease expires ${lease.durationSeconds ?? DEFAULT_LEASE_SECONDS}s after its last renewal`,
    },
  );
}

/** Takes the cluster lock or throws E_LOCKED; the returned lock renews itself until released. */
export async function acquireClusterLock(options: ClusterLockOptions): Promise<ClusterLock> {
  const api = leaseApi(options.kube);
  const now = options.now ?? (() => new Date());
  const identity = options.identity ?? newLockIdentity();
  const durationSeconds = options.durationSeconds ?? DEFAULT_LEASE_SECONDS;
  // Monotonic, immune to wall-clock jumps. A write counts from when it was sent: its renewTime is stamped then,
  // and the Lease expires for everyone else `durationSeconds` after that stamp.
  const clock = () => performance.now();
  const requested = clock();
  const spec = () => {
    const time = now().toISOString();
    return { holder: identity, durationSeconds, acquireTime: time, renewTime: time };
  };
  let current: LeaseRecord;
  try {
    const existing = await api.read();
    if (!existing) current = await api.create(spec());
    else if (existing.holder === options.takeOverFrom || leaseExpired(existing, now())) {
      current = await api.replace(spec(), existing.resourceVersion);
    } else throw locked(existing);
  } catch (error) {
    if (error instanceof LeaseConflictError) {
      const holder = await api.read().catch(() => undefined);
      throw locked(holder ?? { resourceVersion: "", holder: "another run" });
    }
    if (error instanceof UpgradeError) throw error;
    throw new UpgradeError("E_CONNECT", `cannot take the cluster lock: ${(error as Error).message}`, {
      hint: "the run needs to create a Lease in kube-system (RBAC: coordination.k8s.io leases create/update/delete)",
    });
  }

  let lost: string | undefined;
  let renewedAt = requested;
  // From this moment another run may take the Lease over, so this run must not touch a node any more.
  const mayHaveExpired = () => clock() - renewedAt >= durationSeconds * 1000;
  const loseWith = (reason: string) => {
    if (lost) return;
    lost = reason;
    options.onLost?.(reason);
  };
  let renewing: Promise<void> | undefined;
  const renew = async () => {
    const sent = clock();
    try {
      const seen = await api.read();
      if (!seen || seen.holder !== identity) {
        loseWith(`the cluster lock was taken by ${seen?.holder ?? "nobody (deleted)"}`);
        return;
      }
      current = await api.replace(
        { ...spec(), acquireTime: seen.acquireTime ?? now().toISOString() },
        seen.resourceVersion,
      );
      renewedAt = sent;
    } catch (error) {
      if (error instanceof LeaseConflictError) loseWith("the cluster lock changed under this run");
      else if (mayHaveExpired()) {
        loseWith(`the cluster lock could not be renewed for ${durationSeconds}s: ${(error as Error).message}`);
      }
    }
  };
  const timer = setInterval(
    () => {
      if (!lost && !renewing) renewing = renew().finally(() => (renewing = undefined));
    },
    Math.max(200, (durationSeconds * 1000) / 3),
  );
  timer.unref();
  return {
    identity,
    assertHeld() {
      // A run paused (Ctrl-Z, a VM pause) or starved past the duration fired no renewal that could notice.
      if (mayHaveExpired()) loseWith(`the cluster lock was not renewed for ${durationSeconds}s and may have expired`);
      if (lost) {
        throw new UpgradeError("E_LOCKED", `stopped: ${lost}`, {
          gate: "no-upgrade-in-progress",
          hint: "another run may be upgrading this cluster now: check `kubeforge-upgrade status` before anything else",
        });
      }
    },
    async release() {
      clearInterval(timer);
      await renewing;
      if (lost) return;
      lost = "released";
      // Owner-checked: delete only our own Lease, at the version we read.
      const seen = await api.read().catch(() => undefined);
      if (seen?.holder === identity) await api.remove(seen.resourceVersion).catch(() => {});
      void current;
    },
  };
}

/** The Lease as `status` shows it; undefined when it does not exist or cannot be read. */
export async function readClusterLock(kube: KubeClient): Promise<(LeaseRecord & { expired: boolean }) | undefined> {
  try {
    const lease = await leaseApi(kube).read();
    return lease ? { ...lease, expired: leaseExpired(lease, new Date()) } : undefined;
  } catch {
    return undefined;
  }
}
