import { expect } from "chai";
import { platformMarks } from "../../policies/tagging/platform-marks";
import { requiredTags } from "../../policies/tagging/required-tags";
import { check, planWith, prodPlan, resource } from "./harness";

type Inputs = Record<string, unknown>;

describe("tagging policies", () => {
  describe("required-tags", () => {
    it("passes a plan whose taggable resources carry owner, cost-center and environment", async () => {
      expect(await check(requiredTags, prodPlan())).to.deep.equal([]);
    });

    it("fails an AWS resource without an owner", async () => {
      const { resources, urn } = planWith(
        "aws-registry-repository",
        (r) => delete (r.inputs.tags as Inputs).owner,
      );
      expect(await check(requiredTags, resources)).to.deep.equal([
        {
          urn,
          message:
            "tags must carry owner, cost-center, environment; owner is missing or empty (it has cost-center, environment, mlplatform-block, mlplatform-stack, mlplatform-tier). Set them in mlplatform:tags.",
        },
      ]);
    });

    it("fails GCP labels with an empty value", async () => {
      const { resources, urn } = planWith(
        "gcp-storage-bucket",
        (r) => ((r.inputs.labels as Inputs).environment = ""),
      );
      expect(await check(requiredTags, resources)).to.deep.equal([
        {
          urn,
          message:
            "labels must carry owner, cost-center, environment; environment is missing or empty (it has cost-center, environment, mlplatform-block, mlplatform-stack, mlplatform-tier, owner). Set them in mlplatform:tags.",
        },
      ]);
    });

    it("fails a taggable resource that carries no tags at all", async () => {
      const role = resource("aws:iam/role:Role", "untagged-role", { assumeRolePolicy: "{}" });
      expect(await check(requiredTags, [...prodPlan(), role])).to.deep.equal([
        {
          urn: role.urn,
          message:
            "tags must carry owner, cost-center, environment; owner, cost-center, environment are missing or empty (it has none). Set them in mlplatform:tags.",
        },
      ]);
    });

    it("checks the labels of the Vertex AI model deployment, a dynamic resource", async () => {
      const { resources, urn } = planWith(
        "gcp-endpoint-iris-deployment",
        (r) => delete r.inputs.labels,
      );
      expect(await check(requiredTags, resources)).to.deep.equal([
        {
          urn,
          message:
            "labels must carry owner, cost-center, environment; owner, cost-center, environment are missing or empty (it has none). Set them in mlplatform:tags.",
        },
      ]);
    });

    it("takes the keys from its config", async () => {
      const findings = await check(requiredTags, prodPlan(), {
        config: { requiredTags: ["owner"] },
      });
      expect(findings).to.deep.equal([]);
      const [first] = await check(requiredTags, prodPlan(), { config: { requiredTags: ["team"] } });
      expect(first.message).to.equal(
        "tags must carry team; team is missing or empty (it has cost-center, environment, mlplatform-block, mlplatform-stack, mlplatform-tier, owner). Set them in mlplatform:tags.",
      );
    });

    it("leaves alone resources that take no tags, and objects in a bucket", async () => {
      const resources = [
        ...prodPlan(),
        resource("gcp:projects/iAMMember:IAMMember", "binding", { role: "roles/viewer" }),
        resource("aws:s3/bucketObjectv2:BucketObjectv2", "model-archive", { key: "model.tar.gz" }),
      ];
      expect(await check(requiredTags, resources)).to.deep.equal([]);
    });
  });

  describe("platform-marks", () => {
    it("passes a plan whose resources carry the platform's marks", async () => {
      expect(await check(platformMarks, prodPlan())).to.deep.equal([]);
    });

    it("fails a compute resource without its size", async () => {
      const { resources, urn } = planWith("aws-training-environment", (r) => {
        delete (r.inputs.tags as Inputs)["mlplatform-size"];
      });
      expect(await check(platformMarks, resources)).to.deep.equal([
        {
          urn,
          message:
            "tags must carry the platform's marks mlplatform-stack, mlplatform-tier, mlplatform-block, mlplatform-size (set by the components' blockTags); mlplatform-size is missing.",
        },
      ]);
    });

    it("fails a Vertex AI model deployment without its size", async () => {
      const { resources, urn } = planWith("gcp-endpoint-iris-deployment", (r) => {
        delete (r.inputs.labels as Inputs)["mlplatform-size"];
      });
      expect(await check(platformMarks, resources)).to.deep.equal([
        {
          urn,
          message:
            "labels must carry the platform's marks mlplatform-stack, mlplatform-tier, mlplatform-block, mlplatform-size (set by the components' blockTags); mlplatform-size is missing.",
        },
      ]);
    });

    it("fails a block and a tier the platform does not have", async () => {
      const { resources, urn } = planWith("azure-registry", (r) => {
        Object.assign(r.inputs.tags as Inputs, {
          "mlplatform-block": "web",
          "mlplatform-tier": "staging",
        });
      });
      expect(await check(platformMarks, resources)).to.deep.equal([
        {
          urn,
          message:
            'tags.mlplatform-block must be one of workspace, training, storage, registry, model-registry, endpoint; it is "web".',
        },
        { urn, message: 'tags.mlplatform-tier must be one of dev, prod; it is "staging".' },
      ]);
    });
  });
});
