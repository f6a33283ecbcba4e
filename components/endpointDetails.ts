import * as pulumi from "@pulumi/pulumi";
import type { OnlineEndpointOutputs, PlatformOutputs } from "./blocks";
import { instanceFor } from "../policies/catalog";
import type { Cloud, EndpointSpec } from "../policies/platform";

/** How a caller authenticates to an endpoint's scoring API. */
export const ENDPOINT_AUTH: Record<Cloud, string> = {
  /** SageMaker Runtime `InvokeEndpoint`, signed with AWS Signature Version 4. */
  aws: "sigv4",
  /** Azure ML key auth: the endpoint key, read through ARM `listKeys`, as a bearer token. */
  azure: "key",
  /** A Google OAuth 2.0 access token of the caller's credentials. */
  gcp: "google-oauth",
};

/**
 * What a caller needs to invoke and price one online endpoint, exported by the stack under each
 * cloud's `endpointDetails` so that `npm run probe` can measure the deployment. Nothing here is a
 * secret: the Azure key is read through ARM when it is needed, never stored in the stack.
 */
export interface EndpointDetails {
  cloud: Cloud;
  /** Where the endpoint runs: the AWS region, the Azure location, the GCP region. */
  region: string;
  /** The cloud's name of the endpoint (on Vertex AI, its numeric id). */
  endpointName: pulumi.Output<string>;
  /** The HTTPS URL that answers scoring requests. */
  scoringUrl: pulumi.Output<string>;
  /** How callers authenticate: one of `ENDPOINT_AUTH`'s values. */
  auth: string;
  /** The canonical size of the spec. */
  size: string;
  /** The hosting instance type the catalog maps the size to on this cloud. */
  instanceType: string;
  /** On-demand USD an hour of one replica, from the catalog. */
  hourlyUsd: number;
  /** The region the catalog's price is for. */
  priceRegion: string | null;
  /** Fewest replicas the endpoint scales to; 0 on SageMaker serverless inference. */
  minReplicas: number;
  /** Most replicas the endpoint scales to. */
  maxReplicas: number;
  /**
   * Azure only: the ARM id of the online endpoint, whose `listKeys` action returns its keys.
   */
  resourceId?: pulumi.Output<string>;
}

/** The details of one endpoint of `cloud` in `region`, from its spec and its component. */
function endpointDetails(
  cloud: Cloud,
  region: string,
  spec: EndpointSpec,
  endpoint: OnlineEndpointOutputs,
  resourceId?: pulumi.Input<string>,
): EndpointDetails {
  const row = instanceFor(cloud, spec.size, "hosting");
  return {
    cloud,
    region,
    endpointName: endpoint.endpointName,
    scoringUrl: endpoint.scoringUrl,
    auth: ENDPOINT_AUTH[cloud],
    size: spec.size,
    instanceType: endpoint.instanceType,
    hourlyUsd: row.hourlyUsd,
    priceRegion: row.region,
    minReplicas: endpoint.minReplicas,
    maxReplicas: endpoint.maxReplicas,
    ...(resourceId === undefined ? {} : { resourceId: pulumi.output(resourceId) }),
  };
}

/**
 * A cloud's `endpoints` (name to scoring URL) and `endpointDetails` outputs, from the spec's
 * endpoints and their components in the same order. `resourceId` gives an endpoint's ARM id, on
 * Azure only.
 */
export function endpointOutputs(
  cloud: Cloud,
  region: string,
  specs: readonly EndpointSpec[],
  endpoints: readonly OnlineEndpointOutputs[],
  resourceId?: (endpoint: OnlineEndpointOutputs) => pulumi.Input<string>,
): Pick<PlatformOutputs, "endpoints" | "endpointDetails"> {
  const details = specs.map((spec, i) => {
    const endpoint = endpoints[i];
    return endpointDetails(cloud, region, spec, endpoint, resourceId?.(endpoint));
  });
  return {
    endpoints: Object.fromEntries(specs.map((spec, i) => [spec.name, details[i].scoringUrl])),
    endpointDetails: Object.fromEntries(specs.map((spec, i) => [spec.name, details[i]])),
  };
}

/** The ARM id of an Azure ML online endpoint. */
export function azureOnlineEndpointId(parts: {
  subscriptionId: pulumi.Input<string>;
  resourceGroupName: pulumi.Input<string>;
  workspaceName: pulumi.Input<string>;
  endpointName: pulumi.Input<string>;
}): pulumi.Output<string> {
  return pulumi.interpolate`/subscriptions/${parts.subscriptionId}/resourceGroups/${parts.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${parts.workspaceName}/onlineEndpoints/${parts.endpointName}`;
}
