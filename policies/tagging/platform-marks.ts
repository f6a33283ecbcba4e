import type { ResourceValidationPolicy } from "@pulumi/policy";
import { BLOCKS, TAG, TIERS } from "../platform";
import { computeGroups } from "../lib/compute";
import { tagProperty, tagsOf } from "../lib/tags";
import { show } from "../lib/values";
import { isTaggable } from "./taggable";

export const platformMarks: ResourceValidationPolicy = {
  name: "platform-marks",
  description: `Checks whether every taggable resource carries the platform's marks (${TAG.stack}, ${TAG.tier}, ${TAG.block}, and ${TAG.size} on compute) with valid values, which the cost model and the cross-cloud checks read.`,
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (!isTaggable(args.type, args.props)) return;
    const tags = tagsOf(args.type, args.props) ?? {};
    const where = tagProperty(args.type);
    const required: string[] = [TAG.stack, TAG.tier, TAG.block];
    if (computeGroups(args.type, args.props).length > 0) required.push(TAG.size);
    const missing = required.filter((key) => typeof tags[key] !== "string" || tags[key] === "");
    if (missing.length > 0) {
      reportViolation(
        `${where} must carry the platform's marks ${required.join(", ")} (set by the components' blockTags); ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing.`,
      );
    }
    const block = tags[TAG.block];
    if (block !== undefined && !(BLOCKS as readonly unknown[]).includes(block)) {
      reportViolation(
        `${where}.${TAG.block} must be one of ${BLOCKS.join(", ")}; it is ${show(block)}.`,
      );
    }
    const tier = tags[TAG.tier];
    if (tier !== undefined && !(TIERS as readonly unknown[]).includes(tier)) {
      reportViolation(
        `${where}.${TAG.tier} must be one of ${TIERS.join(", ")}; it is ${show(tier)}.`,
      );
    }
  },
};
