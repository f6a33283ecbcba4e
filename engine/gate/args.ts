import type { PolicyProviderResource, PolicyResource, PolicyResourceOptions } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { isRecord } from "../../policies/lib/values";
import { type AnalyzerResource, SECRET_SIG, SIG_KEY } from "./input";
import { unknownCheckingProxy } from "./sdk";

/** Wire signatures of assets and archives. */
export const ASSET_SIG = pulumi.runtime.specialAssetSig;
export const ARCHIVE_SIG = pulumi.runtime.specialArchiveSig;

/**
 * One wire value as @pulumi/policy's analyzer hands it to policies: secrets unwrapped to their
 * value, assets and archives as @pulumi/pulumi's asset objects, unknowns left as their sentinel
 * for `unknownCheckingProxy` to catch. Mirrors `deserializeProperty` in @pulumi/policy's
 * `deserialize.js` with secrets not proxied, as its Analyze and AnalyzeStack calls do.
 */
function deserializeProperty(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(deserializeProperty);
  const record = value as Record<string, unknown>;
  switch (record[SIG_KEY]) {
    case undefined:
      break;
    case SECRET_SIG:
      return deserializeProperty(record.value);
    case ASSET_SIG:
      if (record.path) return new pulumi.asset.FileAsset(record.path as string);
      if (record.text) return new pulumi.asset.StringAsset(record.text as string);
      if (record.uri) return new pulumi.asset.RemoteAsset(record.uri as string);
      throw new Error("Invalid asset encountered when unmarshaling resource property");
    case ARCHIVE_SIG:
      if (isRecord(record.assets)) {
        const assets: Record<string, pulumi.asset.Asset | pulumi.asset.Archive> = {};
        for (const [name, inner] of Object.entries(record.assets)) {
          assets[name] = deserializeProperty(inner) as pulumi.asset.Asset;
        }
        return new pulumi.asset.AssetArchive(assets);
      }
      if (record.path) return new pulumi.asset.FileArchive(record.path as string);
      if (record.uri) return new pulumi.asset.RemoteArchive(record.uri as string);
      throw new Error("Invalid archive encountered when unmarshaling resource property");
    default:
      throw new Error(
        `Unrecognized signature '${String(record[SIG_KEY])}' when unmarshaling resource property`,
      );
  }
  const result: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(record)) {
    result[key] = deserializeProperty(inner);
  }
  return result;
}

/** A resource's wire properties as policies see them, before the unknown-checking proxy. */
export function deserializeProperties(wire: Record<string, unknown>): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(wire)) {
    // The analyzer treats a property with an undefined value as absent.
    if (value !== undefined) props[key] = deserializeProperty(value);
  }
  return props;
}

/** Props wrapped as the analyzer wraps them: reading an unknown throws `UnknownValueError`. */
export function proxied(props: Record<string, unknown>): Record<string, unknown> {
  return unknownCheckingProxy(props);
}

/**
 * The options a policy sees. The engine sends the parent with `Analyze` but not with
 * `AnalyzeStack`, where the resource's `parent` field carries it instead.
 */
export function resourceOptions(r: AnalyzerResource, withParent: boolean): PolicyResourceOptions {
  const opts: PolicyResourceOptions = {
    protect: r.protect,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
  };
  if (withParent && r.parent !== undefined) opts.parent = r.parent;
  return opts;
}

/** The provider resource a provider reference (`urn::id`) names: its URN. */
export function providerUrn(reference: string): string {
  return reference.slice(0, reference.lastIndexOf("::"));
}

/** The provider a resource names (`urn::id`), as the analyzer describes it: its inputs. */
export function providerOf(
  r: AnalyzerResource,
  byUrn: ReadonlyMap<string, AnalyzerResource>,
): PolicyProviderResource | undefined {
  if (r.provider === undefined) return undefined;
  const provider = byUrn.get(providerUrn(r.provider));
  if (provider === undefined) return undefined;
  return {
    type: provider.type,
    props: proxied(deserializeProperties(provider.inputs)),
    urn: provider.urn,
    name: provider.name,
  };
}

/** Whether a resource of `type` is of `resourceClass`, as the analyzer's `isTypeOf` decides. */
export function isTypeOf(type: string, resourceClass: unknown): boolean {
  const pulumiType = (resourceClass as { __pulumiType?: unknown }).__pulumiType;
  if (typeof pulumiType === "string" && pulumiType.length > 0) {
    return type === pulumiType;
  }
  const isInstance = (resourceClass as { isInstance?: unknown }).isInstance;
  return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

/**
 * The stack's resources as `AnalyzeStack` hands them to stack policies: outputs as props, and
 * parent and dependencies resolved to the resource objects (dropping those not in the stack).
 */
export function stackResources(resources: readonly AnalyzerResource[]): PolicyResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const policyResources = resources.map((r) => {
    const props = proxied(deserializeProperties(r.outputs));
    const resource: PolicyResource = {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: resourceOptions(r, false),
      dependencies: [],
      propertyDependencies: {},
      isType: (resourceClass) => isTypeOf(r.type, resourceClass),
      asType: ((resourceClass: unknown) =>
        isTypeOf(r.type, resourceClass) ? props : undefined) as PolicyResource["asType"],
    };
    const provider = providerOf(r, byUrn);
    if (provider !== undefined) resource.provider = provider;
    return resource;
  });
  const byUrnResource = new Map(policyResources.map((r) => [r.urn, r]));
  const resolve = (urns: readonly string[]) =>
    urns.map((u) => byUrnResource.get(u)).filter((r): r is PolicyResource => r !== undefined);
  resources.forEach((r, i) => {
    const resource = policyResources[i];
    if (r.parent !== undefined) {
      const parent = byUrnResource.get(r.parent);
      if (parent !== undefined) resource.parent = parent;
    }
    resource.dependencies = resolve(r.dependencies);
    for (const [key, urns] of Object.entries(r.propertyDependencies)) {
      resource.propertyDependencies[key] = resolve(urns);
    }
  });
  return policyResources;
}
