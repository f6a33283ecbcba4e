import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { isSet } from "../lib/values";

interface EndpointConfigurationProps {
  kmsKeyArn?: string;
}

interface DomainProps {
  kmsKeyId?: string;
}

export const sagemakerKmsEncryption: ResourceValidationPolicy = {
  name: "sagemaker-kms-encryption",
  description:
    "Checks whether SageMaker endpoint configurations and domains encrypt their storage with a customer-managed KMS key (AWS Config sagemaker-endpoint-configuration-kms-key-configured, Checkov CKV_AWS_98 and CKV_AWS_187).",
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<EndpointConfigurationProps>(
      T.awsSagemakerEndpointConfiguration,
      (props, _, reportViolation) => {
        if (!isSet(props, "kmsKeyArn")) {
          reportViolation(
            "kmsKeyArn must name a customer-managed KMS key that encrypts the endpoint's storage volumes; it is not set.",
          );
        }
      },
    ),
    on<DomainProps>(T.awsSagemakerDomain, (props, _, reportViolation) => {
      if (!isSet(props, "kmsKeyId")) {
        reportViolation(
          "kmsKeyId must name a customer-managed KMS key that encrypts the domain's home file system; it is not set.",
        );
      }
    }),
  ),
};
