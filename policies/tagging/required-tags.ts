import type { ResourceValidationPolicy } from "@pulumi/policy";
import { tagProperty, tagsOf } from "../lib/tags";
import { isTaggable } from "./taggable";

interface RequiredTagsConfig {
  requiredTags: string[];
}

export const requiredTags: ResourceValidationPolicy = {
  name: "required-tags",
  description:
    "Checks whether every resource that takes tags (AWS, Azure) or labels (GCP) carries the organization's required keys with a value (by default owner, cost-center and environment), so costs and owners can be traced.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      requiredTags: {
        type: "array",
        items: { type: "string" },
        default: ["owner", "cost-center", "environment"],
        description: "Tag or label keys every taggable resource must carry, with a value.",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    if (!isTaggable(args.type, args.props)) return;
    const { requiredTags: required } = args.getConfig<RequiredTagsConfig>();
    const tags = tagsOf(args.type, args.props) ?? {};
    const missing = required.filter((key) => typeof tags[key] !== "string" || tags[key] === "");
    if (missing.length > 0) {
      const present = Object.keys(tags).sort();
      reportViolation(
        `${tagProperty(args.type)} must carry ${required.join(", ")}; ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing or empty (it has ${present.length === 0 ? "none" : present.join(", ")}). Set them in mlplatform:tags.`,
      );
    }
  },
};
