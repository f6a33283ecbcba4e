import type { CallHandler } from "../monitor";

/** Answers to the aws data-source calls the program makes, for the offline plan. */
export const AWS_PLACEHOLDERS: Record<string, CallHandler> = {};
