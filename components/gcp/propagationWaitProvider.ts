import { randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

/**
 * The provider behind `IamPropagationWait` (propagationWait.ts), bundled into the stack's state
 * (components/dynamicProvider.ts): `create` sleeps, any change of the members replaces
 * (and so sleeps again), delete has nothing to do.
 */
export function iamPropagationWaitProvider(): pulumi.dynamic.ResourceProvider {
  return {
    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
      const changed = JSON.stringify(olds.members) !== JSON.stringify(news.members);
      return { changes: changed, replaces: changed ? ["members"] : [] };
    },
    async create(inputs: Record<string, unknown>) {
      const seconds = inputs.seconds as number;
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      return { id: randomUUID(), outs: inputs };
    },
  };
}
