import * as kms from "@pulumi/gcp/kms";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as storage from "@pulumi/gcp/storage";
import * as vertex from "@pulumi/gcp/vertex";
import * as pulumi from "@pulumi/pulumi";
import type { WorkspaceArgs, WorkspaceOutputs } from "../blocks";
import { NAME_RULES, physicalName } from "../naming";
import { statefulOptions } from "../options";
import { blockTags } from "../tags";
import type { TeamMemberSpec, TeamSpec, Tier } from "../../policies/platform";
import { type GcpPlacement, KMS_ENCRYPTER_DECRYPTER, daysAsDuration } from "./common";
import { IamPropagationWait } from "./propagationWait";

/**
 * The APIs the platform uses. They stay enabled on destroy: other workloads may use them. The IAM
 * API creates service accounts and the Cloud Resource Manager API sets project IAM bindings; a
 * project created without them refuses both with SERVICE_DISABLED.
 */
export const REQUIRED_APIS = [
  "iam.googleapis.com",
  "cloudresourcemanager.googleapis.com",
  "aiplatform.googleapis.com",
  "artifactregistry.googleapis.com",
  "storage.googleapis.com",
  "cloudkms.googleapis.com",
] as const;

/** The key gets a new primary version this often; 90 days is the most the platform allows. */
export const KEY_ROTATION_DAYS = 90;

/**
 * What the runtime service account may do in the project: run Vertex AI work and write its logs
 * and metrics. Object and image access is granted on the bucket and repository alone.
 */
export const RUNTIME_PROJECT_ROLES = [
  "roles/aiplatform.user",
  "roles/logging.logWriter",
  "roles/monitoring.metricWriter",
] as const;

/**
 * What the serving account may do in the project: write the serving containers' logs and
 * metrics. It reads the model from the bucket through a grant on the bucket alone, and holds no
 * Vertex AI role: serving calls no Vertex AI API. Vertex AI pulls the serving image with its own
 * account (Google's "Use a custom service account" guide), so it needs no registry grant either.
 */
export const SERVING_PROJECT_ROLES = [
  "roles/logging.logWriter",
  "roles/monitoring.metricWriter",
] as const;

/** The role each team member gets in the project. */
export const TEAM_MEMBER_ROLE = "roles/aiplatform.user";

/**
 * The role each team member gets on the runtime service account, so the jobs they submit to the
 * persistent resource (which only runs work as a custom service account) can run as it.
 */
export const RUNTIME_ACCOUNT_USER_ROLE = "roles/iam.serviceAccountUser";

/**
 * The metadata store is the project's `default` one: Vertex AI Experiments and Pipelines write to
 * it, and it takes a customer-managed key only if it is created with one before its first use.
 * There is one per project and region, shared with whatever else uses Vertex AI there, so the
 * workspace retains it on delete in every tier: destroying a stack never deletes it.
 */
export const METADATA_STORE_ID = "default";

/** The services whose Google-managed agents encrypt the platform's data with its key. */
export type KeyUser = "vertex" | "storage" | "artifactRegistry";

export interface GcpWorkspaceArgs extends WorkspaceArgs, GcpPlacement {
  /**
   * Stable random suffix of the key ring name. Key rings can never be deleted, so a stack that is
   * destroyed and deployed again needs a new name.
   */
  uniqueSuffix: pulumi.Input<string>;
}

/** A team member whose Google principal is set. */
type GcpTeamMember = TeamMemberSpec & { gcpMember: string };

/**
 * The members of every team who have a Google principal: all of them on gcp, where the spec
 * (`crossChecks` in components/spec.ts) refuses a member without `gcpMember` when gcp is listed.
 * Member names are unique across teams (the spec refuses a name listed twice), so a member's name
 * alone names their bindings.
 */
function gcpMembers(teams: readonly TeamSpec[]): GcpTeamMember[] {
  return teams
    .flatMap((team) => team.members)
    .filter((member): member is GcpTeamMember => member.gcpMember !== undefined);
}

/**
 * Options of what the retained metadata store needs to stay readable: the store itself, the key
 * that encrypts it and its ring. Retained on delete in every tier (destroying the key would leave
 * the kept store unreadable); protected in prod only.
 */
