// The sops release whose file format and behaviour this package follows.
export const SOPS_VERSION = "3.13.2";
