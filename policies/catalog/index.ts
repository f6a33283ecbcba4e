import type { Cloud, Use } from "../platform";
import { CLOUDS, USES } from "../platform";
import chargeData from "./charges.json";
import instanceTypeData from "./instance-types.json";
import { MAPPING, type MappedType } from "./mapping";
import {
  type Gpu,
  MEMORY_TOLERANCE_BELOW,
  SIZES,
  SIZE_NAMES,
  type SizeName,
  type SizeSpec,
  describeGpu,
  isSizeName,
} from "./sizes";

export { MAPPING, MEMORY_TOLERANCE_BELOW, SIZES, SIZE_NAMES, describeGpu, isSizeName };
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

/**
 * What `hourlyUsd` is: `vm` the raw VM's list price, which is what EC2 (under AWS Batch) and
 * Azure ML compute bill, checked against the dated VM price dataset; `service` the managed
 * service's own rate (SageMaker hosting, Vertex AI), with its own source and date.
 */
export type PriceBasis = "vm" | "service";

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
  /**
   * The spot (AWS) or low-priority (Azure ML) price of a training type, USD per hour, from the
   * dated VM price dataset; `null` where the dataset has none or the service offers none. Spot
   * prices move with supply and demand: this is a snapshot of the price date.
   */
  spotHourlyUsd: number | null;
  /** Region the price is for. */
  region: string | null;
  source: string | null;
  priceDate: string | null;
  priceStatus: PriceStatus;
  retirement: Retirement | null;
  /** `null` on unpriced types. */
  priceBasis: PriceBasis | null;
  /** Why the price departs from the VM price dataset, or how it was reached where no list was read. */
  priceNote: string | null;
}

/** A row of `npm run catalog`: a canonical size mapped for one cloud and use, with its price. */
export interface CatalogRow extends InstanceType {
  size: SizeName;
  hourlyUsd: number;
  retired: boolean;
}

export const INSTANCE_TYPES: readonly InstanceType[] = instanceTypeData as InstanceType[];

/**
 * A charge a resource brings besides compute. `fixed` bills by the hour, day or month whether the
 * platform is used or not, at one of `usdPerHour`, `usdPerDay` or `usdPerMonth` per `unit`;
 * `usage` bills only by use and is named, not priced. `byUse` says what else the resource bills
 * by use.
 */
export interface Charge {
  id: string;
  cloud: Cloud;
  kind: "fixed" | "usage";
  what: string;
  unit?: string;
  usdPerHour?: number;
  usdPerDay?: number;
  usdPerMonth?: number;
  region?: string;
  source: string;
  priceDate?: string;
  byUse?: string;
}

export const CHARGES: readonly Charge[] = chargeData as Charge[];

/** A charge of the catalog by id; an unknown id is a program error. */
export function chargeById(id: string): Charge {
  const charge = CHARGES.find((c) => c.id === id);
  if (charge === undefined) throw new Error(`the catalog has no charge ${id}`);
  return charge;
}

/** What one unit of a fixed charge costs a month of `HOURS_PER_MONTH` hours; 0 for usage. */
export function monthlyUsdPerUnit(charge: Charge): number {
  if (charge.usdPerMonth !== undefined) return charge.usdPerMonth;
  if (charge.usdPerDay !== undefined) return (charge.usdPerDay * HOURS_PER_MONTH) / 24;
  return (charge.usdPerHour ?? 0) * HOURS_PER_MONTH;
}

/**
 * SageMaker serverless inference: memory from 1 GB to 6 GB in 1 GB steps, no GPU
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html; the same values in
 * the `memorySizeInMb` docs of @pulumi/aws 7.48).
 */
export const SERVERLESS_MEMORY_MB = { min: 1024, max: 6144, step: 1024 } as const;
export const SERVERLESS_MAX_MEMORY_GIB = SERVERLESS_MEMORY_MB.max / 1024;

/** Whether a size fits SageMaker serverless inference: no GPU and at most 6 GiB of memory. */
export function serverlessFits(size: SizeName): boolean {
  const spec = SIZES[size];
  return spec.gpu === null && spec.memoryGiB <= SERVERLESS_MAX_MEMORY_GIB;
}

/** The least a cloud's block can run when the spec asks for 0, and why. */
export interface ScaleFloor {
  min: number;
  reason: string;
  source: string;
}

