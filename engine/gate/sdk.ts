import * as policySdk from "@pulumi/policy";

/**
 * The analyzer's unknown-checking proxy and its error, which @pulumi/policy exports at run time
 * while its type declarations leave them out (they are marked internal).
 */
const sdk = policySdk as unknown as {
  unknownCheckingProxy<T extends object>(props: T): T;
  UnknownValueError: new (...args: never[]) => Error;
};

/** Wraps props so that reading an unknown value throws `UnknownValueError`. */
export const unknownCheckingProxy = sdk.unknownCheckingProxy;

/** What reading an unknown value through `unknownCheckingProxy` throws. */
export const UnknownValueError = sdk.UnknownValueError;
