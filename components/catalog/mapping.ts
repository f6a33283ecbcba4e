import type { Cloud, Use } from "../types";
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
 * The one mapping from canonical size to instance type, per cloud and use. Specifications and
 * prices live beside it in `instance-types.json`; the catalog test checks every entry against
 * the honesty rules (same GPU, same vCPUs, memory within tolerance, smallest fit, not retired).
 */
export const MAPPING: Record<SizeName, Record<Cloud, Record<Use, MappedType>>> = {
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
  "gpu-a100x8": {
    aws: { training: "p4d.24xlarge", hosting: "ml.p4d.24xlarge" },
    azure: { training: "Standard_ND96asr_v4", hosting: "Standard_ND96asr_v4" },
    gcp: { training: "a2-highgpu-8g", hosting: "a2-highgpu-8g" },
  },
};
