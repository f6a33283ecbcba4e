import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { sizeOfInstanceType } from "../catalog";
import { type Block, type Cloud, platformComponent } from "../platform";
import { StackGraph } from "../lib/stack";

/** One machine group of a block on one cloud, with the canonical size its type is mapped from. */
interface Placement {
  urn: string;
  cloud: Cloud;
  instanceType: string;
  /** The size, or the type itself when the catalog maps no size to it. */
  size: string;
}

/** One logical block of the stack, the same on every cloud, and where each cloud runs it. */
interface LogicalBlock {
  block: Block;
  /** The block component's name without its cloud, such as `endpoint-iris`, when there is one. */
  instance?: string;
  placements: Placement[];
}

/**
 * The logical block a compute resource belongs to: the name of its nearest block component
 * ancestor without the cloud prefix, so `aws-endpoint-iris`, `azure-endpoint-iris` and
 * `gcp-endpoint-iris` are one endpoint. `undefined` for a resource outside the platform's blocks.
 */
function instanceOf(resource: PolicyResource): string | undefined {
  const seen = new Set<string>();
  for (let r = resource.parent; r !== undefined && !seen.has(r.urn); r = r.parent) {
    seen.add(r.urn);
    const component = platformComponent(r.type);
    if (component !== undefined && component.component !== "Platform") {
      const prefix = `${component.cloud}-`;
      return r.name.startsWith(prefix) ? r.name.slice(prefix.length) : r.name;
    }
  }
  return undefined;
}

function describe(placements: readonly Placement[]): string {
  const byCloud = new Map<Cloud, Set<string>>();
  for (const p of placements) {
    byCloud.set(p.cloud, (byCloud.get(p.cloud) ?? new Set()).add(p.size));
  }
  return [...byCloud.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cloud, sizes]) => `${cloud} runs ${[...sizes].sort().join(", ")}`)
    .join(" and ");
}

/** The block as messages name it: `the endpoint block endpoint-iris`, `the training block`. */
function title({ block, instance }: LogicalBlock): string {
  return instance === undefined || instance === block
    ? `the ${block} block`
    : `the ${block} block ${instance}`;
}

export const sameSizeAcrossClouds: StackValidationPolicy = {
  name: "same-size-across-clouds",
  description:
    "Checks whether each logical block (the training cluster, each online endpoint) runs the same canonical sizes on every cloud of a stack that deploys several clouds side by side, so the clouds compare like for like.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const logicalBlocks = new Map<string, LogicalBlock>();
    for (const { resource, groups } of new StackGraph(args.resources).compute) {
      const instance = instanceOf(resource);
      for (const group of groups) {
        for (const ref of group.instanceTypes) {
          if (ref.value === undefined) continue;
          const placement: Placement = {
            urn: resource.urn,
            cloud: group.cloud,
            instanceType: ref.value,
            size:
              sizeOfInstanceType(group.cloud, group.use, ref.value) ??
              `${ref.value} (no canonical size)`,
          };
          const key = `${group.block} ${instance ?? ""}`;
          const logical = logicalBlocks.get(key);
          if (logical === undefined) {
            logicalBlocks.set(key, { block: group.block, instance, placements: [placement] });
          } else {
            logical.placements.push(placement);
          }
        }
      }
    }
    for (const logical of logicalBlocks.values()) {
      const { placements } = logical;
      const clouds = new Set(placements.map((p) => p.cloud));
      if (clouds.size < 2) continue;
      const cloudsPerSize = new Map<string, Set<Cloud>>();
      for (const p of placements) {
        cloudsPerSize.set(p.size, (cloudsPerSize.get(p.size) ?? new Set()).add(p.cloud));
      }
      const counts = [...cloudsPerSize.values()].map((c) => c.size);
      if (counts.every((count) => count === clouds.size)) continue;
      // The sizes on the most clouds are the block's; a size on fewer clouds is the odd one out.
      // When every size is on as few clouds as the others, no cloud can be singled out.
      const agreed = Math.max(...counts);
      const tie = counts.every((count) => count === agreed);
      const elsewhere = new Map<Cloud, string>();
      for (const cloud of clouds) {
        elsewhere.set(cloud, describe(placements.filter((o) => o.cloud !== cloud)));
      }
      for (const p of placements) {
        if (tie || (cloudsPerSize.get(p.size)?.size ?? 0) < agreed) {
          reportViolation(
            `${title(logical)} must run the same canonical size on every cloud of the stack; on ${p.cloud} it runs ${p.size} (${p.instanceType}) while ${elsewhere.get(p.cloud)}.`,
            p.urn,
          );
        }
      }
    }
  },
};
