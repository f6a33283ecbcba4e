import type { CallHandler } from "../monitor";

/** Answers to the gcp data-source calls the program makes, for the offline plan. */
export const GCP_PLACEHOLDERS: Record<string, CallHandler> = {};
