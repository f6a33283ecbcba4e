import type { PolicyResource } from "@pulumi/policy";
import { SERVERLESS_MAX_MEMORY_GIB, SIZES, isSizeName } from "../catalog";
import { type Block, TAG } from "../platform";
import { isServerlessVariant } from "../lib/compute";
import { tagsOf } from "../lib/tags";
import { T } from "../lib/types";
import { type Props, isRecord, listOf, peek } from "../lib/values";

/** A charge of the catalog a resource brings, and how many of its units. */
export interface ChargeUse {
  chargeId: string;
  quantity: number;
  /** The block the charge belongs to when the resource carries no `mlplatform-block` mark. */
  block: Block;
  /** What the report should say about this resource's charge beyond the catalog's words. */
  detail?: string;
  /** Why the charge cannot be counted yet: a value the plan or preview cannot know. */
  unknown?: string;
}

const one = (chargeId: string, block: Block): ChargeUse[] => [{ chargeId, quantity: 1, block }];

/**
 * Azure charges that bill a fixed part and, under `<id>-data`, the data they process: `quantity`
 * of the first, and the second by use.
 */
const withData = (chargeId: string, quantity = 1): ChargeUse[] => [
  { chargeId, quantity, block: "workspace" },
  ...one(`${chargeId}-data`, "workspace"),
];

/** An interface endpoint bills per availability zone, one per subnet it has a network interface in. */
function vpcEndpoint(props: Props): ChargeUse[] {
  if (props.vpcEndpointType !== "Interface") return [];
  const zones = listOf(props.subnetIds as unknown[] | undefined).length;
  return [{ chargeId: "aws-interface-endpoint", quantity: Math.max(1, zones), block: "workspace" }];
}

const ACR_CHARGES: Record<string, string> = {
  Basic: "azure-acr-basic",
  Standard: "azure-acr-standard",
  Premium: "azure-acr-premium",
};

function containerRegistry(props: Props): ChargeUse[] {
  const sku = isRecord(props.sku) ? props.sku.name : undefined;
  const chargeId = typeof sku === "string" ? ACR_CHARGES[sku] : undefined;
  return chargeId === undefined ? [] : one(chargeId, "registry");
}

/** An Azure ML registry creates its own container registry in each region it lists. */
function mlRegistry(props: Props): ChargeUse[] {
  return listOf(props.regionDetails as unknown[] | undefined)
    .flatMap((region) => (isRecord(region) ? listOf(region.acrDetails as unknown[]) : []))
    .flatMap((acr) => {
      const created = isRecord(acr) ? acr.systemCreatedAcrAccount : undefined;
      const sku = isRecord(created) ? created.acrAccountSku : undefined;
      const chargeId = typeof sku === "string" ? ACR_CHARGES[sku] : undefined;
      return chargeId === undefined ? [] : one(chargeId, "model-registry");
    });
}

/**
 * In "allow only approved outbound" mode the managed network of an Azure ML workspace gets a
 * private endpoint to the workspace, its storage account (blob and file), key vault and
 * container registry; FQDN outbound rules add an Azure Firewall
 * (learn.microsoft.com/azure/machine-learning/how-to-managed-network, "List of required rules"
 * and "Pricing").
 */
const MANAGED_NETWORK_PRIVATE_ENDPOINTS = 5;

/** A managed network's fixed charges, and the data its endpoints and firewall process. */
function managedNetworkCharges(network: Props): ChargeUse[] {
  const uses: ChargeUse[] = [];
  const rules = isRecord(network.outboundRules) ? Object.values(network.outboundRules) : [];
  const ruleCount = (type: string) => rules.filter((r) => isRecord(r) && r.type === type).length;
  const required =
    network.isolationMode === "AllowOnlyApprovedOutbound" ? MANAGED_NETWORK_PRIVATE_ENDPOINTS : 0;
  const endpoints = required + ruleCount("PrivateEndpoint");
  if (endpoints > 0) {
    uses.push(...withData("azure-private-endpoint", endpoints));
  }
  if (ruleCount("FQDN") > 0) {
    const sku = network.firewallSku === "Basic" ? "basic" : "standard";
    uses.push(...withData(`azure-firewall-${sku}`));
  }
  return uses;
}

/**
 * The charges of an Azure ML workspace's managed network. The provider lifts `managedNetwork` into
 * one value, unknown at preview whenever a rule names a resource created in the same update; this
 * platform's workspace block declares what the network bills by, rule by rule, so the network is
 * read there when the workspace's own copy is not known. Values are read without the analyzer's
 * unknown-checking proxy (`peek`): an unknown value says so instead of failing the model.
 */
