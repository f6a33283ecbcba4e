import { expect } from "chai";
import {
  AwsWorkspace,
  KEY_DELETION_WINDOW_DAYS,
  PREBUILT_IMAGE_REPOSITORIES,
  STUDIO_USER_TAG,
  workspaceNames,
} from "../../components/aws/workspace";
import { AWS_PLACEHOLDERS } from "../../engine/placeholders/aws";
import { blockTags } from "../../components/tags";
import type { TeamSpec, Tier } from "../../policies/platform";
import type { Recorder } from "../../engine/monitor";
import { type Registration, mockPulumi, ofType, registered, single } from "../harness";
import {
  ACCOUNT_ID,
  KEY_ARN,
  NETWORK,
  PLACEMENT,
  REGION,
  TAGS,
  VPC_ARN,
  asList,
  awsOutputs,
  component,
  named,
  privilegeProblems,
  statement,
  statements,
} from "./fixtures";

const KEY = "aws:kms/key:Key";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const DOMAIN = "aws:sagemaker/domain:Domain";
const PROFILE = "aws:sagemaker/userProfile:UserProfile";
const POLICY = "aws:iam/policy:Policy";
const GROUP = "aws:iam/group:Group";
const ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment";
const TOPIC = "aws:sns/topic:Topic";
const IMAGE_CALL = "aws:sagemaker/getPrebuiltEcrImage:getPrebuiltEcrImage";
const GRANT_FOR_AWS_SERVICES = {
  Sid: "GrantPlatformKeyToAwsServices",
  Effect: "Allow",
  Action: "kms:CreateGrant",
  Resource: KEY_ARN,
  Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
};

const TEAMS: TeamSpec[] = [
  { name: "research", members: [{ name: "alice" }, { name: "bob" }] },
  { name: "fraud", members: [{ name: "carol" }] },
];
const DOMAIN_ID = "ws-domain-id";
const SAGEMAKER_ARN = `arn:aws:sagemaker:${REGION}:${ACCOUNT_ID}`;

