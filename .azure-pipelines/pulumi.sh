#!/usr/bin/env bash
# pulumi preview|up for one stack with the policy pack, inside the AzureCLI@2 task with
# addSpnToEnvironment, which sets idToken (the service connection's federated token),
# servicePrincipalId and tenantId.
#
#   bash .azure-pipelines/pulumi.sh COMMAND STACK TIER CLOUDS   (CLOUDS: aws,azure,gcp)
set -euo pipefail

command=$1 stack=$2 tier=$3 clouds=$4
# The CLI release that matches the @pulumi/pulumi SDK the lockfile pins.
pulumi_version=$(node -p 'require("@pulumi/pulumi/package.json").version')
curl -fsSL https://get.pulumi.com | sh -s -- --version "$pulumi_version"
export PATH="$HOME/.pulumi/bin:$PATH"

token_file=$(mktemp)
printf '%s' "$idToken" >"$token_file"
case ",$clouds," in
  *,aws,*)
    # The AWS SDK in the provider assumes the role with the token itself (AssumeRoleWithWebIdentity).
    export AWS_WEB_IDENTITY_TOKEN_FILE=$token_file AWS_ROLE_ARN AWS_ROLE_SESSION_NAME="mlplatform-$stack"
    ;;
esac
case ",$clouds," in
  *,gcp,*)
    gcloud iam workload-identity-pools create-cred-config "$GCP_WORKLOAD_IDENTITY_PROVIDER" \
      --service-account="$GCP_SERVICE_ACCOUNT" --credential-source-file="$token_file" \
      --output-file="$token_file.gcp.json"
    export GOOGLE_APPLICATION_CREDENTIALS=$token_file.gcp.json
    # A stack without gcp:project deploys into the service account's project, as the GitHub
    # workflow's login sets it.
    if [ -z "${GOOGLE_PROJECT:-}" ]; then
      project=${GCP_SERVICE_ACCOUNT#*@}
      export GOOGLE_PROJECT=${project%%.*}
    fi
    ;;
esac
# azure-native and the state backend (azblob://) use the Azure CLI login the task made.

pulumi login "$PULUMI_BACKEND_URL"
flags=(--stack "$stack" --policy-pack policies --policy-pack-config "policies/config/$tier.json")
if [ "$command" = up ]; then
  pulumi up --yes "${flags[@]}"
else
  pulumi preview "${flags[@]}"
fi
