import { expect } from "chai";
import { IAM_PROPAGATION_SECONDS, IamPropagationWait } from "../../components/gcp/propagationWait";
import { iamPropagationWaitProvider } from "../../components/gcp/propagationWaitProvider";
import { mockPulumi, registered, single } from "../harness";

describe("gcp IAM propagation wait", () => {
  it("waits the given time on create", async () => {
    const started = Date.now();
    const result = await iamPropagationWaitProvider().create({ members: ["a"], seconds: 0.2 });
    expect(Date.now() - started).to.be.at.least(190);
    expect(result.outs).to.deep.equal({ members: ["a"], seconds: 0.2 });
    expect(result.id).to.match(/^[0-9a-f-]{36}$/);
  });

  it("waits again, by replacement, only when the awaited members change", async () => {
    const diff = iamPropagationWaitProvider().diff;
    expect(
      await diff?.("id", { members: ["a"], seconds: 1 }, { members: ["a"], seconds: 1 }),
    ).to.deep.equal({
      changes: false,
      replaces: [],
    });
    expect(
      await diff?.("id", { members: ["a"], seconds: 1 }, { members: ["b"], seconds: 1 }),
    ).to.deep.equal({
      changes: true,
      replaces: ["members"],
    });
  });

  it("registers the members and the documented default wait", async () => {
    const rec = await mockPulumi();
    new IamPropagationWait("grants", {
      members: ["serviceAccount:agent@p.iam.gserviceaccount.com"],
    });
    const wait = single(await registered(rec), "pulumi-nodejs:dynamic/gcp:IamPropagationWait");
    expect(wait.inputs).to.deep.include({
      members: ["serviceAccount:agent@p.iam.gserviceaccount.com"],
      seconds: IAM_PROPAGATION_SECONDS,
    });
  });
});
