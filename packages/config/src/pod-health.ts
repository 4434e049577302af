// Kubernetes knowledge shared by the upgrade's pods-healthy gate and `kubeforge doctor`: one list, so the
// gate that blocks an upgrade and the check that explains a cluster agree on what a failing pod is.

/**
 * Container waiting reasons (kubelet) that mean the container will not start without a change: a crash
 * loop, an image that cannot be pulled or named, a bad container config. Benign ones (ContainerCreating,
 * PodInitializing) are not here.
 */
export const FAILING_WAITING_REASONS: ReadonlySet<string> = new Set([
  "CrashLoopBackOff",
  "ImagePullBackOff",
  "ErrImagePull",
  "CreateContainerConfigError",
  "CreateContainerError",
  "InvalidImageName",
  "RunContainerError",
]);
