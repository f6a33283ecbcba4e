/**
 * Cloud-neutral shapes shared by the spec, the three clouds' components, the policies and the engine.
 * Nothing here imports a provider.
 */

export const CLOUDS = ["aws", "azure", "gcp"] as const;
export type Cloud = (typeof CLOUDS)[number];

export const TIERS = ["dev", "prod"] as const;
export type Tier = (typeof TIERS)[number];

/** The logical building blocks; each resource carries its block in the `mlplatform-block` tag. */
export const BLOCKS = [
  "workspace",
  "training",
  "storage",
  "registry",
  "model-registry",
  "endpoint",
] as const;
export type Block = (typeof BLOCKS)[number];

/** What an instance type is used for: the training cluster or online hosting. */
export const USES = ["training", "hosting"] as const;
export type Use = (typeof USES)[number];

export interface TrainingSpec {
  /** Canonical size from the catalog, such as `cpu-4x16`. */
  size: string;
  /** Nodes the cluster keeps when no job runs (0 scales to zero where the cloud can). */
  minNodes: number;
  /** Nodes the cluster grows to when jobs queue; at least 1. */
  maxNodes: number;
  /** Minutes a node may sit idle before the cluster scales it in. */
  idleMinutes: number;
  /** Run on spot / low-priority capacity. */
  spot: boolean;
}

export interface EndpointSpec {
  /** Short name, valid as an endpoint name on all three clouds. */
  name: string;
  /** Canonical size from the catalog. */
  size: string;
  /** Replicas the endpoint keeps at its lowest load (0: serverless, AWS in dev only). */
  minReplicas: number;
  /** Replicas the endpoint's autoscaler may add up to. */
  maxReplicas: number;
}

/** What a member's Entra object id names: one user, or a group whose members all get the access. */
export const AZURE_PRINCIPAL_TYPES = ["User", "Group"] as const;
export type AzurePrincipalType = (typeof AZURE_PRINCIPAL_TYPES)[number];

export interface TeamMemberSpec {
  /** User name: the SageMaker user profile and the `studiouserid` tag. */
  name: string;
  /** Microsoft Entra object id of the member; required when Azure is deployed. */
  azurePrincipalId?: string;
  /**
   * What `azurePrincipalId` names; role assignments declare it as their `principalType`.
   * @default "User"
   */
  azurePrincipalType?: AzurePrincipalType;
  /** Google IAM member (`user:alice@contoso.com`, `group:ml@contoso.com`); required when GCP is deployed. */
  gcpMember?: string;
}

export interface TeamSpec {
  name: string;
  members: TeamMemberSpec[];
}

export interface AwsTarget {
  region: string;
}

export interface AzureTarget {
  location: string;
}

export interface GcpTarget {
  /**
   * The project the platform deploys into. Left out of a stack's config, it is the gcp
   * provider's own project (GOOGLE_PROJECT and the other variables the provider reads), which
   * `index.ts` asks the provider for before any block is built.
   */
  project?: string;
  region: string;
}

/** The whole platform, described once, validated before any resource is declared. */
export interface PlatformSpec {
  project: string;
  stack: string;
  clouds: Cloud[];
  tier: Tier;
  budgetMonthlyUsd?: number;
  training: TrainingSpec;
  endpoints: EndpointSpec[];
  teams: TeamSpec[];
  /** User tags from `mlplatform:tags`, applied to every resource that takes tags or labels. */
  tags: Record<string, string>;
  aws?: AwsTarget;
  azure?: AzureTarget;
  gcp?: GcpTarget;
}

/** The tag keys the components set and the policies read. */
export const TAG = {
  stack: "mlplatform-stack",
  tier: "mlplatform-tier",
  block: "mlplatform-block",
  size: "mlplatform-size",
} as const;

/** A component type of the platform: `mlplatform:<cloud>:<Component>`. */
const PLATFORM_COMPONENT = /^mlplatform:(aws|azure|gcp):(\w+)$/;

/**
 * The cloud and component name of a platform component type such as
 * `mlplatform:aws:OnlineEndpoint`; `undefined` for any other type.
 */
export function platformComponent(type: string): { cloud: Cloud; component: string } | undefined {
  const match = PLATFORM_COMPONENT.exec(type);
  return match === null ? undefined : { cloud: match[1] as Cloud, component: match[2] };
}