function keptKeyOptions(
  tier: Tier,
  parent: pulumi.Resource,
  extra: pulumi.CustomResourceOptions = {},
): pulumi.CustomResourceOptions {
  return { ...statefulOptions(tier, parent, extra), retainOnDelete: true };
}

/** The short name of an API, for resource names: `aiplatform` for `aiplatform.googleapis.com`. */
function apiShortName(api: string): string {
  return api.split(".")[0];
}

/** The short name of a role, for resource names: `aiplatform-user` for `roles/aiplatform.user`. */
function roleShortName(role: string): string {
  return role.replace(/^roles\//, "").replace(/\./g, "-");
}

/**
 * The shared Vertex AI workspace: the APIs the platform needs, the customer-managed key every
 * block encrypts with (and its grants to the service agents), the runtime service account with
 * least-privilege roles, the project's `default` Vertex ML Metadata store and a Tensorboard, and
 * the teams' access. The metadata store is shared by everything that uses Vertex AI in the
 * project and region, so it is retained on delete in every tier, dev included: destroying the
 * stack leaves it, and its data, in place, with the key ring, the key and the Vertex AI agent's
 * grant on it that keep it readable.
 */
export class GcpWorkspace extends pulumi.ComponentResource implements WorkspaceOutputs {
  /** The metadata store's full resource name: the workspace experiments and lineage live in. */
  public readonly workspaceName: pulumi.Output<string>;
  /** The CryptoKey id that every block encrypts with. */
  public readonly kmsKeyName: pulumi.Output<string>;
  /**
   * Done once the service agents' key grants have had time to propagate: every encrypted
   * resource waits for it, since Google checks the agent's access when the resource is created.
   */
  public readonly keyAccess: pulumi.Resource;
  /** Email of the runtime service account that training and serving work runs as. */
  public readonly runtimeServiceAccountEmail: pulumi.Output<string>;
  /** The runtime service account as an IAM member (`serviceAccount:...`). */
  public readonly runtimeMember: pulumi.Output<string>;
  /** Email of the service account the endpoints' serving containers run as. */
  public readonly servingServiceAccountEmail: pulumi.Output<string>;
  /** The serving service account as an IAM member. */
  public readonly servingMember: pulumi.Output<string>;

  constructor(name: string, args: GcpWorkspaceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("mlplatform:gcp:Workspace", name, {}, opts);

    const { project, region } = args;
    const tags = blockTags(args.tags, "workspace");

    const apis = REQUIRED_APIS.map(
      (api) =>
        new projects.Service(
          `${name}-api-${apiShortName(api)}`,
          { project, service: api, disableOnDestroy: false, disableDependentServices: false },
          { parent: this },
        ),
    );

    // Vertex AI and Artifact Registry create their agents on first use; asking for the identity
    // creates it now, so the key grant below does not name an account that does not exist yet.
    const vertexAgent = new projects.ServiceIdentity(
      `${name}-agent-vertex`,
      { project, service: "aiplatform.googleapis.com" },
      { parent: this, dependsOn: apis },
    );
    const registryAgent = new projects.ServiceIdentity(
      `${name}-agent-artifactregistry`,
      { project, service: "artifactregistry.googleapis.com" },
      { parent: this, dependsOn: apis },
    );
    // Reading the Cloud Storage agent creates it if the project has none yet.
    const storageAgent = storage.getProjectServiceAccountOutput(
      { project },
      { parent: this, dependsOn: apis },
    );

    const keyRing = new kms.KeyRing(
      `${name}-keyring`,
      {
        project,
        location: region,
        name: pulumi
          .output(args.uniqueSuffix)
          .apply((suffix) => physicalName(args.nameParts, NAME_RULES.gcpResourceId, suffix)),
      },
      keptKeyOptions(args.tier, this, { dependsOn: apis }),
    );
    const key = new kms.CryptoKey(
      `${name}-key`,
      {
        keyRing: keyRing.id,
        name: physicalName([...args.nameParts, "data"], NAME_RULES.gcpResourceId),
        purpose: "ENCRYPT_DECRYPT",
        rotationPeriod: daysAsDuration(KEY_ROTATION_DAYS),
        labels: tags,
      },
      keptKeyOptions(args.tier, this),
    );

    const agents: Record<KeyUser, pulumi.Input<string>> = {
      vertex: vertexAgent.member,
      storage: storageAgent.member,
      artifactRegistry: registryAgent.member,
    };
    const grants = (Object.keys(agents) as KeyUser[]).map((user) =>
      this.grantKey(name, user, key, agents[user]),
    );
    this.keyAccess = new IamPropagationWait(
      `${name}-key-grants-propagated`,
      { members: Object.values(agents) },
      { parent: this, dependsOn: grants },
    );

    // Every binding takes the account's own outputs, so it waits for the account to exist and
    // goes before it on destroy; accounts and bindings wait for the IAM and Resource Manager APIs.
    const account = (
      role: "runtime" | "serving",
      roles: readonly string[],
      description: string,
    ): serviceaccount.Account => {
      const created = new serviceaccount.Account(
        `${name}-${role}`,
        {
          project,
          accountId: physicalName([...args.nameParts, role], NAME_RULES.gcpServiceAccount),
          displayName: `ML platform ${role}`,
          description,
        },
        { parent: this, dependsOn: apis },
      );
      for (const projectRole of roles) {
        new projects.IAMMember(
          `${name}-${role}-${roleShortName(projectRole)}`,
          { project, role: projectRole, member: created.member },
          { parent: this, dependsOn: apis },
        );
      }
      return created;
    };
    const runtime = account(
      "runtime",
      RUNTIME_PROJECT_ROLES,
      "Runs the platform's Vertex AI training jobs.",
    );
    const serving = account(
      "serving",
      SERVING_PROJECT_ROLES,
      "Runs the platform's online endpoints' serving containers.",
    );

    const metadataStore = new vertex.AiMetadataStore(
      `${name}-metadata`,
      {
        project,
        region,
        name: METADATA_STORE_ID,
        description: "Experiments, runs and lineage of the ML platform.",
        encryptionSpec: { kmsKeyName: key.id },
      },
      // The project's shared store: retained in every tier, so no destroy ever deletes it.
      keptKeyOptions(args.tier, this, { dependsOn: [this.keyAccess] }),
    );
    new vertex.AiTensorboard(
      `${name}-tensorboard`,
      {
        project,
        region,
        displayName: physicalName(args.nameParts, NAME_RULES.gcpResourceId),
        description: "Training metrics of the ML platform.",
        encryptionSpec: { kmsKeyName: key.id },
        labels: tags,
      },
      statefulOptions(args.tier, this, { dependsOn: [this.keyAccess] }),
    );

    for (const member of gcpMembers(args.teams)) {
      new projects.IAMMember(
        `${name}-member-${member.name}`,
        { project, role: TEAM_MEMBER_ROLE, member: member.gcpMember },
        { parent: this, dependsOn: apis },
      );
      new serviceaccount.IAMMember(
        `${name}-runas-${member.name}`,
        {
          serviceAccountId: runtime.name,
          role: RUNTIME_ACCOUNT_USER_ROLE,
          member: member.gcpMember,
        },
        { parent: this },
      );
    }

    this.workspaceName = pulumi.interpolate`projects/${project}/locations/${region}/metadataStores/${metadataStore.name}`;
    this.kmsKeyName = key.id;
    this.runtimeServiceAccountEmail = runtime.email;
    this.runtimeMember = runtime.member;
    this.servingServiceAccountEmail = serving.email;
    this.servingMember = serving.member;
    this.registerOutputs({
      workspaceName: this.workspaceName,
      kmsKeyName: this.kmsKeyName,
      runtimeServiceAccountEmail: this.runtimeServiceAccountEmail,
      runtimeMember: this.runtimeMember,
      servingServiceAccountEmail: this.servingServiceAccountEmail,
      servingMember: this.servingMember,
    });
  }

  private grantKey(
    name: string,
    user: KeyUser,
    key: kms.CryptoKey,
    member: pulumi.Input<string>,
  ): kms.CryptoKeyIAMMember {
    // The Vertex AI agent's grant stays with the metadata store, which outlives every stack.
    return new kms.CryptoKeyIAMMember(
      `${name}-key-${user.toLowerCase()}`,
      { cryptoKeyId: key.id, role: KMS_ENCRYPTER_DECRYPTER, member },
      { parent: this, retainOnDelete: user === "vertex" },
    );
  }
}
