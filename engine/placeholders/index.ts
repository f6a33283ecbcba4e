import type { CallHandler } from "../monitor";
import { AWS_PLACEHOLDERS } from "./aws";
import { AZURE_PLACEHOLDERS } from "./azure";
import { GCP_PLACEHOLDERS } from "./gcp";

/**
 * Documented placeholder answers for every data-source call the program makes, so the offline
 * plan runs without credentials. A call not listed here fails the plan and names its token.
 */
export const PLACEHOLDERS: Record<string, CallHandler> = {
  ...AWS_PLACEHOLDERS,
  ...AZURE_PLACEHOLDERS,
  ...GCP_PLACEHOLDERS,
};
