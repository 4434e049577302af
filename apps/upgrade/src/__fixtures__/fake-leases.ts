// Test helper: an in-memory run-lock Lease with the API server's optimistic concurrency (409 on a stale
// resourceVersion), and a switch that makes every call fail the way an unreachable API server does.
import { type KubeClient, LeaseConflictError, type LeaseRecord, type LeaseSpec } from "../gates/nodes.js";
import { RUN_LEASE } from "../lock/cluster-lease.js";

export function fakeLeases(initial?: LeaseSpec) {
  let version = 0;
  let lease: LeaseRecord | undefined = initial ? { ...initial, resourceVersion: String(++version) } : undefined;
  let down: Error | undefined;
  const writes: string[] = [];
  const write = (spec: LeaseSpec) => {
    lease = { ...spec, resourceVersion: String(++version) };
    return lease;
  };
  const reach = (namespace: string, name: string) => {
    if (namespace !== RUN_LEASE.namespace || name !== RUN_LEASE.name) throw new Error(`no Lease ${namespace}/${name}`);
    if (down) throw down;
  };
  const kube: KubeClient = {
    listNodes: async () => [],
    listPods: async () => [],
    readLease: async (namespace, name) => {
      reach(namespace, name);
      return lease;
    },
    createLease: async (namespace, name, spec) => {
      reach(namespace, name);
      if (lease) throw new LeaseConflictError("exists");
      writes.push(`create ${spec.holder}`);
      return write(spec);
    },
    replaceLease: async (namespace, name, spec, resourceVersion) => {
      reach(namespace, name);
      if (lease?.resourceVersion !== resourceVersion) throw new LeaseConflictError("changed");
      writes.push(`replace ${spec.holder}`);
      return write(spec);
    },
    deleteLease: async (namespace, name, resourceVersion) => {
      reach(namespace, name);
      if (lease?.resourceVersion !== resourceVersion) throw new LeaseConflictError("changed");
      writes.push("delete");
      lease = undefined;
    },
  };
  return {
    kube,
    /** Writes made through the API, in order (`create me`, `replace me`, `delete`). */
    writes,
    get lease() {
      return lease;
    },
    /** Another writer (another run) changes the Lease. */
    set(spec: LeaseSpec) {
      write(spec);
    },
    remove() {
      lease = undefined;
    },
    /** From now on every call fails with this error (undefined: answers again). */
    fail(error: Error | undefined) {
      down = error;
    },
  };
}
