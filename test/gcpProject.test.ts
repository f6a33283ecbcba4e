import { expect } from "chai";
import { withGcpProject } from "../components/gcpProject";
import { ConfigError } from "../components/spec";
import { mockPulumi, specWith } from "./harness";

const CLIENT_CONFIG = "gcp:organizations/getClientConfig:getClientConfig";

describe("the GCP project of a stack", () => {
  const withoutProject = () => {
    const spec = specWith({});
    return { ...spec, gcp: { region: "us-central1" } };
  };

  it("keeps the project the stack's config names, asking the provider nothing", async () => {
    await mockPulumi();
    const spec = specWith({});
    expect(await withGcpProject(spec)).to.equal(spec);
  });

  it("takes the gcp provider's project when the config names none", async () => {
    await mockPulumi({ calls: { [CLIENT_CONFIG]: () => ({ project: "team-ml-1234" }) } });
    const spec = await withGcpProject(withoutProject());
    expect(spec.gcp).to.deep.equal({ project: "team-ml-1234", region: "us-central1" });
  });

  it("is a config error naming gcp:project when the provider has none either", async () => {
    await mockPulumi({ calls: { [CLIENT_CONFIG]: () => ({ project: "" }) } });
    const error = await withGcpProject(withoutProject()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).message).to.equal(
      "the stack's config has 1 problem:\n  - gcp:project: is required because gcp is listed in mlplatform:clouds, and the gcp provider has no project in its environment either; set it with `pulumi config set gcp:project <project-id>` or GOOGLE_PROJECT",
    );
  });
});
