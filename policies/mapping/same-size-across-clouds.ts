import type { StackValidationPolicy } from "@pulumi/policy";
import { sizeOfInstanceType } from "../../components/catalog";
import type { Block, Cloud } from "../../components/types";
import { StackGraph } from "../lib/stack";

/** One machine group of a block on one cloud, with the canonical size its type is mapped from. */
interface Placement {
  urn: string;
  cloud: Cloud;
  instanceType: string;
  /** The size, or the type itself when the catalog maps no size to it. */
  size: string;
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

export const sameSizeAcrossClouds: StackValidationPolicy = {
  name: "same-size-across-clouds",
  description:
    "Checks whether each logical block (training cluster, online endpoints) runs the same canonical sizes on every cloud of a stack that deploys several clouds side by side, so the clouds compare like for like.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const byBlock = new Map<Block, Placement[]>();
    for (const { resource, groups } of new StackGraph(args.resources).compute) {
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
          const list = byBlock.get(group.block);
          if (list === undefined) {
            byBlock.set(group.block, [placement]);
          } else {
            list.push(placement);
          }
        }
      }
    }
    for (const [block, placements] of byBlock) {
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
            `the ${block} block must run the same canonical size on every cloud of the stack; on ${p.cloud} it runs ${p.size} (${p.instanceType}) while ${elsewhere.get(p.cloud)}.`,
            p.urn,
          );
        }
      }
    }
  },
};
