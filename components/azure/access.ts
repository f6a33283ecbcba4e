import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as pulumi from "@pulumi/pulumi";
import { NAME_RULES, physicalName } from "../naming";

/**
 * Address space of the network team members reach a prod workspace through. It must not overlap
 * the networks it is peered with or reached from by VPN; change it here if it does.
 */
export const ACCESS_ADDRESS_SPACE = "10.42.0.0/24";
/** The subnet of that network that holds the workspace's private endpoint. */
export const ACCESS_SUBNET = { name: "private-endpoints", addressPrefix: "10.42.0.0/26" } as const;

/** Private-link sub-resource of an Azure ML workspace (how-to-configure-private-link.md). */
export const WORKSPACE_PRIVATE_LINK_TARGET = "amlworkspace";

/**
 * The private DNS zones a workspace's private endpoint registers in, so that its API and
 * notebook host names resolve to private addresses in the network (how-to-custom-dns.md).
 */
export const WORKSPACE_PRIVATE_DNS_ZONES = [
  "privatelink.api.azureml.ms",
  "privatelink.notebooks.azure.net",
] as const;

export interface WorkspaceAccessArgs {
  nameParts: readonly string[];
  resourceGroupName: pulumi.Input<string>;
  location: string;
  /** ARM id of the workspace the private endpoint connects to. */
  workspaceId: pulumi.Input<string>;
  tags: Record<string, string>;
}

/**
 * The way in to a workspace with public network access disabled: a virtual network with a
 * private endpoint to the workspace and the private DNS zones its names resolve in. People and
 * pipelines use the workspace (studio, SDK, CLI) from this network or one peered with it, or over
 * a VPN into it; connecting those is the organization's network, not this stack's.
 */
export function workspaceAccess(
  name: string,
  args: WorkspaceAccessArgs,
  parent: pulumi.Resource,
): network.PrivateEndpoint {
  const opts = { parent };
  const placement = { resourceGroupName: args.resourceGroupName, location: args.location };
  const vnet = new network.VirtualNetwork(
    `${name}-access-vnet`,
    {
      ...placement,
      virtualNetworkName: physicalName([...args.nameParts, "access"], NAME_RULES.azureMonitor),
      addressSpace: { addressPrefixes: [ACCESS_ADDRESS_SPACE] },
      // The subnet is declared here, not as its own resource, so the network has one writer.
      subnets: [
        {
          name: ACCESS_SUBNET.name,
          addressPrefix: ACCESS_SUBNET.addressPrefix,
          privateEndpointNetworkPolicies: "Enabled",
        },
      ],
      tags: args.tags,
    },
    opts,
  );
  const endpoint = new network.PrivateEndpoint(
    `${name}-access-endpoint`,
    {
      ...placement,
      privateEndpointName: physicalName([...args.nameParts, "workspace"], NAME_RULES.azureMonitor),
      subnet: { id: pulumi.interpolate`${vnet.id}/subnets/${ACCESS_SUBNET.name}` },
      privateLinkServiceConnections: [
        {
          name: "workspace",
          privateLinkServiceId: args.workspaceId,
          groupIds: [WORKSPACE_PRIVATE_LINK_TARGET],
        },
      ],
      tags: args.tags,
    },
    opts,
  );
  const zones = WORKSPACE_PRIVATE_DNS_ZONES.map((zoneName, index) => {
    const zone = new privatedns.PrivateZone(
      `${name}-dns-${index}`,
      {
        resourceGroupName: args.resourceGroupName,
        privateZoneName: zoneName,
        location: "global",
        tags: args.tags,
      },
      opts,
    );
    new privatedns.VirtualNetworkLink(
      `${name}-dns-${index}-link`,
      {
        resourceGroupName: args.resourceGroupName,
        privateZoneName: zone.name,
        virtualNetworkLinkName: "access",
        virtualNetwork: { id: vnet.id },
        registrationEnabled: false,
        location: "global",
        tags: args.tags,
      },
      opts,
    );
    return { name: zoneName.replace(/\./g, "-"), privateDnsZoneId: zone.id };
  });
  new network.PrivateDnsZoneGroup(
    `${name}-access-dns`,
    {
      resourceGroupName: args.resourceGroupName,
      privateEndpointName: endpoint.name,
      privateDnsZoneGroupName: "default",
      privateDnsZoneConfigs: zones,
    },
    opts,
  );
  return endpoint;
}
