// Typed classes generated from the upstream Flux and prometheus-operator CRDs (see each file's header).
export * as helm from "./helm-toolkit-fluxcd-io.js";
export * as kustomize from "./kustomize-toolkit-fluxcd-io.js";
export * as monitoring from "./monitoring-coreos-com.js";
export * as source from "./source-toolkit-fluxcd-io.js";
