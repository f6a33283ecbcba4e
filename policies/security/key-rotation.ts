import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { show } from "../lib/values";

interface KmsKeyProps {
  enableKeyRotation?: boolean;
  keyUsage?: string;
  customerMasterKeySpec?: string;
}

interface CryptoKeyProps {
  purpose?: string;
  rotationPeriod?: string;
}

interface RotationConfig {
  maxRotationDays: number;
}

const SECONDS_PER_DAY = 86_400;

/** Seconds of a Google duration such as `7776000s`, or `undefined` when it is not one. */
function durationSeconds(duration: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(duration ?? "");
  return match === null ? undefined : Number(match[1]);
}

export const keyRotation: ResourceValidationPolicy = {
  name: "key-rotation",
  description:
    "Checks whether customer-managed keys rotate: AWS KMS symmetric keys have automatic rotation on (Security Hub KMS.4, Checkov CKV_AWS_7) and Cloud KMS encryption keys rotate at least every maxRotationDays days (CIS GCP 1.10).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxRotationDays: {
        type: "integer",
        minimum: 1,
        default: 90,
        description: "The longest a Cloud KMS key may go without a new primary version.",
      },
    },
  },
  validateResource: validateTypes(
    on<KmsKeyProps>(T.awsKmsKey, (props, _, reportViolation) => {
      // Only symmetric encryption keys can rotate automatically.
      const symmetric =
        (props.keyUsage ?? "ENCRYPT_DECRYPT") === "ENCRYPT_DECRYPT" &&
        (props.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT";
      if (symmetric && props.enableKeyRotation !== true) {
        reportViolation(
          `enableKeyRotation must be true so KMS rotates the key's material every year; it is ${show(props.enableKeyRotation)}.`,
        );
      }
    }),
    on<CryptoKeyProps>(T.gcpKmsCryptoKey, (props, args, reportViolation) => {
      if ((props.purpose ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT") return;
      const { maxRotationDays } = args.getConfig<RotationConfig>();
      const seconds = durationSeconds(props.rotationPeriod);
      if (seconds === undefined || seconds > maxRotationDays * SECONDS_PER_DAY) {
        reportViolation(
          `rotationPeriod must be at most ${maxRotationDays} days ("${maxRotationDays * SECONDS_PER_DAY}s"); it is ${show(props.rotationPeriod)}.`,
        );
      }
    }),
  ),
};
