// Where Talos mounts user volumes, and which of them CubeFS uses: the Talos configs and the CubeFS chart
// values both read this, so the disks a node formats are the paths CubeFS writes to.
import type { Cluster } from "./schema/cluster.js";

/** Talos mounts a UserVolumeConfig named `name` at /var/mnt/<name>. */
export const USER_VOLUME_ROOT = "/var/mnt";

export function userVolumePath(name: string): string {
  return `${USER_VOLUME_ROOT}/${name}`;
}

export interface CubefsVolumes {
  /** Mount paths of the `cubefs: data` disks (the same names on every datanode; checked by validateCluster). */
  readonly data: readonly string[];
  /** Mount path of the `cubefs: meta` disk (metanode and master data), if any. */
  readonly meta?: string;
}

export function cubefsVolumes(cluster: Cluster): CubefsVolumes {
  const disks = cluster.nodes.flatMap((node) => node.disks);
  const data = [...new Set(disks.filter((disk) => disk.cubefs === "data").map((disk) => disk.name))].sort();
  const meta = disks.find((disk) => disk.cubefs === "meta")?.name;
  return { data: data.map(userVolumePath), ...(meta !== undefined ? { meta: userVolumePath(meta) } : {}) };
}