/**
 * The least each cloud's block can scale to when the spec asks for 0 ("as low as the service
 * goes"). SageMaker scales an endpoint to zero only on serverless inference, for the sizes that
 * fit it (`serverlessFits`), so its instance floor is 1; AWS Batch, Azure ML compute clusters and
 * Vertex AI custom jobs scale training to zero; Azure ML and Vertex AI online deployments keep
 * one replica.
 */
export const SCALE_FLOORS: Record<Cloud, Record<Use, ScaleFloor>> = {
  aws: {
    training: {
      min: 0,
      reason: "an AWS Batch managed compute environment scales to 0 vCPUs",
      source: "https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html",
    },
    // Instances scale to 0 only under inference components
    // (sagemaker/latest/dg/endpoint-auto-scaling-zero-instances.html), which @pulumi/aws 7.48
    // cannot declare: its endpoint configuration takes `managedInstanceScaling.minInstanceCount`,
    // but no resource creates an inference component.
    hosting: {
      min: 1,
      reason: `a SageMaker instance-based variant keeps at least 1 instance; serverless inference, which keeps none, takes only sizes without a GPU and with at most ${SERVERLESS_MAX_MEMORY_GIB} GB of memory, and inference components, which scale instances to 0, have no resource in @pulumi/aws`,
      source: "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html",
    },
  },
  azure: {
    training: {
      min: 0,
      reason: "an Azure ML compute cluster scales to 0 nodes",
      source:
        "https://learn.microsoft.com/azure/machine-learning/how-to-create-attach-compute-cluster",
    },
    hosting: {
      min: 1,
      reason: "an Azure ML managed online deployment keeps at least 1 instance",
      source: "https://learn.microsoft.com/azure/machine-learning/how-to-autoscale-endpoints",
    },
  },
  gcp: {
    training: {
      min: 1,
      reason:
        "a Vertex AI persistent resource keeps at least 1 replica; a training block that keeps none runs custom jobs, which bring their own machines",
      source: "https://cloud.google.com/vertex-ai/docs/training/persistent-resource-overview",
    },
    hosting: {
      min: 1,
      reason:
        "a Vertex AI deployed model keeps at least 1 replica (scale to zero is not generally available for Vertex AI Inference)",
      source: "https://cloud.google.com/vertex-ai/pricing",
    },
  },
};

/**
 * An instance type as the catalog prints it: a GCP machine with the accelerators it carries
 * (`n1-standard-4 + 1x NVIDIA_TESLA_T4`), any other type by its name.
 */
export function describeInstance(type: {
  instanceType: string;
  accelerator?: Accelerator;
}): string {
  return type.accelerator === undefined
    ? type.instanceType
    : `${type.instanceType} + ${type.accelerator.count}x ${type.accelerator.type}`;
}

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

/** The clouds that have a type for a size and use. */
export function cloudsOffering(size: SizeName, use: Use): Cloud[] {
  return CLOUDS.filter((cloud) => !isUnavailable(MAPPING[size][cloud][use]));
}

/**
 * Why a size cannot run on a cloud for a use, naming the clouds that can, or `undefined` when
 * it can.
 */
export function unavailableReason(size: SizeName, cloud: Cloud, use: Use): string | undefined {
  const mapped = MAPPING[size][cloud][use];
  if (!isUnavailable(mapped)) return undefined;
  const offering = cloudsOffering(size, use);
  const where =
    offering.length === 0 ? "no cloud offers it" : `it runs on ${offering.join(" and ")}`;
  return `${mapped.unavailable}; for ${use}, ${where}`;
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
 * cloud's `SCALE_FLOORS` (and the maximum with it, where it is lower).
 */
export function scaledBounds(cloud: Cloud, use: Use, min: number, max: number): Bounds {
  const floored = Math.max(min, SCALE_FLOORS[cloud][use].min);
  return { min: floored, max: Math.max(max, floored) };
}

/** Every mapped (size, cloud, use), in catalog order. */
export function catalogRows(): CatalogRow[] {
  return SIZE_NAMES.flatMap((size) =>
    CLOUDS.flatMap((cloud) =>
      USES.filter((use) => !isUnavailable(MAPPING[size][cloud][use])).map((use) =>
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
