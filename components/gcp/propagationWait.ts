import * as pulumi from "@pulumi/pulumi";
import { BundledDynamicResource } from "../dynamicProvider";

/**
 * Seconds to wait after an IAM grant before a resource relies on it. Google's IAM documentation
 * ("Access change propagation") says policy changes typically propagate in 2 minutes but could
 * take 7 minutes or longer; the gcp provider has no wait of its own and Terraform users reach for
 * `time_sleep`, which Pulumi has only through another provider package.
 */
export const IAM_PROPAGATION_SECONDS = 120;

export interface IamPropagationWaitArgs {
  /** The members whose grants are awaited; a change waits again. */
  members: pulumi.Input<pulumi.Input<string>[]>;
  /** Seconds to wait. @default IAM_PROPAGATION_SECONDS */
  seconds?: number;
}

/**
 * A pause after IAM grants, so the resources that depend on it are created once the grants are
 * in effect rather than failing on a first `pulumi up`. It holds no cloud resource.
 */
export class IamPropagationWait extends BundledDynamicResource {
  constructor(name: string, args: IamPropagationWaitArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      {
        module: require.resolve("./propagationWaitProvider"),
        factory: "iamPropagationWaitProvider",
      },
      "gcp",
      "IamPropagationWait",
      name,
      { members: args.members, seconds: args.seconds ?? IAM_PROPAGATION_SECONDS },
      opts,
    );
  }
}
