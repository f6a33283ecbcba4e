import type * as pulumi from "@pulumi/pulumi";
import type { Registration } from "../harness";

export const LOCATION = "eastus";
export const RESOURCE_GROUP = "mlplatform-test";
export const NAME_PARTS = ["mlplatform", "test"] as const;
export const PLACEMENT = {
  nameParts: NAME_PARTS,
  resourceGroupName: RESOURCE_GROUP,
  location: LOCATION,
};
export const TAGS = { owner: "ml-platform", "mlplatform-stack": "test", "mlplatform-tier": "dev" };
export const SUBSCRIPTION = "11111111-aaaa-bbbb-cccc-222222222222";
export const TENANT = "33333333-dddd-eeee-ffff-444444444444";

/** What the mocked random provider returns. */
export const SUFFIX = "x7k2p9";
/** The principal id the mocked compute cluster's system identity reports. */
export const COMPUTE_PRINCIPAL = "55555555-0000-0000-0000-666666666666";
/** The principal id the mocked online endpoint's system identity reports. */
export const ENDPOINT_PRINCIPAL = "77777777-0000-0000-0000-888888888888";
/** The token the mocked `getClientToken` answers. */
export const ARM_TOKEN = "arm-token";

/** The answer of the one data-source call the Azure platform makes. */
export const CLIENT_CONFIG = {
  "azure-native:authorization:getClientConfig": () => ({
    clientId: "client",
    objectId: "object",
    subscriptionId: SUBSCRIPTION,
    tenantId: TENANT,
  }),
  "azure-native:authorization:getClientToken": () => ({ token: ARM_TOKEN }),
};

/** The input each Azure resource type takes its name from, which Azure reports back as `name`. */
const NAME_INPUTS: Record<string, string> = {
  "azure-native:resources:ResourceGroup": "resourceGroupName",
  "azure-native:storage:StorageAccount": "accountName",
  "azure-native:storage:BlobContainer": "containerName",
  "azure-native:keyvault:Vault": "vaultName",
  "azure-native:containerregistry:Registry": "registryName",
  "azure-native:machinelearningservices:Registry": "registryName",
  "azure-native:machinelearningservices:Workspace": "workspaceName",
  "azure-native:machinelearningservices:Datastore": "name",
  "azure-native:machinelearningservices:Compute": "computeName",
  "azure-native:machinelearningservices:OnlineEndpoint": "endpointName",
  "azure-native:machinelearningservices:OnlineDeployment": "deploymentName",
  "azure-native:operationalinsights:Workspace": "workspaceName",
  "azure-native:applicationinsights:Component": "resourceName",
  "azure-native:network:VirtualNetwork": "virtualNetworkName",
  "azure-native:network:PrivateEndpoint": "privateEndpointName",
  "azure-native:privatedns:PrivateZone": "privateZoneName",
};

/** Outputs the mocked providers compute: names, endpoints, identities and random values. */
export function azureOutputs(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const inputs = args.inputs as Record<string, unknown>;
  const nameInput = NAME_INPUTS[args.type];
  const named = nameInput === undefined ? {} : { name: inputs[nameInput] };
  switch (args.type) {
    case "random:index/randomString:RandomString":
      return { result: SUFFIX };
    case "azure-native:storage:StorageAccount":
      return {
        ...named,
        primaryEndpoints: { blob: `https://${String(inputs.accountName)}.blob.core.windows.net/` },
      };
    case "azure-native:containerregistry:Registry":
      return { ...named, loginServer: `${String(inputs.registryName)}.azurecr.io` };
    case "azure-native:machinelearningservices:Compute":
      return { ...named, identity: { type: "SystemAssigned", principalId: COMPUTE_PRINCIPAL } };
    case "azure-native:machinelearningservices:OnlineEndpoint":
      return {
        ...named,
        identity: { type: "SystemAssigned", principalId: ENDPOINT_PRINCIPAL },
        properties: {
          ...(inputs.properties as object),
          scoringUri: `https://${String(inputs.endpointName)}.${LOCATION}.inference.ml.azure.com/score`,
        },
      };
    default:
      return named;
  }
}

/** The registration of the component of a type (there must be one). */
export function component(registrations: readonly Registration[], type: string): Registration {
  const found = registrations.filter((r) => r.type === type && !r.custom);
  if (found.length !== 1) throw new Error(`expected one ${type} component, found ${found.length}`);
  return found[0];
}

/** The registration with a logical name (there must be one). */
export function named(registrations: readonly Registration[], name: string): Registration {
  const found = registrations.find((r) => r.name === name);
  if (found === undefined) throw new Error(`nothing named ${name} was registered`);
  return found;
}

/** Azure's physical-name rules, as the services document them. */
export const AZURE_NAMES = {
  /** 3-24 lowercase letters and digits. */
  storageAccount: /^[a-z0-9]{3,24}$/,
  /** 3-24 letters, digits and hyphens; starts with a letter, ends with a letter or digit, no `--`. */
  keyVault: /^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/,
  /** 5-50 letters and digits. */
  containerRegistry: /^[a-zA-Z0-9]{5,50}$/,
  /** Workspaces: 3-33, starting with a letter or digit, then `-` and `_` too. */
  mlWorkspace: /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$/,
  /** Registries: 2-32, starting with a letter or digit, then `-` and `_` too. */
  mlRegistry: /^[a-zA-Z0-9][a-zA-Z0-9_-]{1,31}$/,
  /** Compute: 2-16, starting with a letter, ending with a letter or digit. */
  mlCompute: /^[a-zA-Z][a-zA-Z0-9-]{0,14}[a-zA-Z0-9]$/,
  /** Online endpoints: 3-32, starting with a letter, ending with a letter or digit. */
  mlEndpoint: /^[a-zA-Z][a-zA-Z0-9-]{1,30}[a-zA-Z0-9]$/,
  /** Resource groups: 1-90 of letters, digits, `-`, `_`, `.`, `(`, `)`, not ending with `.`. */
  resourceGroup: /^[-\w.()]{0,89}[-\w()]$/,
  /** Log Analytics workspaces: 4-63, letters, digits, hyphens, alphanumeric at both ends. */
  logAnalytics: /^[a-zA-Z0-9][a-zA-Z0-9-]{2,61}[a-zA-Z0-9]$/,
};
