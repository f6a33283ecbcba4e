import * as pulumi from "@pulumi/pulumi";
import type { PlatformOutputs } from "./blocks";
import type { Cloud, PlatformSpec } from "../policies/platform";

/** Every cloud's Platform component is built the same way from the whole spec. */
export interface PlatformArgs {
  /** The validated spec of the whole platform; each cloud takes what concerns it. */
  spec: PlatformSpec;
}

export type PlatformComponent = pulumi.ComponentResource & PlatformOutputs;

type PlatformClass = new (
  name: string,
  args: PlatformArgs,
  opts?: pulumi.ComponentResourceOptions,
) => PlatformComponent;

/**
 * Each cloud's module is loaded only when a stack lists that cloud, so a one-cloud stack does not
 * pay for loading the other two providers.
 */
const PLATFORMS: Record<Cloud, () => PlatformClass> = {
  aws: () => (require("./aws") as typeof import("./aws")).AwsPlatform,
  azure: () => (require("./azure") as typeof import("./azure")).AzurePlatform,
  gcp: () => (require("./gcp") as typeof import("./gcp")).GcpPlatform,
};

export type StackOutputs = Partial<Record<Cloud, PlatformOutputs>>;

/** Declares the platform on every cloud the spec lists and returns the stack outputs by cloud. */
export function definePlatform(spec: PlatformSpec): StackOutputs {
  const outputs: StackOutputs = {};
  for (const cloud of spec.clouds) {
    const Platform = PLATFORMS[cloud]();
    const platform = new Platform(cloud, { spec });
    outputs[cloud] = {
      workspaceName: platform.workspaceName,
      trainingClusterName: platform.trainingClusterName,
      storageName: platform.storageName,
      containerRegistryUrl: platform.containerRegistryUrl,
      modelRegistryName: platform.modelRegistryName,
      endpoints: platform.endpoints,
      endpointDetails: platform.endpointDetails,
      ...(platform.trainingJobSettings === undefined
        ? {}
        : { trainingJobSettings: platform.trainingJobSettings }),
      ...(platform.alertTopicArn === undefined ? {} : { alertTopicArn: platform.alertTopicArn }),
    };
  }
  return outputs;
}
