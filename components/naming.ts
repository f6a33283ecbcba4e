import { createHash } from "node:crypto";

/**
 * Physical-name rules of the resources whose names the clouds constrain. Every name the
 * components build goes through `physicalName` with one of these, so a long project or stack
 * name, or one with characters a cloud refuses, still gives a valid name.
 */
export interface NameRule {
  /** What the rule is for, in error messages. */
  label: string;
  minLength: number;
  maxLength: number;
  /** `lower`: a-z 0-9 only; `lower-hyphen`: also `-`; `mixed-hyphen`: also A-Z. */
  charset: "lower" | "lower-hyphen" | "mixed-hyphen";
}

export const NAME_RULES = {
  /** S3: 3-63 lowercase letters, digits, hyphens; starts and ends with a letter or digit. */
  s3Bucket: { label: "S3 bucket", minLength: 3, maxLength: 63, charset: "lower-hyphen" },
  /** ECR: lowercase; kept to letters, digits and hyphens. */
  ecrRepository: { label: "ECR repository", minLength: 2, maxLength: 256, charset: "lower-hyphen" },
  /** SageMaker endpoint, model, endpoint config, domain, package group: 63, `[a-zA-Z0-9-]`. */
  sagemaker: { label: "SageMaker resource", minLength: 1, maxLength: 63, charset: "mixed-hyphen" },
  /** IAM role names: 64 characters. */
  iamRole: { label: "IAM role", minLength: 1, maxLength: 64, charset: "mixed-hyphen" },
  /** AWS Batch compute environments and job queues: 128. */
  batch: { label: "AWS Batch resource", minLength: 1, maxLength: 128, charset: "mixed-hyphen" },
  /** IAM customer-managed policies, groups and instance profiles: 128. */
  iamPolicy: { label: "IAM policy", minLength: 1, maxLength: 128, charset: "mixed-hyphen" },
  /** KMS alias after `alias/`: 256 in all, so 250 for the name. */
  kmsAlias: { label: "KMS alias", minLength: 1, maxLength: 250, charset: "mixed-hyphen" },
  /** SageMaker `namePrefix`: the provider appends a 26-character unique id (and `-`) within 63. */
  sagemakerNamePrefix: {
    label: "SageMaker name prefix",
    minLength: 1,
    maxLength: 36,
    charset: "mixed-hyphen",
  },
  /** Azure storage accounts: 3-24 lowercase letters and digits, globally unique. */
  azureStorageAccount: {
    label: "Azure storage account",
    minLength: 3,
    maxLength: 24,
    charset: "lower",
  },
  /** Azure Key Vault: 3-24, letters, digits, hyphens, starts with a letter, globally unique. */
  azureKeyVault: { label: "Azure Key Vault", minLength: 3, maxLength: 24, charset: "lower-hyphen" },
  /** Azure Container Registry: 5-50 letters and digits, globally unique. */
  azureContainerRegistry: {
    label: "Azure Container Registry",
    minLength: 5,
    maxLength: 50,
    charset: "lower",
  },
  /** Azure ML workspaces: 3-33. */
  azureMlWorkspace: {
    label: "Azure ML workspace",
    minLength: 3,
    maxLength: 33,
    charset: "lower-hyphen",
  },
  /**
   * Azure ML registries: 2-32 (one fewer than a workspace's 33), letters, digits, hyphens and
   * underscores, starting with a letter or digit (how-to-manage-registries.md).
   */
  azureMlRegistry: {
    label: "Azure ML registry",
    minLength: 2,
    maxLength: 32,
    charset: "lower-hyphen",
  },
  /** Azure ML compute: 2-16 letters, digits, hyphens, starting with a letter. */
  azureMlCompute: {
    label: "Azure ML compute",
    minLength: 2,
    maxLength: 16,
    charset: "lower-hyphen",
  },
  /** Azure ML online endpoints: 3-32, unique in the region. */
  azureMlEndpoint: {
    label: "Azure ML online endpoint",
    minLength: 3,
    maxLength: 32,
    charset: "lower-hyphen",
  },
  /** Azure resource groups: 90. */
  azureResourceGroup: {
    label: "Azure resource group",
    minLength: 1,
    maxLength: 90,
    charset: "lower-hyphen",
  },
  /** Log Analytics workspaces (4-63), Application Insights, autoscale settings, ARM deployments. */
  azureMonitor: {
    label: "Azure Monitor resource",
    minLength: 4,
    maxLength: 63,
    charset: "lower-hyphen",
  },
  /** GCS buckets: 3-63 lowercase letters, digits, hyphens; globally unique. */
  gcsBucket: { label: "GCS bucket", minLength: 3, maxLength: 63, charset: "lower-hyphen" },
  /** GCP resource ids (persistent resources, repositories, key rings, metadata stores): 63. */
  gcpResourceId: { label: "GCP resource id", minLength: 1, maxLength: 63, charset: "lower-hyphen" },
  /** GCP service account ids: 6-30 lowercase letters, digits, hyphens. */
  gcpServiceAccount: {
    label: "GCP service account",
    minLength: 6,
    maxLength: 30,
    charset: "lower-hyphen",
  },
} as const satisfies Record<string, NameRule>;

const HASH_LENGTH = 6;

function normalize(part: string, charset: NameRule["charset"]): string {
  const cased = charset === "mixed-hyphen" ? part : part.toLowerCase();
  const allowed = charset === "mixed-hyphen" ? /[^a-zA-Z0-9]+/g : /[^a-z0-9]+/g;
  return cased.replace(allowed, charset === "lower" ? "" : "-").replace(/^-+|-+$/g, "");
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, HASH_LENGTH);
}

/**
 * A name valid under `rule` built from `parts` (project, stack, block...) and an optional
 * `suffix` that makes a globally unique name unique. Characters the rule refuses are dropped or
 * turned into hyphens; a name that is still too long keeps its start and ends with a hash of the
 * whole, so two long names that differ only at the end stay different. The result starts with a
 * letter and ends with a letter or digit.
 */
export function physicalName(parts: readonly string[], rule: NameRule, suffix = ""): string {
  const separator = rule.charset === "lower" ? "" : "-";
  const tail = normalize(suffix, rule.charset);
  const pieces = parts.map((p) => normalize(p, rule.charset)).filter((p) => p.length > 0);
  let body = pieces.join(separator);
  if (!/^[a-zA-Z]/.test(body)) {
    body = `m${separator}${body}`.replace(/-+$/, "");
  }
  const reserved = tail.length > 0 ? tail.length + separator.length : 0;
  const room = rule.maxLength - reserved;
  if (body.length > room) {
    const hash = shortHash(pieces.join("/"));
    const keep = room - hash.length - separator.length;
    const head = keep > 0 ? body.slice(0, keep).replace(/-+$/, "") : "";
    // With no room left for the start of the name, the hash stands alone behind a letter.
    body = head.length > 0 ? `${head}${separator}${hash}` : `m${hash}`.slice(0, room);
  }
  const name = tail.length > 0 ? `${body}${separator}${tail}` : body;
  return name.length >= rule.minLength ? name : `${name}${shortHash(name)}`;
}

/** A value valid as a GCP label value (and so as an AWS or Azure tag value). */
export function labelValue(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .slice(0, 63);
}
