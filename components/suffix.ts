import type * as pulumi from "@pulumi/pulumi";
import { RandomString } from "@pulumi/random/randomString";

/** Length of the stable random suffix that keeps a platform's global names unique. */
export const UNIQUE_SUFFIX_LENGTH = 6;

/**
 * The suffix of a platform's globally unique names (buckets, storage accounts, registries):
 * random once, then stable in the stack's state, and valid under every cloud's name rules
 * (lowercase letters and digits).
 */
export function uniqueSuffix(name: string, parent: pulumi.Resource): RandomString {
  return new RandomString(
    `${name}-suffix`,
    { length: UNIQUE_SUFFIX_LENGTH, lower: true, upper: false, numeric: true, special: false },
    { parent },
  );
}
