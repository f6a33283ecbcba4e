import type * as pulumi from "@pulumi/pulumi";
import type { Tier } from "../policies/platform";

/**
 * Options for a resource that holds data or keys: in prod it is protected from `pulumi destroy`
 * and left in the cloud if it leaves the program.
 */
export function statefulOptions(
  tier: Tier,
  parent: pulumi.Resource,
  extra: pulumi.CustomResourceOptions = {},
): pulumi.CustomResourceOptions {
  const prod = tier === "prod";
  return { ...extra, parent, protect: prod, retainOnDelete: prod };
}
