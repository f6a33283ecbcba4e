/**
 * Canonical sizes: what a user asks for in stack config, independent of any cloud.
 */

export interface Gpu {
  /** GPU model as NVIDIA names it, such as `T4`, `A100` or `H100`. */
  model: string;
  /** Memory of one GPU in GB, as NVIDIA states it: an A100 has 40 or 80. */
  memoryGB: number;
  count: number;
}

export interface SizeSpec {
  /**
   * vCPUs: exactly this many on a CPU size; at least this many on a GPU size, whose machine
   * shapes come with the vCPUs each cloud pairs with its GPUs (8 H100s come with 192 vCPUs on
   * AWS, 96 on Azure and 208 on GCP).
   */
  vcpus: number;
  memoryGiB: number;
  gpu: Gpu | null;
  description: string;
}

export const SIZES = {
  "cpu-2x4": {
    vcpus: 2,
    memoryGiB: 4,
    gpu: null,
    description: "2 vCPU, 4 GiB, compute optimized",
  },
  "cpu-2x8": { vcpus: 2, memoryGiB: 8, gpu: null, description: "2 vCPU, 8 GiB, general purpose" },
  "cpu-4x16": {
    vcpus: 4,
    memoryGiB: 16,
    gpu: null,
    description: "4 vCPU, 16 GiB, general purpose",
  },
  "cpu-8x32": {
    vcpus: 8,
    memoryGiB: 32,
    gpu: null,
    description: "8 vCPU, 32 GiB, general purpose",
  },
  "cpu-16x64": {
    vcpus: 16,
    memoryGiB: 64,
    gpu: null,
    description: "16 vCPU, 64 GiB, general purpose",
  },
  "gpu-t4x1": {
    vcpus: 4,
    memoryGiB: 16,
    gpu: { model: "T4", memoryGB: 16, count: 1 },
    description: "1 NVIDIA T4 (16 GB), 4 vCPU",
  },
  "gpu-l4x1": {
    vcpus: 4,
    memoryGiB: 16,
    gpu: { model: "L4", memoryGB: 24, count: 1 },
    description: "1 NVIDIA L4 (24 GB), 4 vCPU",
  },
  "gpu-a100x1": {
    vcpus: 12,
    memoryGiB: 85,
    gpu: { model: "A100", memoryGB: 40, count: 1 },
    description: "1 NVIDIA A100 40 GB, 12 vCPU",
  },
  "gpu-a100x8": {
    vcpus: 96,
    memoryGiB: 680,
    gpu: { model: "A100", memoryGB: 40, count: 8 },
    description: "8 NVIDIA A100 40 GB, 96 vCPU",
  },
  "gpu-h100x8": {
    vcpus: 96,
    memoryGiB: 1800,
    gpu: { model: "H100", memoryGB: 80, count: 8 },
    description: "8 NVIDIA H100 80 GB, 96 vCPU or more",
  },
} as const satisfies Record<string, SizeSpec>;

export type SizeName = keyof typeof SIZES;

export const SIZE_NAMES = Object.keys(SIZES) as SizeName[];

/**
 * How far below a size's memory a mapped type may fall. GCE's n1-standard-4, the smallest machine
 * a T4 attaches to, has 15 GB for a 16 GiB size; anything further below is a different size.
 * There is no upper bound: the mapped type must be the smallest that meets the size, and the
 * catalog test checks that against every type the catalog knows.
 */
export const MEMORY_TOLERANCE_BELOW = 0.1;

/** A GPU as messages and tables show it: `8x A100 40GB`. */
export function describeGpu(gpu: Gpu | null): string {
  return gpu === null ? "no GPU" : `${gpu.count}x ${gpu.model} ${gpu.memoryGB}GB`;
}

export function isSizeName(value: string): value is SizeName {
  return Object.prototype.hasOwnProperty.call(SIZES, value);
}
