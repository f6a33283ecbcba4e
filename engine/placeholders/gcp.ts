import type { CallHandler } from "../monitor";

/**
 * The project number the placeholders use. A real project's number is assigned by Google when
 * the project is created; twelve digits is its usual length.
 */
export const PLACEHOLDER_PROJECT_NUMBER = "123456789012";

/**
 * The project a stack that leaves `gcp:project` out plans into: the real program asks the gcp
 * provider, which takes it from GOOGLE_PROJECT or another variable of its environment.
 */
export const PLACEHOLDER_PROJECT = "your-gcp-project";

/** Answers to the gcp data-source calls the program makes, for the offline plan. */
export const GCP_PLACEHOLDERS: Record<string, CallHandler> = {
  /** The provider's project, region and credentials; asked only when `gcp:project` is not set. */
  "gcp:organizations/getClientConfig:getClientConfig": () => ({
    id: PLACEHOLDER_PROJECT,
    project: PLACEHOLDER_PROJECT,
    region: "",
    zone: "",
    accessToken: "",
  }),
  /**
   * The project's Cloud Storage service agent, which the workspace grants the platform key to
   * so the bucket can use it. Google names it after the project number.
   */
  "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": (inputs) => {
    const email = `service-${PLACEHOLDER_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com`;
    return {
      id: email,
      emailAddress: email,
      member: `serviceAccount:${email}`,
      project: inputs.project,
    };
  },
};
