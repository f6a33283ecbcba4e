import type { Cloud, Use } from "../platform";
import { type InstanceType, isRetired } from "./index";
import { MEMORY_TOLERANCE_BELOW, SIZES, type SizeName, describeGpu } from "./sizes";

/** The same GPU model, memory per GPU and count, or no GPU on both. */
function sameGpu(a: InstanceType["gpu"], b: InstanceType["gpu"]): boolean {
  return a === null || b === null
    ? a === b
    : a.model === b.model && a.memoryGB === b.memoryGB && a.count === b.count;
}

/** A CPU size names its vCPUs exactly; a GPU size names the least its machine shapes carry. */
function vcpusMeet(type: InstanceType, size: SizeName): boolean {
  const spec = SIZES[size];
  return spec.gpu === null ? type.vcpus === spec.vcpus : type.vcpus >= spec.vcpus;
}

function meetsSize(type: InstanceType, size: SizeName): boolean {
  const spec = SIZES[size];
  return (
    sameGpu(type.gpu, spec.gpu) &&
    vcpusMeet(type, size) &&
    type.memoryGiB >= spec.memoryGiB * (1 - MEMORY_TOLERANCE_BELOW)
  );
}

/**
 * What is dishonest about mapping `size` to `type` on a cloud and use, judged against every type
 * in `known`: the same GPU model, GPU memory and count, the same vCPU count (at least the size's
 * on a GPU size), memory no further below the size
 * than the tolerance, not retired on `today`, and, when it has more memory than the size, no
 * other such type with less. Empty when honest.
 */
export function mappingProblems(
  size: SizeName,
  type: InstanceType,
  known: readonly InstanceType[],
  today: string,
): string[] {
  const spec = SIZES[size];
  const where = `${size} on ${type.cloud} ${type.use} -> ${type.instanceType}`;
  const problems: string[] = [];
  if (!sameGpu(type.gpu, spec.gpu)) {
    problems.push(
      `${where}: has ${describeGpu(type.gpu)}, the size needs ${describeGpu(spec.gpu)}`,
    );
  }
  if (!vcpusMeet(type, size)) {
    const needs = spec.gpu === null ? `${spec.vcpus}` : `at least ${spec.vcpus}`;
    problems.push(`${where}: has ${type.vcpus} vCPUs, the size needs ${needs}`);
  }
  const floor = spec.memoryGiB * (1 - MEMORY_TOLERANCE_BELOW);
  if (type.memoryGiB < floor) {
    problems.push(`${where}: has ${type.memoryGiB} GiB, the size needs at least ${floor} GiB`);
  }
  if (isRetired(type, today)) {
    problems.push(`${where}: retired on ${type.retirement?.date}`);
  }
  const overProvisioned = type.memoryGiB > spec.memoryGiB;
  const smaller = known.filter(
    (t) =>
      overProvisioned &&
      sameCloudAndUse(t, type.cloud, type.use) &&
      !isRetired(t, today) &&
      meetsSize(t, size) &&
      t.memoryGiB < type.memoryGiB,
  );
  if (smaller.length > 0) {
    const names = smaller.map((t) => `${t.instanceType} (${t.memoryGiB} GiB)`).join(", ");
    problems.push(`${where}: is not the smallest type that meets the size; ${names} also does`);
  }
  return problems;
}

function sameCloudAndUse(t: InstanceType, cloud: Cloud, use: Use): boolean {
  return t.cloud === cloud && t.use === use;
}
