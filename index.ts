import * as pulumi from "@pulumi/pulumi";
import { withGcpProject } from "./components/gcpProject";
import { definePlatform } from "./components/platform";
import { ConfigError, parsePlatformSpec } from "./components/spec";

// The SDK's entry point (`@pulumi/pulumi/cmd/run`) installs source-map-support, which maps every
// stack trace through source maps; the SDK takes one stack per promise it tracks, thousands per
// preview, so that mapping was a quarter of a preview's time. The program needs none of it: the
// loader keeps each TypeScript line where it was (loader/register.js), and the SDK's maps point
// at sources its package does not ship. So stack traces are V8's own.
delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;

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
