import { labelValue } from "./naming";
import { type Block, type PlatformSpec, TAG } from "../policies/platform";

export type Tags = Record<string, string>;

/** The tags every resource of a stack carries: the user's tags plus the stack and tier marks. */
export function platformTags(spec: Pick<PlatformSpec, "stack" | "tier" | "tags">): Tags {
  return { ...spec.tags, [TAG.stack]: labelValue(spec.stack), [TAG.tier]: spec.tier };
}

/**
 * The tags of one block's resources: the platform tags, the block and, on compute, the
 * canonical size. The same map serves as AWS tags, Azure tags and GCP labels.
 */
export function blockTags(base: Tags, block: Block, size?: string): Tags {
  return size === undefined
    ? { ...base, [TAG.block]: block }
    : { ...base, [TAG.block]: block, [TAG.size]: size };
}
