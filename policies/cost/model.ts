import type { PolicyResource } from "@pulumi/policy";
import {
  type Accelerator,
  HOURS_PER_MONTH,
  type InstanceType,
  SCALE_FLOORS,
  chargeById,
  monthlyUsdPerUnit,
} from "../catalog";
import { BLOCKS, type Block, type Cloud, TAG, type Use } from "../platform";
import {
  type ComputeGroup,
  type Range,
  catalogEntry,
  describeRef,
  jobGroups,
  requestedMinimum,
} from "../lib/compute";
import { StackGraph } from "../lib/stack";
import { tagsOf } from "../lib/tags";
import { cloudOfType, nameOfUrn } from "../lib/types";
import { chargesOf } from "./charges";

/**
 * What a line prices: `compute` the machines of a compute group, `fixed` a charge billed whether
 * the platform is used or not (interface endpoints, keys, registry SKUs...), `usage` a resource
 * billed only by use, named so that nothing is silently left out, at $0 in both totals.
 */
export type CostKind = "compute" | "fixed" | "usage";

/** What every line has: the per-cloud and stack totals add up from these two amounts. */
interface LineBase {
  kind: CostKind;
  urn: string;
  name: string;
  type: string;
  cloud: Cloud;
  block: Block;
  idleMonthlyUsd: number;
  peakMonthlyUsd: number;
}

/** What one compute group of the stack costs a month, at idle and at peak. */
export interface ComputeLine extends LineBase {
  kind: "compute";
  use: Use;
  instanceType: string;
  /** GCP: the accelerator attached to the machine type, part of what the price is for. */
  accelerator?: Accelerator;
  hourlyUsd: number;
  /** Whether `hourlyUsd` is the spot or low-priority price the group asks for. */
  spot: boolean;
  /** The region the catalog's price is for, which may not be where the stack deploys. */
  priceRegion: string | null;
  /** The date of the price used. */
  priceDate: string | null;
  /** Machines with every autoscaler at its minimum, and at its maximum. */
  machines: Range;
  /** The autoscaler whose bounds were used, when one is attached. */
  autoscalerUrn?: string;
  /** Why the idle count is what it is, when it is the least the service allows above 0. */
  floor?: string;
  /** Why the peak count is a convention the cloud does not enforce, where it is one. */
  ceiling?: string;
}

/** A charge besides compute: fixed (priced) or billed by use (named, $0). */
export interface ChargeLine extends LineBase {
  kind: "fixed" | "usage";
  /** The catalog's charge (`policies/catalog/charges.json`). */
  chargeId: string;
  what: string;
  /** Units billed, such as endpoint-AZs or key versions; 1 on usage lines. */
  quantity: number;
  unit: string | null;
  /** USD a month for one unit; 0 on usage lines. */
  unitMonthlyUsd: number;
  /** What the resource bills by use, beyond any fixed charge. */
  byUse: string | null;
  /** What the report says about this resource's charge beyond the catalog's words. */
  detail?: string;
  priceRegion: string | null;
  priceDate: string | null;
  source: string;
}

export type CostLine = ComputeLine | ChargeLine;

/** A compute group the model cannot price, and why. */
export interface UnpricedGroup {
  urn: string;
  type: string;
  reason: string;
}

export interface StackEstimate {
  lines: CostLine[];
  unpriced: UnpricedGroup[];
}

export interface Totals {
  idleMonthlyUsd: number;
  peakMonthlyUsd: number;
}

/** A catalog entry with the price the group pays: on demand, or spot where it asks for spot. */
type Priced = InstanceType & { hourlyUsd: number; spot: boolean };

function monthly(hourlyUsd: number, machines: number): number {
  return hourlyUsd * machines * HOURS_PER_MONTH;
}

/** The price a group pays for a type: spot where it asks for spot and the catalog has one. */
function pricedFor(group: ComputeGroup, row: InstanceType & { hourlyUsd: number }): Priced {
  const spot = group.spot === true && row.spotHourlyUsd !== null;
  return { ...row, hourlyUsd: spot ? (row.spotHourlyUsd ?? row.hourlyUsd) : row.hourlyUsd, spot };
}

