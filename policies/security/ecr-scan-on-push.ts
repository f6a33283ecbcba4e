import type { ResourceValidationPolicy } from "@pulumi/policy";
import { T } from "../lib/types";
import { on, validateTypes } from "../lib/validate";
import { show } from "../lib/values";

interface RepositoryProps {
  imageScanningConfiguration?: { scanOnPush?: boolean };
}

export const ecrScanOnPush: ResourceValidationPolicy = {
  name: "ecr-scan-on-push",
  description:
    "Checks whether every ECR repository scans images for vulnerabilities when they are pushed (Security Hub ECR.1, Checkov CKV_AWS_163).",
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    on<RepositoryProps>(T.awsEcrRepository, (props, _, reportViolation) => {
      const scanOnPush = props.imageScanningConfiguration?.scanOnPush;
      if (scanOnPush !== true) {
        reportViolation(
          `imageScanningConfiguration.scanOnPush must be true so every pushed image is scanned; it is ${show(scanOnPush)}.`,
        );
      }
    }),
  ),
};
