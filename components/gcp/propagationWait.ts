import * as pulumi from "@pulumi/pulumi";

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
 * The provider behind `IamPropagationWait`: `create` sleeps, any change of the members replaces
 * (and so sleeps again), delete has nothing to do. It captures nothing but plain values.
 */
export const iamPropagationWaitProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const changed = JSON.stringify(olds.members) !== JSON.stringify(news.members);
    return { changes: changed, replaces: changed ? ["members"] : [] };
  },
  async create(inputs: Record<string, unknown>) {
    const seconds = inputs.seconds as number;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const { randomUUID } = await import("node:crypto");
    return { id: randomUUID(), outs: inputs };
  },
};

/**
 * A pause after IAM grants, so the resources that depend on it are created once the grants are
 * in effect rather than failing on a first `pulumi up`. It holds no cloud resource.
 */
export class IamPropagationWait extends pulumi.dynamic.Resource {
  constructor(name: string, args: IamPropagationWaitArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      iamPropagationWaitProvider,
      name,
      { members: args.members, seconds: args.seconds ?? IAM_PROPAGATION_SECONDS },
      opts,
      "gcp",
      "IamPropagationWait",
    );
  }
}
