import * as pulumi from "@pulumi/pulumi";
import type { CatalogRow } from "../../policies/catalog";

/** Where a GCP block is deployed: the wiring every GCP block takes besides the neutral args. */
export interface GcpPlacement {
  /** The platform's project and stack names: the start of every physical name. */
  nameParts: readonly string[];
  /** Project id that holds the block's resources. */
  project: string;
  /** Region of every regional resource; the platform's key lives there too, as CMEK requires. */
  region: string;
}

/** The wiring of a block whose data is encrypted with the platform's customer-managed key. */
export interface GcpEncryption {
  /** CryptoKey id (`projects/.../keyRings/.../cryptoKeys/...`) that encrypts the block's data. */
  kmsKeyName: pulumi.Input<string>;
  /**
   * The grant that lets the block's service agent use the key. Encrypted resources wait for it:
   * Google checks the agent's access when the resource is created.
   */
  keyAccess: pulumi.Resource;
}

/** The role a service agent needs on a key to encrypt and decrypt with it. */
export const KMS_ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter";

/** Seconds in a day, for the APIs that take durations as `"<seconds>s"`. */
export const SECONDS_PER_DAY = 86_400;

/** A duration of whole days in the `"<seconds>s"` form Google APIs take. */
export function daysAsDuration(days: number): string {
  return `${days * SECONDS_PER_DAY}s`;
}

/** A Vertex AI machine spec from a catalog row: the machine type and its accelerators, if any. */
export function machineSpec(row: CatalogRow): {
  machineType: string;
  acceleratorType?: string;
  acceleratorCount?: number;
} {
  return row.accelerator === undefined
    ? { machineType: row.instanceType }
    : {
        machineType: row.instanceType,
        acceleratorType: row.accelerator.type,
        acceleratorCount: row.accelerator.count,
      };
}
