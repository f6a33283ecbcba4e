import * as pulumi from "@pulumi/pulumi";
import { BundledDynamicResource } from "../dynamicProvider";
import { ARM_ENDPOINT } from "./armApi";

export interface ManagedNetworkProvisionArgs {
  /** ARM id of the Azure ML workspace whose managed network is provisioned. */
  workspaceId: pulumi.Input<string>;
  /**
   * Bearer token for Azure Resource Manager, from the azure-native provider's own login
   * (`authorization.getClientToken`), so the call runs as `pulumi up` does. Kept secret.
   */
  accessToken: pulumi.Input<string>;
  /**
   * Azure Resource Manager's base URL.
   * @default ARM_ENDPOINT - Azure's public cloud
   */
  armEndpoint?: pulumi.Input<string>;
}

/**
 * The provisioned managed network of an Azure ML workspace. Managed online deployments in a
 * workspace with managed network isolation need it: "To create an online deployment, you must
 * manually provision the managed network, or create a compute instance first"
 * (how-to-managed-network.md). No azure-native resource or function calls the action, so this
 * dynamic resource does, and the deployments depend on it.
 */
export class ManagedNetworkProvisioning extends BundledDynamicResource {
  /** The network's status: `Active` once provisioned. */
  declare public readonly status: pulumi.Output<string>;

  constructor(
    name: string,
    args: ManagedNetworkProvisionArgs,
    opts: pulumi.CustomResourceOptions = {},
  ) {
    super(
      { module: require.resolve("./managedNetworkProvider"), factory: "managedNetworkProvider" },
      "azure",
      "ManagedNetworkProvisioning",
      name,
      {
        workspaceId: args.workspaceId,
        accessToken: pulumi.secret(args.accessToken),
        armEndpoint: args.armEndpoint ?? ARM_ENDPOINT,
        status: undefined,
        sparkReady: undefined,
      },
      opts,
    );
  }
}
