import type { PolicyResource } from "@pulumi/policy";
import { type Accelerator, HOURS_PER_MONTH, type InstanceType } from "../../components/catalog";
import type { Block, Cloud, Use } from "../../components/types";
import { type ComputeGroup, type Range, catalogEntry, describeRef } from "../lib/compute";
import { StackGraph } from "../lib/stack";
import { nameOfUrn } from "../lib/types";

/** What one compute group of the stack costs a month, at idle and at peak. */
export interface CostLine {
  urn: string;
  name: string;
  type: string;
  cloud: Cloud;
  use: Use;
  block: Block;
  instanceType: string;
  /** GCP: the accelerator attached to the machine type, part of what the price is for. */
  accelerator?: Accelerator;
  hourlyUsd: number;
  /** The region the catalog's price is for, which may not be where the stack deploys. */
  priceRegion: string | null;
  /** Machines with every autoscaler at its minimum, and at its maximum. */
  machines: Range;
  /** The autoscaler whose bounds were used, when one is attached. */
  autoscalerUrn?: string;
  idleMonthlyUsd: number;
  peakMonthlyUsd: number;
}

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

/** A catalog entry with a price. */
type Priced = InstanceType & { hourlyUsd: number };

function monthly(hourlyUsd: number, machines: number): number {
  return hourlyUsd * machines * HOURS_PER_MONTH;
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
): CostLine {
  const perVcpu = (row: Priced) => row.hourlyUsd / row.vcpus;
  const cheapest = priced.reduce((a, b) => (perVcpu(b) < perVcpu(a) ? b : a));
  const dearest = priced.reduce((a, b) => (perVcpu(b) > perVcpu(a) ? b : a));
  const idleMachines = Math.ceil(vcpus.min / cheapest.vcpus);
  const peakMachines = Math.ceil(vcpus.max / dearest.vcpus);
  return {
    urn: resource.urn,
    name: nameOfUrn(resource.urn),
    type: resource.type,
    cloud: group.cloud,
    use: group.use,
    block: group.block,
    instanceType: dearest.instanceType,
    ...(dearest.accelerator === undefined ? {} : { accelerator: dearest.accelerator }),
    hourlyUsd: dearest.hourlyUsd,
    priceRegion: dearest.region,
    machines: { min: idleMachines, max: peakMachines },
    idleMonthlyUsd: monthly(cheapest.hourlyUsd, idleMachines),
    peakMonthlyUsd: monthly(dearest.hourlyUsd, peakMachines),
  };
}

/**
 * Estimates the monthly cost of every compute resource of a stack from the catalog's on-demand
 * prices: the idle floor with every autoscaler at its minimum and the ceiling with every
 * autoscaler at its maximum. Spot and low-priority capacity is priced on demand, so the
 * ceiling is an upper bound. Storage, registries and requests are billed by use and left out.
 */
export function estimateStack(resources: readonly PolicyResource[]): StackEstimate {
  const graph = new StackGraph(resources);
  const lines: CostLine[] = [];
  const unpriced: UnpricedGroup[] = [];
  for (const { resource, groups } of graph.compute) {
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
          priced.push({ ...row, hourlyUsd: row.hourlyUsd });
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
      lines.push({
        urn: resource.urn,
        name: nameOfUrn(resource.urn),
        type: resource.type,
        cloud: group.cloud,
        use: group.use,
        block: group.block,
        instanceType: row.instanceType,
        ...(row.accelerator === undefined ? {} : { accelerator: row.accelerator }),
        hourlyUsd: row.hourlyUsd,
        priceRegion: row.region,
        machines,
        ...(autoscaler === undefined ? {} : { autoscalerUrn: autoscaler.resource.urn }),
        idleMonthlyUsd: monthly(row.hourlyUsd, machines.min),
        peakMonthlyUsd: monthly(row.hourlyUsd, machines.max),
      });
    }
  }
  return { lines, unpriced };
}

export function totals(lines: readonly CostLine[]): Totals {
  return {
    idleMonthlyUsd: lines.reduce((sum, l) => sum + l.idleMonthlyUsd, 0),
    peakMonthlyUsd: lines.reduce((sum, l) => sum + l.peakMonthlyUsd, 0),
  };
}

/** Totals per cloud, for the clouds that have compute in the stack. */
export function totalsByCloud(lines: readonly CostLine[]): Partial<Record<Cloud, Totals>> {
  const result: Partial<Record<Cloud, Totals>> = {};
  for (const line of lines) {
    const sum = result[line.cloud] ?? { idleMonthlyUsd: 0, peakMonthlyUsd: 0 };
    sum.idleMonthlyUsd += line.idleMonthlyUsd;
    sum.peakMonthlyUsd += line.peakMonthlyUsd;
    result[line.cloud] = sum;
  }
  return result;
}
