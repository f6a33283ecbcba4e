import { ConfigError } from "./spec";
import type { PlatformSpec } from "../policies/platform";

/**
 * The spec with its GCP project filled in. A stack may leave `gcp:project` out: the gcp provider
 * then takes its project from its environment (GOOGLE_PROJECT, GOOGLE_CLOUD_PROJECT,
 * GCLOUD_PROJECT, CLOUDSDK_CORE_PROJECT; see `@pulumi/gcp/config`), and this asks the provider
 * which project that is. The gcp SDK is loaded only for stacks that deploy on GCP.
 */
export async function withGcpProject(spec: PlatformSpec): Promise<PlatformSpec> {
  if (spec.gcp === undefined || spec.gcp.project !== undefined) {
    return spec;
  }
  const { getClientConfig } =
    require("@pulumi/gcp/organizations") as typeof import("@pulumi/gcp/organizations");
  const { project } = await getClientConfig();
  if (!project) {
    throw new ConfigError([
      {
        key: "gcp:project",
        message:
          "is required because gcp is listed in mlplatform:clouds, and the gcp provider has no project in its environment either; set it with `pulumi config set gcp:project <project-id>` or GOOGLE_PROJECT",
      },
    ]);
  }
  return { ...spec, gcp: { ...spec.gcp, project } };
}
