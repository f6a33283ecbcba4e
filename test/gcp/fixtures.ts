import type * as pulumi from "@pulumi/pulumi";
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

/** Outputs the mocked providers compute: random values and the service agents' identities. */
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
