import * as pulumi from "@pulumi/pulumi";
import type { Registration } from "../harness";

export const PROJECT = "ml-platform-test";
export const REGION = "us-central1";
export const NAME_PARTS = ["mlplatform", "test"] as const;
export const PLACEMENT = { nameParts: NAME_PARTS, project: PROJECT, region: REGION };
export const TAGS = { owner: "ml-platform", "mlplatform-stack": "test", "mlplatform-tier": "dev" };

/** What the mocked random provider returns. */
export const SUFFIX = "x7k2p9";
export const ENDPOINT_NUMBER = 1234567890;
export const KEY_NAME = `projects/${PROJECT}/locations/${REGION}/keyRings/ring/cryptoKeys/key`;

/** The service agents the mocked ServiceIdentity resources report. */
export const AGENT_MEMBERS: Record<string, string> = {
  "aiplatform.googleapis.com":
    "serviceAccount:service-42@gcp-sa-aiplatform.iam.gserviceaccount.com",
  "artifactregistry.googleapis.com":
    "serviceAccount:service-42@gcp-sa-artifactregistry.iam.gserviceaccount.com",
};

/** What the provider reports for a service account, as Google derives it from its id. */
export function serviceAccountOutputs(
  project: string,
  accountId: string,
): { email: string; member: string; name: string } {
  const email = `${accountId}@${project}.iam.gserviceaccount.com`;
  return {
    email,
    member: `serviceAccount:${email}`,
    name: `projects/${project}/serviceAccounts/${email}`,
  };
}

/**
 * Outputs the mocked providers compute: random values, the service agents' identities and the
 * runtime service account's email, member and name.
 */
export function gcpOutputs(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  switch (args.type) {
    case "random:index/randomString:RandomString":
      return { result: SUFFIX };
    case "random:index/randomInteger:RandomInteger":
      return { result: ENDPOINT_NUMBER };
    case "gcp:projects/serviceIdentity:ServiceIdentity": {
      const member = AGENT_MEMBERS[args.inputs.service as string];
      return { member, email: member.replace(/^serviceAccount:/, "") };
    }
    case "gcp:serviceaccount/account:Account":
      return serviceAccountOutputs(args.inputs.project as string, args.inputs.accountId as string);
    default:
      return {};
  }
}

/** The registration of the component of a type (there must be one). */
export function component(registrations: readonly Registration[], type: string): Registration {
  const found = registrations.filter((r) => r.type === type && !r.custom);
  if (found.length !== 1) throw new Error(`expected one ${type} component, found ${found.length}`);
  return found[0];
}

/** The registration with a logical name (there must be one). */
export function named(registrations: readonly Registration[], name: string): Registration {
  const found = registrations.find((r) => r.name === name);
  if (found === undefined) throw new Error(`nothing named ${name} was registered`);
  return found;
}

/** GCP label rules: lowercase keys starting with a letter, values of `[a-z0-9_-]`, 63 at most. */
export function labelsAreValid(labels: Record<string, unknown>): boolean {
  return Object.entries(labels).every(
    ([key, value]) =>
      /^[a-z][a-z0-9_-]{0,62}$/.test(key) &&
      typeof value === "string" &&
      /^[a-z0-9_-]{0,63}$/.test(value),
  );
}

/** Replacement options of a registered resource. */
export interface ReplaceOptions {
  ignoreChanges: string[];
  deleteBeforeReplace: boolean;
}

/** What the recorder does not keep: each resource's replacement options, each component's outputs. */
export interface MonitorLog {
  /** Replacement options of each registered resource, by logical name. */
  options: Map<string, ReplaceOptions>;
  /** The outputs each component registered, by URN. */
  outputs: Map<string, Record<string, unknown>>;
}

interface WatchedMonitor {
  registerResource(
    req: {
      getName(): string;
      getIgnorechangesList(): string[];
      getDeletebeforereplace(): boolean | undefined;
    },
    callback: (...args: unknown[]) => void,
  ): void;
  registerResourceOutputs(
    req: { getUrn(): string; getOutputs(): { toJavaScript(): unknown } | undefined },
    callback: (...args: unknown[]) => void,
  ): void;
}

/** Logs what the current mock monitor receives, from now until the next `mockPulumi`. */
export function watchMonitor(): MonitorLog {
  const log: MonitorLog = { options: new Map(), outputs: new Map() };
  const monitor = pulumi.runtime.getMonitor() as unknown as WatchedMonitor;
  const register = monitor.registerResource.bind(monitor);
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResource = (req, callback) => {
    log.options.set(req.getName(), {
      ignoreChanges: req.getIgnorechangesList(),
      deleteBeforeReplace: req.getDeletebeforereplace() ?? false,
    });
    register(req, callback);
  };
  monitor.registerResourceOutputs = (req, callback) => {
    log.outputs.set(
      req.getUrn(),
      (req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>,
    );
    registerOutputs(req, callback);
  };
  return log;
}