function mlWorkspace(props: Props, resource: PolicyResource): ChargeUse[] {
  const own = peek(props, "managedNetwork");
  if (own === undefined || own === null) return [];
  const block = resource.parent?.type === T.azureWorkspaceBlock ? resource.parent : undefined;
  const network = isRecord(own) ? own : peek(block?.props, "managedNetwork");
  if (!isRecord(network)) {
    return [
      {
        chargeId: "azure-private-endpoint",
        quantity: 0,
        block: "workspace",
        unknown:
          "its managedNetwork is not known until deployment, so its private endpoints and any Azure Firewall are not counted",
      },
    ];
  }
  return managedNetworkCharges(network);
}

/** A private endpoint the program declares itself, such as the way in to a private workspace. */
function privateEndpoint(): ChargeUse[] {
  return withData("azure-private-endpoint");
}

function cryptoKey(props: Props): ChargeUse[] {
  const template = isRecord(props.versionTemplate) ? props.versionTemplate : {};
  const hsm = template.protectionLevel === "HSM";
  return one(hsm ? "gcp-kms-key-version-hsm" : "gcp-kms-key-version", "workspace");
}

/**
 * A SageMaker serverless variant bills per request: named as usage, never as an instance, with
 * its memory, and the size's where serverless inference gives less than the size asks.
 */
function endpointConfiguration(props: Props, resource: PolicyResource): ChargeUse[] {
  const size = tagsOf(resource.type, props)?.[TAG.size];
  const sizeGiB = typeof size === "string" && isSizeName(size) ? SIZES[size].memoryGiB : undefined;
  return listOf(props.productionVariants as unknown[] | undefined).flatMap((v): ChargeUse[] => {
    if (!isRecord(v) || !isServerlessVariant(v)) return [];
    const config = isRecord(v.serverlessConfig) ? v.serverlessConfig : {};
    const memoryMb = typeof config.memorySizeInMb === "number" ? config.memorySizeInMb : undefined;
    const below =
      memoryMb !== undefined && sizeGiB !== undefined && memoryMb < sizeGiB * 1024
        ? `, less than the ${sizeGiB} GiB of ${String(size)}: serverless inference offers at most ${SERVERLESS_MAX_MEMORY_GIB} GB`
        : "";
    return [
      {
        chargeId: "aws-sagemaker-serverless",
        quantity: 1,
        block: "endpoint",
        ...(memoryMb === undefined ? {} : { detail: `${memoryMb} MB of memory${below}` }),
      },
    ];
  });
}

const DETECTORS: Record<string, (props: Props, resource: PolicyResource) => ChargeUse[]> = {
  [T.awsVpcEndpoint]: vpcEndpoint,
  [T.awsKmsKey]: () => one("aws-kms-key", "workspace"),
  [T.awsMetricAlarm]: () => one("aws-cloudwatch-alarm", "endpoint"),
  [T.awsBucket]: () => one("aws-s3-bucket", "storage"),
  [T.awsBucketV2]: () => one("aws-s3-bucket", "storage"),
  [T.awsEcrRepository]: () => one("aws-ecr-repository", "registry"),
  [T.awsSagemakerEndpointConfiguration]: endpointConfiguration,
  [T.azureContainerRegistry]: containerRegistry,
  [T.azureMlRegistry]: mlRegistry,
  [T.azureMlWorkspace]: mlWorkspace,
  [T.azurePrivateEndpoint]: privateEndpoint,
  [T.azureStorageAccount]: () => one("azure-storage-account", "storage"),
  [T.azureKeyVault]: () => one("azure-key-vault", "workspace"),
  [T.azureLogAnalytics]: () => one("azure-log-analytics", "workspace"),
  [T.azureAppInsights]: () => one("azure-application-insights", "workspace"),
  [T.gcpKmsCryptoKey]: cryptoKey,
  [T.gcpBucket]: () => one("gcp-storage-bucket", "storage"),
  [T.gcpArtifactRepository]: () => one("gcp-artifact-registry", "registry"),
  [T.gcpVertexTensorboard]: () => one("gcp-vertex-tensorboard", "workspace"),
  [T.gcpVertexMetadataStore]: () => one("gcp-vertex-metadata", "workspace"),
};

/** The charges besides compute a resource brings. */
export function chargesOf(resource: PolicyResource): ChargeUse[] {
  return DETECTORS[resource.type]?.(resource.props, resource) ?? [];
}
