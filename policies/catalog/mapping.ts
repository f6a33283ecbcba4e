import type { Cloud, Use } from "../platform";
import type { SizeName } from "./sizes";

/** A cloud that has no type for a size says why, so asking for it is a clear config error. */
export interface Unavailable {
  unavailable: string;
}

export type MappedType = string | Unavailable;

/** googleapis/python-aiplatform#66: "n1-standard-2 is supported in Deploy but not for Training". */
const VERTEX_TRAINING_HAS_NO_2_VCPU =
  "Vertex AI training accepts no 2-vCPU standard machine type; n1-standard-4 is the smallest";

/**
 * A 2 vCPU / 4 GiB size is for small models served on SageMaker serverless inference (at most
 * 6 GB) or on one ml.c5.large; the other services' types of that shape are not in the catalog's
 * dated VM price dataset, whose prices every VM row must match.
 */
const NO_PRICED_2X4 = (cloud: string) =>
  `the catalog prices no ${cloud} type of 2 vCPUs and 4 GiB for this use (none is in its dated price dataset)`;

const EC2_HAS_NO_SINGLE_A100 =
  "no EC2 or SageMaker type carries one A100: p4d.24xlarge and p4de.24xlarge carry 8";
const AZURE_SINGLE_A100_IS_80GB =
  "Azure's only 1-GPU A100 size, Standard_NC24ads_A100_v4, carries the 80 GB A100, not the 40 GB one";
const AZURE_HAS_NO_L4 = "Azure offers no VM size with an NVIDIA L4";

/**
 * The one mapping from canonical size to instance type, per cloud and use. Specifications and
 * prices live beside it in `instance-types.json`; the catalog test checks every entry against
 * the honesty rules (same GPU, same vCPUs, memory within tolerance, smallest fit, not retired).
 */
export const MAPPING: Record<SizeName, Record<Cloud, Record<Use, MappedType>>> = {
  "cpu-2x4": {
    aws: { training: { unavailable: NO_PRICED_2X4("EC2") }, hosting: "ml.c5.large" },
    azure: {
      training: { unavailable: NO_PRICED_2X4("Azure") },
      hosting: { unavailable: NO_PRICED_2X4("Azure") },
    },
    gcp: {
      training: { unavailable: VERTEX_TRAINING_HAS_NO_2_VCPU },
      hosting: { unavailable: NO_PRICED_2X4("Vertex AI") },
    },
  },
  "cpu-2x8": {
    aws: { training: "m5.large", hosting: "ml.m5.large" },
    azure: { training: "Standard_D2as_v4", hosting: "Standard_D2as_v4" },
    gcp: { training: { unavailable: VERTEX_TRAINING_HAS_NO_2_VCPU }, hosting: "n2-standard-2" },
  },
  "cpu-4x16": {
    aws: { training: "m5.xlarge", hosting: "ml.m5.xlarge" },
    azure: { training: "Standard_D4as_v4", hosting: "Standard_D4as_v4" },
    gcp: { training: "n2-standard-4", hosting: "n2-standard-4" },
  },
  "cpu-8x32": {
    aws: { training: "m5.2xlarge", hosting: "ml.m5.2xlarge" },
    azure: { training: "Standard_D8as_v4", hosting: "Standard_D8as_v4" },
    gcp: { training: "n2-standard-8", hosting: "n2-standard-8" },
  },
  "cpu-16x64": {
    aws: { training: "m5.4xlarge", hosting: "ml.m5.4xlarge" },
    azure: { training: "Standard_D16as_v4", hosting: "Standard_D16as_v4" },
    gcp: { training: "n2-standard-16", hosting: "n2-standard-16" },
  },
  "gpu-t4x1": {
    aws: { training: "g4dn.xlarge", hosting: "ml.g4dn.xlarge" },
    azure: { training: "Standard_NC4as_T4_v3", hosting: "Standard_NC4as_T4_v3" },
    gcp: { training: "n1-standard-4", hosting: "n1-standard-4" },
  },
  "gpu-l4x1": {
    aws: { training: "g6.xlarge", hosting: "ml.g6.xlarge" },
    azure: {
      training: { unavailable: AZURE_HAS_NO_L4 },
      hosting: { unavailable: AZURE_HAS_NO_L4 },
    },
    gcp: { training: "g2-standard-4", hosting: "g2-standard-4" },
  },
  "gpu-a100x1": {
    aws: {
      training: { unavailable: EC2_HAS_NO_SINGLE_A100 },
      hosting: { unavailable: EC2_HAS_NO_SINGLE_A100 },
    },
    azure: {
      training: { unavailable: AZURE_SINGLE_A100_IS_80GB },
      hosting: { unavailable: AZURE_SINGLE_A100_IS_80GB },
    },
    gcp: { training: "a2-highgpu-1g", hosting: "a2-highgpu-1g" },
  },
  "gpu-a100x8": {
    aws: { training: "p4d.24xlarge", hosting: "ml.p4d.24xlarge" },
    azure: { training: "Standard_ND96asr_v4", hosting: "Standard_ND96asr_v4" },
    gcp: { training: "a2-highgpu-8g", hosting: "a2-highgpu-8g" },
  },
  "gpu-h100x8": {
    aws: { training: "p5.48xlarge", hosting: "ml.p5.48xlarge" },
    azure: { training: "Standard_ND96isr_H100_v5", hosting: "Standard_ND96isr_H100_v5" },
    gcp: { training: "a3-highgpu-8g", hosting: "a3-highgpu-8g" },
  },
};
