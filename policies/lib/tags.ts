import { cloudOfType } from "./types";
import { type Props, isRecord } from "./values";

/** The property that carries a resource's tags: `labels` on GCP, `tags` on AWS and Azure. */
export function tagProperty(type: string): "labels" | "tags" {
  return cloudOfType(type) === "gcp" ? "labels" : "tags";
}

/** A resource's tags or labels, or `undefined` when it has none. */
export function tagsOf(type: string, props: Props): Record<string, unknown> | undefined {
  const tags = props[tagProperty(type)];
  return isRecord(tags) ? tags : undefined;
}