/**
 * Why a group idles above what its block asked for: the least its cloud allows, where the block
 * declares a smaller minimum (`requestedMinimum`) and the idle count sits on the cloud's floor.
 */
function floorOf(
  resource: PolicyResource,
  group: ComputeGroup,
  idleMachines: number,
): string | undefined {
  const floor = SCALE_FLOORS[group.cloud][group.use];
  const requested = requestedMinimum(resource);
  return requested !== undefined && requested < idleMachines && idleMachines === floor.min
    ? floor.reason
    : undefined;
}

function computeBase(resource: PolicyResource, group: ComputeGroup, row: Priced) {
  return {
    kind: "compute" as const,
    urn: resource.urn,
    name: nameOfUrn(resource.urn),
    type: resource.type,
    cloud: group.cloud,
    use: group.use,
    block: group.block,
    instanceType: row.instanceType,
    ...(row.accelerator === undefined ? {} : { accelerator: row.accelerator }),
    hourlyUsd: row.hourlyUsd,
    spot: row.spot,
    priceRegion: row.region,
    priceDate: row.priceDate,
  };
}

/**
 * Batch sizes an environment in vCPUs and may pick any of its types: the floor prices the
 * minimum vCPUs on the cheapest type per vCPU, the ceiling the maximum on the dearest, each in
 * whole instances.
 */
function batchLine(
  resource: PolicyResource,
  group: ComputeGroup,
  priced: Priced[],
  vcpus: Range,
): ComputeLine {
  const perVcpu = (row: Priced) => row.hourlyUsd / row.vcpus;
  const cheapest = priced.reduce((a, b) => (perVcpu(b) < perVcpu(a) ? b : a));
  const dearest = priced.reduce((a, b) => (perVcpu(b) > perVcpu(a) ? b : a));
  const idleMachines = Math.ceil(vcpus.min / cheapest.vcpus);
  const peakMachines = Math.ceil(vcpus.max / dearest.vcpus);
  return {
    ...computeBase(resource, group, dearest),
    machines: { min: idleMachines, max: peakMachines },
    idleMonthlyUsd: monthly(cheapest.hourlyUsd, idleMachines),
    peakMonthlyUsd: monthly(dearest.hourlyUsd, peakMachines),
  };
}

/** The block a resource's `mlplatform-block` mark names, or the charge's own. */
function blockOf(resource: PolicyResource, fallback: Block): Block {
  const mark = tagsOf(resource.type, resource.props)?.[TAG.block];
  return BLOCKS.find((b) => b === mark) ?? fallback;
}

/** The fixed and usage lines of a resource; the charges it cannot count yet go to `unpriced`. */
function chargeLines(resource: PolicyResource, unpriced: UnpricedGroup[]): ChargeLine[] {
  const uses = chargesOf(resource);
  for (const use of uses) {
    if (use.unknown !== undefined) {
      unpriced.push({ urn: resource.urn, type: resource.type, reason: use.unknown });
    }
  }
  return uses
    .filter((use) => use.unknown === undefined)
    .map((use) => {
      const charge = chargeById(use.chargeId);
      const unitMonthlyUsd = charge.kind === "fixed" ? monthlyUsdPerUnit(charge) : 0;
      const amount = unitMonthlyUsd * use.quantity;
      return {
        kind: charge.kind,
        urn: resource.urn,
        name: nameOfUrn(resource.urn),
        type: resource.type,
        cloud: cloudOfType(resource.type) ?? charge.cloud,
        block: blockOf(resource, use.block),
        chargeId: charge.id,
        what: charge.what,
        quantity: use.quantity,
        unit: charge.unit ?? null,
        unitMonthlyUsd,
        byUse: charge.byUse ?? null,
        ...(use.detail === undefined ? {} : { detail: use.detail }),
        priceRegion: charge.region ?? null,
        priceDate: charge.priceDate ?? null,
        source: charge.source,
        idleMonthlyUsd: amount,
        peakMonthlyUsd: amount,
      };
    });
}

