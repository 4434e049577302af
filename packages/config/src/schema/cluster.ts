// The whole cluster definition. Cross-field rules live in ../checks/ so each can name its own fix.
import { z } from "zod";
import { ciliumSchema } from "./cilium.js";
import { appSchema, corednsSchema, cubefsSchema, loggingSchema, monitoringSchema } from "./components.js";
import { namespaceSchema } from "./namespaces.js";
import { apiSchema, networkSchema } from "./network.js";
import { nodeSchema } from "./nodes.js";
import { oidcSchema } from "./oidc.js";
import { fluxSchema, priorityClassSchema, sopsSchema, storageClassSchema } from "./platform.js";
import { dns1123Label } from "./primitives.js";
import { kubernetesSchema, talosSchema } from "./talos.js";

export const clusterSchema = z
  .strictObject({
    $schema: z.string().optional().describe("Path or URL of this JSON Schema, for editors."),
    name: dns1123Label.describe("Cluster name: names the Talos cluster, the talosconfig context and clusters/<name>/."),
    environment: z.enum(["staging", "production"]).describe("Staging clusters are upgraded before production ones."),
    talos: talosSchema,
    kubernetes: kubernetesSchema,
    network: networkSchema,
    api: apiSchema,
    nodes: z.array(nodeSchema).min(1),
    cilium: ciliumSchema.prefault({}),
    oidc: oidcSchema,
    storageClasses: z
      .array(storageClassSchema)
      .default([
        {
          name: "cubefs",
          default: true,
          replicas: 3,
          reclaimPolicy: "Delete",
          volumeBindingMode: "Immediate",
          allowVolumeExpansion: true,
        },
      ])
      .describe("CubeFS StorageClasses; one default class is used for Prometheus, Loki and apps unless they name one."),
    namespaces: z.array(namespaceSchema).default([]),
    priorityClasses: z.array(priorityClassSchema).default([]),
    coredns: corednsSchema.prefault({}),
    cubefs: cubefsSchema.prefault({}),
    monitoring: monitoringSchema.prefault({}),
    logging: loggingSchema.prefault({}),
    apps: z.array(appSchema).default([]).describe("Your applications."),
    flux: fluxSchema,
    sops: sopsSchema,
  })
  .describe("A kubeforge cluster definition.");

/** A cluster definition as written by a user (defaults not yet applied). */
export type ClusterInput = z.input<typeof clusterSchema>;
/** A validated cluster definition with every default filled in. */
export type Cluster = z.infer<typeof clusterSchema>;
