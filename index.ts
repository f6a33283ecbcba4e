import * as pulumi from "@pulumi/pulumi";
import { withGcpProject } from "./components/gcpProject";
import { definePlatform } from "./components/platform";
import { ConfigError, parsePlatformSpec } from "./components/spec";

/**
 * The stack's config is read here and nowhere else: parsed and validated into one spec before any
 * resource is declared, so a stack with bad config registers nothing.
 */
export = async () => {
  const result = parsePlatformSpec(pulumi.runtime.allConfig(), {
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
  });
  if (!result.ok) {
    throw new ConfigError(result.problems);
  }
  return definePlatform(await withGcpProject(result.spec));
};