/**
 * Estimates the monthly cost of a stack from the catalog: every compute group at its on-demand
 * price (its spot or low-priority price where it asks for that capacity and the catalog has
 * one), idle with every autoscaler at its minimum and at peak with every autoscaler at its
 * maximum; every fixed charge (the same at idle and at peak); and a $0 line for every resource
 * billed only by use, naming what it bills.
 */
export function estimateStack(resources: readonly PolicyResource[]): StackEstimate {
  const graph = new StackGraph(resources);
  const lines: CostLine[] = [];
  const unpriced: UnpricedGroup[] = [];
  const jobs = resources.map((resource) => ({
    resource,
    groups: jobGroups(resource.type, resource.props),
  }));
  for (const { resource, groups } of [...graph.compute, ...jobs]) {
    for (const group of groups) {
      const priced: Priced[] = [];
      for (const ref of group.instanceTypes) {
        const row = catalogEntry(group, ref);
        if (row?.hourlyUsd === null || row?.hourlyUsd === undefined) {
          unpriced.push({
            urn: resource.urn,
            type: resource.type,
            reason:
              ref.value === undefined
                ? `${ref.path} is not set`
                : row === undefined
                  ? `${describeRef(ref)} is not in the catalog for ${group.cloud} ${group.use}`
                  : `the catalog has no price for ${describeRef(ref)} on ${group.cloud} ${group.use}`,
          });
        } else {
          priced.push(pricedFor(group, { ...row, hourlyUsd: row.hourlyUsd }));
        }
      }
      if (priced.length === 0) continue;
      if (group.vcpus !== undefined) {
        lines.push(batchLine(resource, group, priced, group.vcpus));
        continue;
      }
      const autoscaler = graph.autoscalerOf(resource, group);
      const machines = autoscaler?.range ?? group.machines ?? { min: 0, max: 0 };
      const row = priced[0];
      const floor = floorOf(resource, group, machines.min);
      lines.push({
        ...computeBase(resource, group, row),
        machines,
        ...(autoscaler === undefined ? {} : { autoscalerUrn: autoscaler.resource.urn }),
        ...(floor === undefined ? {} : { floor }),
        ...(group.unenforcedCeiling === undefined ? {} : { ceiling: group.unenforcedCeiling }),
        idleMonthlyUsd: monthly(row.hourlyUsd, machines.min),
        peakMonthlyUsd: monthly(row.hourlyUsd, machines.max),
      });
    }
  }
  for (const resource of resources) {
    lines.push(...chargeLines(resource, unpriced));
  }
  return { lines, unpriced };
}

/** The compute lines of an estimate. */
export function computeLines(lines: readonly CostLine[]): ComputeLine[] {
  return lines.filter((l): l is ComputeLine => l.kind === "compute");
}

/** The stack's totals: the sum of every line, whatever its kind. */
export function totals(lines: readonly CostLine[]): Totals {
  return {
    idleMonthlyUsd: lines.reduce((sum, l) => sum + l.idleMonthlyUsd, 0),
    peakMonthlyUsd: lines.reduce((sum, l) => sum + l.peakMonthlyUsd, 0),
  };
}

/** Totals of the lines that share a key, for the keys the lines have. */
export function totalsBy<K>(
  lines: readonly CostLine[],
  keyOf: (line: CostLine) => K,
): Map<K, Totals> {
  const result = new Map<K, Totals>();
  for (const line of lines) {
    const key = keyOf(line);
    const sum = result.get(key) ?? { idleMonthlyUsd: 0, peakMonthlyUsd: 0 };
    sum.idleMonthlyUsd += line.idleMonthlyUsd;
    sum.peakMonthlyUsd += line.peakMonthlyUsd;
    result.set(key, sum);
  }
  return result;
}

/** Totals per cloud, the sum of each cloud's lines, for the clouds that have lines. */
export function totalsByCloud(lines: readonly CostLine[]): Partial<Record<Cloud, Totals>> {
  return Object.fromEntries(totalsBy(lines, (line) => line.cloud));
}