describe("aws workspace", () => {
  let rec: Recorder;

  before(async () => {
    rec = await mockPulumi({
      outputs: awsOutputs,
      calls: { [IMAGE_CALL]: AWS_PLACEHOLDERS[IMAGE_CALL] },
    });
  });
  beforeEach(() => rec.reset());

  async function build(tier: Tier = "dev", teams: TeamSpec[] = TEAMS): Promise<Registration[]> {
    new AwsWorkspace("ws", { ...PLACEMENT, tier, tags: TAGS, teams, network: NETWORK });
    return registered(rec);
  }

  it("encrypts with a customer-managed key that rotates", async () => {
    const regs = await build();
    const key = single(regs, KEY);
    expect(key.inputs).to.include({
      enableKeyRotation: true,
      deletionWindowInDays: KEY_DELETION_WINDOW_DAYS.dev,
    });
    expect(single(regs, "aws:kms/alias:Alias").inputs.name).to.equal("alias/mlplatform-test");
    expect(single(regs, DOMAIN).inputs.kmsKeyId).to.equal(KEY_ARN);
  });

  it("protects and retains the key in prod only", async () => {
    const dev = single(await build("dev"), KEY);
    expect([dev.protect, dev.retainOnDelete]).to.deep.equal([false, false]);
    rec.reset();
    const prod = single(await build("prod"), KEY);
    expect([prod.protect, prod.retainOnDelete]).to.deep.equal([true, true]);
    expect(prod.inputs.deletionWindowInDays).to.equal(KEY_DELETION_WINDOW_DAYS.prod);
  });

  it("is a Studio domain with IAM auth in the platform VPC, VPC-only in prod", async () => {
    const dev = single(await build("dev"), DOMAIN);
    expect(dev.inputs).to.deep.include({
      domainName: "mlplatform-test",
      authMode: "IAM",
      vpcId: NETWORK.vpcId,
      subnetIds: NETWORK.subnetIds,
      appNetworkAccessType: "PublicInternetOnly",
      retentionPolicy: { homeEfsFileSystem: "Delete" },
      domainSettings: { securityGroupIds: [NETWORK.securityGroupId] },
    });
    rec.reset();
    const prod = single(await build("prod"), DOMAIN);
    expect(prod.inputs).to.deep.include({
      appNetworkAccessType: "VpcOnly",
      retentionPolicy: { homeEfsFileSystem: "Retain" },
    });
  });

  it("runs users as the execution role, which only SageMaker can assume", async () => {
    const regs = await build();
    const role = single(regs, ROLE);
    expect(role.inputs.name).to.equal(workspaceNames(PLACEMENT.nameParts).executionRole);
    expect(role.inputs.assumeRolePolicy).to.deep.equal({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "sagemaker.amazonaws.com" },
          Action: "sts:AssumeRole",
        },
      ],
    });
    expect(role.inputs.managedPolicyArns).to.equal(undefined);
    expect(
      regs.some((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment"),
    ).to.equal(false);
    const domain = single(regs, DOMAIN);
    expect(domain.inputs.defaultUserSettings).to.deep.equal({
      executionRole: `arn:aws:iam:${REGION}:${ACCOUNT_ID}:ws-execution`,
      securityGroups: [NETWORK.securityGroupId],
    });
  });

  it("grants the execution role least privilege on the key, logs, network and domain", async () => {
    const policy = single(await build(), ROLE_POLICY).inputs.policy;
    expect(privilegeProblems(policy)).to.deep.equal([]);
    expect(statement(policy, "UsePlatformKey").Resource).to.equal(KEY_ARN);
    expect(statement(policy, "WriteSageMakerLogs").Resource).to.deep.equal([
      `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/aws/sagemaker/*`,
      `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/aws/sagemaker/*:log-stream:*`,
    ]);
    const eni = statement(policy, "ManageNetworkInterfacesInPlatformVpc");
    expect(eni.Condition).to.deep.equal({ ArnEquals: { "ec2:Vpc": VPC_ARN } });
    const pass = statement(policy, "PassOwnRoleToSageMaker");
    expect(pass.Resource).to.equal(`arn:aws:iam:${REGION}:${ACCOUNT_ID}:ws-execution`);
    expect(pass.Condition).to.deep.equal({
      StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" },
    });
    expect(statement(policy, "UseStudioInPlatformDomain").Resource).to.deep.equal([
      `${SAGEMAKER_ARN}:domain/${DOMAIN_ID}`,
      `${SAGEMAKER_ARN}:user-profile/${DOMAIN_ID}/*`,
      `${SAGEMAKER_ARN}:space/${DOMAIN_ID}/*`,
      `${SAGEMAKER_ARN}:app/${DOMAIN_ID}/*`,
    ]);
  });

  it("lets the execution role start Studio apps on the encrypted domain and run training jobs", async () => {
    const policy = single(await build(), ROLE_POLICY).inputs.policy;
    expect(privilegeProblems(policy)).to.deep.equal([]);
    // Studio apps and encrypted training volumes: SageMaker creates a grant on the key.
    expect(statement(policy, "GrantPlatformKeyToAwsServices")).to.deep.equal(
      GRANT_FOR_AWS_SERVICES,
    );
    expect(asList(statement(policy, "UsePlatformKey").Action)).to.include("kms:DescribeKey");
    expect(statement(policy, "PutSageMakerMetrics")).to.deep.include({
      Action: "cloudwatch:PutMetricData",
      Condition: { StringLike: { "cloudwatch:namespace": "/aws/sagemaker/*" } },
    });
    expect(statement(policy, "GetRegistryToken")).to.deep.include({
      Action: "ecr:GetAuthorizationToken",
      Resource: "*",
    });
    // SageMaker's own registries in the region, not every registry.
    expect(statement(policy, "PullImages").Resource).to.deep.equal([
      `arn:aws:ecr:${REGION}:683313688378:repository/*`,
      `arn:aws:ecr:${REGION}:763104351884:repository/*`,
    ]);
    const asked = rec.calls.filter((c) => c.token === IMAGE_CALL).map((c) => c.inputs);
    expect(asked).to.deep.equal(
      PREBUILT_IMAGE_REPOSITORIES.map((repositoryName) => ({ repositoryName, region: REGION })),
    );
  });

  it("lets the Studio users' policy describe the domain key and grant it to SageMaker", async () => {
    const doc = single(await build(), POLICY).inputs.policy;
    expect(statement(doc, "DescribeDomainKey")).to.deep.include({
      Action: "kms:DescribeKey",
      Resource: KEY_ARN,
    });
    expect(statement(doc, "GrantPlatformKeyToAwsServices")).to.deep.equal(GRANT_FOR_AWS_SERVICES);
  });

  it("has an alert topic encrypted with the key, which CloudWatch alarms may publish to", async () => {
    const regs = await build();
    const topic = single(regs, TOPIC);
    expect(topic.inputs).to.deep.include({
      name: "mlplatform-test-alerts",
      kmsMasterKeyId: KEY_ARN,
    });
    const keyPolicy = JSON.parse(String(single(regs, KEY).inputs.policy));
    expect(statement(keyPolicy, "EnableIamPolicies")).to.deep.include({
      Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
      Action: "kms:*",
    });
    expect(statement(keyPolicy, "CloudWatchAlarmsPublishToEncryptedTopic")).to.deep.equal({
      Sid: "CloudWatchAlarmsPublishToEncryptedTopic",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": ACCOUNT_ID },
        ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${REGION}:${ACCOUNT_ID}:alarm:*` },
      },
    });
  });

  it("catches a wildcard grant (the check the least-privilege tests rely on)", () => {
    const wide = {
      Statement: [
        { Sid: "Full", Effect: "Allow", Action: "sagemaker:*", Resource: "*" },
        { Sid: "Everything", Effect: "Allow", Action: ["s3:GetObject"], Resource: "*" },
      ],
    };
    expect(privilegeProblems(wide)).to.deep.equal([
      "Full: wildcard action sagemaker:*",
      "Full: sagemaker:* on every resource",
      "Everything: s3:GetObject on every resource",
    ]);
  });

  it("gives every team member a user profile tagged studiouserid", async () => {
    const regs = await build();
    const profiles = ofType(regs, PROFILE);
    expect(profiles.map((p) => p.inputs.userProfileName)).to.deep.equal(["alice", "bob", "carol"]);
    for (const profile of profiles) {
      expect(profile.inputs.domainId).to.equal(DOMAIN_ID);
      expect(profile.inputs.tags).to.deep.equal({
        ...blockTags(TAGS, "workspace"),
        [STUDIO_USER_TAG]: profile.inputs.userProfileName,
      });
    }
  });

  it("issues a Studio URL only for the profile whose tag matches the caller's", async () => {
    const regs = await build();
    const policy = single(regs, POLICY);
    const doc = policy.inputs.policy;
    expect(privilegeProblems(doc)).to.deep.equal([]);
    const presign = statement(doc, "AllowPresignedUrlWhenTagMatches");
    expect(presign.Action).to.equal("sagemaker:CreatePresignedDomainUrl");
    expect(presign.Resource).to.equal(`${SAGEMAKER_ARN}:user-profile/${DOMAIN_ID}/*`);
    expect(presign.Condition).to.deep.equal({
      StringEquals: {
        "sagemaker:ResourceTag/studiouserid": "${aws:PrincipalTag/studiouserid}",
      },
    });
    const presigners = statements(doc).filter((s) =>
      asList(s.Action).includes("sagemaker:CreatePresignedDomainUrl"),
    );
    expect(presigners).to.have.length(1);
  });

  it("attaches the access policy to one IAM group per team", async () => {
    const regs = await build();
    expect(ofType(regs, GROUP).map((g) => g.inputs.name)).to.deep.equal([
      "mlplatform-test-research",
      "mlplatform-test-fraud",
    ]);
    const policyArn = `arn:aws:iam:${REGION}:${ACCOUNT_ID}:ws-studio-access`;
    for (const team of TEAMS) {
      const attachment = named(regs, ATTACHMENT, `ws-${team.name}-studio-access`);
      expect(attachment.inputs).to.deep.equal({
        group: `mlplatform-test-${team.name}`,
        policyArn,
      });
    }
  });

  it("creates no profile or group for a spec without teams", async () => {
    const regs = await build("dev", []);
    expect(regs.filter((r) => r.type === PROFILE || r.type === GROUP)).to.deep.equal([]);
  });

  it("parents every child to the workspace and tags every taggable one", async () => {
    const regs = await build();
    const ws = component(regs, "mlplatform:aws:Workspace");
    const untaggable = new Set(["aws:kms/alias:Alias", ROLE_POLICY, GROUP, ATTACHMENT]);
    for (const child of regs.filter((r) => r.custom)) {
      expect(child.parent, child.name).to.equal(ws.urn);
      if (!untaggable.has(child.type) && child.type !== PROFILE) {
        expect(child.inputs.tags, child.name).to.deep.equal(blockTags(TAGS, "workspace"));
      }
    }
  });
});
