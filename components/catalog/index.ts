import type { Cloud, Use } from "../types";
import { CLOUDS, USES } from "../types";
import instanceTypeData from "./instance-types.json";
import { MAPPING, type MappedType } from "./mapping";
import {
  type Gpu,
  MEMORY_TOLERANCE_BELOW,
  SIZES,
  SIZE_NAMES,
  type SizeName,
  type SizeSpec,
  isSizeName,
} from "./sizes";

export { MAPPING, MEMORY_TOLERANCE_BELOW, SIZES, SIZE_NAMES, isSizeName };
export type { Gpu, SizeName, SizeSpec };

/** Hours in the month the cost model uses: 365 days x 24 hours / 12, as the clouds' calculators do. */
export const HOURS_PER_MONTH = 730;

export interface Accelerator {
  /** The accelerator type as the Vertex AI API spells it, such as `NVIDIA_TESLA_T4`. */
  type: string;
  count: number;
}

/** A retirement the cloud has announced: retired once `date` has passed. */
export interface Retirement {
  date: string;
  source: string;
}

/**
 * How a price was found: `published` read from the cloud's price list, `secondary` a dated
 * public quote of it, `derived` computed from a published rate, `unverified` a single weak
 * source, `unpriced` a type the catalog knows only to refuse or describe.
 */
export type PriceStatus = "published" | "secondary" | "derived" | "unverified" | "unpriced";

/** One instance type the catalog knows, on one cloud, priced for one use. */
export interface InstanceType {
  cloud: Cloud;
  use: Use;
  instanceType: string;
  vcpus: number;
  memoryGiB: number;
  gpu: Gpu | null;
  /** GCP only: the accelerator attached to the machine type. */
  accelerator?: Accelerator;
  /** On-demand USD per hour on the service that runs this use (SageMaker hosting, Vertex AI...). */
  hourlyUsd: number | null;
  /** Region the price is for. */
  region: string | null;
  source: string | null;
  priceDate: string | null;
  priceStatus: PriceStatus;
  retirement: Retirement | null;
}

/** A row of `npm run catalog`: a canonical size mapped for one cloud and use, with its price. */
export interface CatalogRow extends InstanceType {
  size: SizeName;
  hourlyUsd: number;
  retired: boolean;
}

export const INSTANCE_TYPES: readonly InstanceType[] = instanceTypeData as InstanceType[];

/**
 * The least a cloud's block can scale to. Vertex AI persistent resources and Vertex and Azure
 * online deployments keep at least one replica; SageMaker scales to zero only through serverless
 * inference, and AWS Batch and Azure ML compute clusters scale to zero nodes.
 */
export const SCALE_FLOOR: Record<Cloud, Record<Use, number>> = {
  aws: { training: 0, hosting: 0 },
  azure: { training: 0, hosting: 1 },
  gcp: { training: 1, hosting: 1 },
};

/** Whether a type is retired on `today` (an ISO date). */
export function isRetired(type: Pick<InstanceType, "retirement">, today: string): boolean {
  return type.retirement !== null && type.retirement.date <= today;
}

function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * The catalog's entry for an instance type on a cloud and use. On GCP the machine type and its
 * accelerator together name the entry (`n1-standard-4` with `NVIDIA_TESLA_T4`).
 */
export function findInstanceType(
  cloud: Cloud,
  use: Use,
  instanceType: string,
  acceleratorType?: string,
): InstanceType | undefined {
  return INSTANCE_TYPES.find(
    (t) =>
      t.cloud === cloud &&
      t.use === use &&
      t.instanceType === instanceType &&
      t.accelerator?.type === acceleratorType,
  );
}

function isUnavailable(mapped: MappedType): mapped is { unavailable: string } {
  return typeof mapped !== "string";
}

/** Why a size cannot run on a cloud for a use, or `undefined` when it can. */
export function unavailableReason(size: SizeName, cloud: Cloud, use: Use): string | undefined {
  const mapped = MAPPING[size][cloud][use];
  return isUnavailable(mapped) ? mapped.unavailable : undefined;
}

/**
 * The instance type a block of `cloud` runs for `size` and `use`. Throws when the cloud has no
 * type for the size; the spec validation reports that as a config error before anything runs.
 */
export function resolveInstance(size: SizeName, cloud: Cloud, use: Use): CatalogRow {
  const mapped = MAPPING[size][cloud][use];
  if (isUnavailable(mapped)) {
    throw new Error(`${size} is not available for ${use} on ${cloud}: ${mapped.unavailable}`);
  }
  const row = INSTANCE_TYPES.find(
    (t) => t.cloud === cloud && t.use === use && t.instanceType === mapped,
  );
  if (row === undefined || row.hourlyUsd === null) {
    throw new Error(
      `catalog maps ${size} on ${cloud} ${use} to ${mapped}, which it does not price`,
    );
  }
  return { ...row, size, hourlyUsd: row.hourlyUsd, retired: isRetired(row, todayIso()) };
}

/**
 * The catalog row a block of `cloud` runs for a size named in a validated spec. A name the catalog
 * does not know is a program error: the spec validation refuses it before any block is built.
 */
export function instanceFor(cloud: Cloud, size: string, use: Use): CatalogRow {
  if (!isSizeName(size)) {
    throw new Error(`${size} is not a size the catalog knows`);
  }
  return resolveInstance(size, cloud, use);
}

/** A lower and an upper count of machines, inclusive. */
export interface Bounds {
  min: number;
  max: number;
}

/**
 * The machine bounds a cloud's block gets for the spec's bounds: the minimum is raised to the
 * cloud's `SCALE_FLOOR` (and the maximum with it, where it is lower).
 */
export function scaledBounds(cloud: Cloud, use: Use, min: number, max: number): Bounds {
  const floored = Math.max(min, SCALE_FLOOR[cloud][use]);
  return { min: floored, max: Math.max(max, floored) };
}

/** Every mapped (size, cloud, use), in catalog order. */
export function catalogRows(): CatalogRow[] {
  return SIZE_NAMES.flatMap((size) =>
    CLOUDS.flatMap((cloud) =>
      USES.filter((use) => unavailableReason(size, cloud, use) === undefined).map((use) =>
        resolveInstance(size, cloud, use),
      ),
    ),
  );
}

/** The canonical size a cloud's instance type is mapped from, for a use. */
export function sizeOfInstanceType(
  cloud: Cloud,
  use: Use,
  instanceType: string,
): SizeName | undefined {
  return SIZE_NAMES.find((size) => MAPPING[size][cloud][use] === instanceType);
}
