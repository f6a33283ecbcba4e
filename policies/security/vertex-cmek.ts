import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { isSet } from "../lib/values";

interface EncryptedProps {
  encryptionSpec?: { kmsKeyName?: string };
}

export const vertexCmek: ResourceValidationPolicy = {
  name: "vertex-cmek",
  description:
    "Checks whether Vertex AI endpoints, persistent resources, metadata stores and Tensorboards encrypt their data with a customer-managed Cloud KMS key (organization policy constraints/gcp.restrictNonCmekServices for aiplatform.googleapis.com).",
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<EncryptedProps>(
      [
        T.gcpVertexEndpoint,
        T.gcpVertexPersistentResource,
        T.gcpVertexMetadataStore,
        T.gcpVertexTensorboard,
      ],
      (props, _, reportViolation) => {
        if (!isSet(props.encryptionSpec, "kmsKeyName")) {
          reportViolation(
            "encryptionSpec.kmsKeyName must name a customer-managed Cloud KMS key; it is not set.",
          );
        }
      },
    ),
  ),
};
