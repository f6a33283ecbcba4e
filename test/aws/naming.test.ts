import { expect } from "chai";
import * as fc from "fast-check";
import { endpointNames } from "../../components/aws/endpoint";
import { modelPackageGroupName } from "../../components/aws/modelRegistry";
import { repositoryName } from "../../components/aws/registry";
import { bucketName } from "../../components/aws/storage";
import { trainingNames } from "../../components/aws/training";
import { teamGroupName, userProfileName, workspaceNames } from "../../components/aws/workspace";
import { AWS_NAME } from "./fixtures";

/** Any project or stack name a user might type, including empty, long and non-ASCII ones. */
const part = fc.string({ unit: "grapheme", minLength: 0, maxLength: 120 });
const nameParts = fc.tuple(part, part);
/** What the platform's random suffix is: six lowercase letters and digits. */
const suffix = fc.stringMatching(/^[a-z0-9]{6}$/);
/**
 * Endpoint, team and member names as the spec validates them, without repeated hyphens: names
 * fold runs of hyphens into one, so `a--b` and `a-b` would share their physical names.
 */
const shortName = fc.stringMatching(/^[a-z](?:-?[a-z0-9]){1,23}$/);

function valid(name: string, rule: RegExp, max: number): void {
  expect(name, name).to.match(rule);
  expect(name.length, name).to.be.at.most(max);
}

describe("aws physical names", () => {
  it("keeps the bucket name valid and unique-suffixed for any project and stack", () => {
    fc.assert(
      fc.property(nameParts, suffix, (parts, s) => {
        const name = bucketName(parts, s);
        valid(name, AWS_NAME.s3Bucket, 63);
        expect(name.endsWith(`-${s}`)).to.equal(true);
        expect(/^(sthree-|amzn-s3-demo-|xn--)/.test(name)).to.equal(false);
        expect(/^\d+\.\d+\.\d+\.\d+$/.test(name)).to.equal(false);
      }),
    );
  });

  it("keeps the repository name valid for any project and stack", () => {
    fc.assert(
      fc.property(nameParts, suffix, (parts, s) => {
        valid(repositoryName(parts, s), AWS_NAME.ecrRepository, 256);
      }),
    );
  });

  it("keeps the workspace names valid for any project and stack", () => {
    fc.assert(
      fc.property(nameParts, shortName, shortName, (parts, team, member) => {
        const names = workspaceNames(parts);
        valid(names.domain, AWS_NAME.sagemaker, 63);
        valid(names.executionRole, AWS_NAME.iamRole, 64);
        valid(names.keyAlias, AWS_NAME.kmsAlias, 256);
        valid(names.studioAccessPolicy, AWS_NAME.iamPolicy, 128);
        valid(teamGroupName(parts, team), AWS_NAME.iamPolicy, 128);
        valid(userProfileName({ name: member }), AWS_NAME.sagemaker, 63);
      }),
    );
  });

  it("keeps the training names valid and the two roles apart", () => {
    fc.assert(
      fc.property(nameParts, (parts) => {
        const names = trainingNames(parts);
        valid(names.computeEnvironment, AWS_NAME.batch, 128);
        valid(names.jobQueue, AWS_NAME.batch, 128);
        valid(names.instanceRole, AWS_NAME.iamRole, 64);
        valid(names.jobRole, AWS_NAME.iamRole, 64);
        valid(names.instanceProfile, AWS_NAME.iamPolicy, 128);
        expect(names.instanceRole).to.not.equal(names.jobRole);
        expect(names.instanceRole).to.not.equal(workspaceNames(parts).executionRole);
      }),
    );
  });

  it("keeps endpoint and model package group names valid, and distinct per endpoint", () => {
    fc.assert(
      fc.property(nameParts, shortName, shortName, (parts, a, b) => {
        const names = endpointNames(parts, a);
        valid(names.endpoint, AWS_NAME.sagemaker, 63);
        valid(names.role, AWS_NAME.iamRole, 64);
        expect(names.configPrefix.endsWith("-")).to.equal(true);
        valid(`${names.configPrefix}${"0".repeat(26)}`, AWS_NAME.sagemaker, 63);
        valid(modelPackageGroupName(parts, a), AWS_NAME.sagemaker, 63);
        if (a !== b) {
          expect(endpointNames(parts, b).endpoint).to.not.equal(names.endpoint);
          expect(endpointNames(parts, b).role).to.not.equal(names.role);
          expect(modelPackageGroupName(parts, b)).to.not.equal(modelPackageGroupName(parts, a));
        }
      }),
    );
  });
});
