/** The type of the stack's root resource, which the engine leaves out of its children's URNs. */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** The qualified type of a URN: its parents' types and its own, joined by `$`. */
export function qualifiedTypeOfUrn(urn: string): string {
  return urn.split("::")[2] ?? "";
}

/**
 * The URN Pulumi's engine gives a resource: the parent's whole qualified type, then the
 * resource's own type, except under the root stack, which is left out
 * (`urn:pulumi:s::p::mlplatform:aws:Platform$mlplatform:aws:Workspace$aws:kms/key:Key::k`;
 * `generateURN` in pkg/resource/deploy/deployment.go of pulumi/pulumi).
 */
export function resourceUrn(
  stack: string,
  project: string,
  parentUrn: string | undefined,
  type: string,
  name: string,
): string {
  const parentType =
    parentUrn === undefined || parentUrn === "" ? "" : qualifiedTypeOfUrn(parentUrn);
  const qualified =
    parentType === "" || parentType === ROOT_STACK_TYPE ? type : `${parentType}$${type}`;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}
