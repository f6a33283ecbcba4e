import { z } from "zod";
import { ENDPOINT_AUTH } from "../../components/endpointDetails";
import { CLOUDS, type Cloud } from "../../policies/platform";
import { UsageError } from "../errors";

/** What `pulumi stack output --show-secrets` leaves out prints as this string. */
const SECRET_PLACEHOLDER = "[secret]";

/** One deployed endpoint to probe: an `endpointDetails` entry of the stack's outputs. */
const DETAILS = z.object({
  cloud: z.enum(CLOUDS),
  region: z.string().min(1),
  endpointName: z.string().min(1),
  scoringUrl: z.url(),
  auth: z.string().min(1),
  size: z.string().min(1),
  instanceType: z.string().min(1),
  hourlyUsd: z.number().nonnegative(),
  priceRegion: z.string().nullable().optional(),
  minReplicas: z.number().int().nonnegative(),
  maxReplicas: z.number().int().nonnegative(),
  resourceId: z.string().startsWith("/subscriptions/").optional(),
});

export type EndpointDetailsOutput = z.infer<typeof DETAILS>;

/** One endpoint of a stack, ready to probe. */
export interface ProbeTarget extends EndpointDetailsOutput {
  /** The endpoint's name in the spec (`mlplatform:endpoints`). */
  name: string;
}

/** The first place in a value that holds the secret placeholder, as a dotted path. */
function secretPath(value: unknown, path: string): string | undefined {
  if (value === SECRET_PLACEHOLDER) return path;
  if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      const found = secretPath(inner, path === "" ? key : `${path}.${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * The endpoints a stack's outputs (`pulumi stack output --json --show-secrets`) describe, cloud by
 * cloud under `<cloud>.endpointDetails`. `source` names the outputs in messages.
 */
export function targetsFromOutputs(outputs: unknown, source: string): ProbeTarget[] {
  if (outputs === null || typeof outputs !== "object" || Array.isArray(outputs)) {
    throw new UsageError(
      `${source}: expected the JSON object \`pulumi stack output --json --show-secrets\` prints`,
    );
  }
  const hidden = secretPath(outputs, "");
  if (hidden !== undefined) {
    throw new UsageError(
      `${source}: ${hidden} is "${SECRET_PLACEHOLDER}"; write the outputs with \`pulumi stack output --json --show-secrets\``,
    );
  }
  const targets: ProbeTarget[] = [];
  const problems: string[] = [];
  for (const cloud of CLOUDS) {
    const details = (outputs as Record<string, { endpointDetails?: unknown } | undefined>)[cloud]
      ?.endpointDetails;
    if (details === undefined || details === null || typeof details !== "object") continue;
    for (const [name, value] of Object.entries(details)) {
      const key = `${cloud}.endpointDetails.${name}`;
      const result = DETAILS.safeParse(value);
      if (!result.success) {
        for (const issue of result.error.issues) {
          problems.push(`${[key, ...issue.path].join(".")}: ${issue.message}`);
        }
        continue;
      }
      problems.push(...consistency(key, cloud, result.data));
      targets.push({ name, ...result.data });
    }
  }
  if (problems.length > 0) {
    throw new UsageError(`${source}: ${problems.join("; ")}`);
  }
  if (targets.length === 0) {
    throw new UsageError(
      `${source}: the stack exports no endpoints (no ${CLOUDS.map((c) => `${c}.endpointDetails`).join(", ")}); probe a stack of this program whose mlplatform:endpoints lists at least one endpoint`,
    );
  }
  return targets;
}

/** What the entry must hold for its cloud, beyond its shape. */
function consistency(key: string, cloud: Cloud, details: EndpointDetailsOutput): string[] {
  const problems: string[] = [];
  if (details.cloud !== cloud) {
    problems.push(`${key}.cloud: ${details.cloud} is not allowed under ${cloud}; use ${cloud}`);
  }
  if (details.auth !== ENDPOINT_AUTH[cloud]) {
    problems.push(
      `${key}.auth: ${details.auth} is not supported; ${cloud} endpoints use ${ENDPOINT_AUTH[cloud]}`,
    );
  }
  if (cloud === "azure" && details.resourceId === undefined) {
    problems.push(`${key}.resourceId is missing; the ARM id of the online endpoint is required`);
  }
  return problems;
}
