import type { CallHandler } from "../monitor";

/** Answers to the azure data-source calls the program makes, for the offline plan. */
export const AZURE_PLACEHOLDERS: Record<string, CallHandler> = {};
