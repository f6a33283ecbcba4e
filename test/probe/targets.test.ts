import { expect } from "chai";
import { UsageError } from "../../engine/errors";
import { targetsFromOutputs } from "../../engine/probe/targets";
import { wrongAnswer } from "../../engine/probe/sample";

const AWS_IRIS = {
  cloud: "aws",
  region: "us-east-1",
  endpointName: "mlplatform-aws-prod-iris",
  scoringUrl:
    "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/mlplatform-aws-prod-iris/invocations",
  auth: "sigv4",
  size: "cpu-4x16",
  instanceType: "ml.m5.xlarge",
  hourlyUsd: 0.23,
  priceRegion: "us-east-1",
  minReplicas: 2,
  maxReplicas: 6,
};

function problem(outputs: unknown): string {
  try {
    targetsFromOutputs(outputs, "outputs.json");
  } catch (err) {
    expect(err).to.be.instanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error("no error");
}

describe("probe targets from stack outputs", () => {
  it("reads each cloud's endpoint details, named by the spec's endpoint", () => {
    const targets = targetsFromOutputs(
      { aws: { workspaceName: "w", endpointDetails: { iris: AWS_IRIS } } },
      "outputs.json",
    );
    expect(targets).to.deep.equal([{ name: "iris", ...AWS_IRIS }]);
  });

  it("refuses outputs with no endpoint, naming where it looked", () => {
    expect(problem({ aws: { workspaceName: "w" } })).to.equal(
      "outputs.json: the stack exports no endpoints (no aws.endpointDetails, azure.endpointDetails, gcp.endpointDetails); probe a stack of this program whose mlplatform:endpoints lists at least one endpoint",
    );
    expect(problem([])).to.match(/^outputs\.json: expected the JSON object/);
  });

  it("says to show secrets when the outputs hide one", () => {
    expect(problem({ azure: { endpointDetails: { iris: "[secret]" } } })).to.equal(
      'outputs.json: azure.endpointDetails.iris is "[secret]"; write the outputs with `pulumi stack output --json --show-secrets`',
    );
  });

  it("names every bad field with its path", () => {
    const message = problem({
      aws: { endpointDetails: { iris: { ...AWS_IRIS, hourlyUsd: -1, scoringUrl: "nope" } } },
      azure: { endpointDetails: { iris: { ...AWS_IRIS, cloud: "azure", auth: "key" } } },
    });
    expect(message).to.include("aws.endpointDetails.iris.scoringUrl: ");
    expect(message).to.include("aws.endpointDetails.iris.hourlyUsd: ");
    expect(message).to.include(
      "azure.endpointDetails.iris.resourceId is missing; the ARM id of the online endpoint is required",
    );
  });

  it("refuses an auth scheme its cloud does not use", () => {
    expect(problem({ aws: { endpointDetails: { iris: { ...AWS_IRIS, auth: "key" } } } })).to.equal(
      "outputs.json: aws.endpointDetails.iris.auth: key is not supported; aws endpoints use sigv4",
    );
  });
});

describe("answer check", () => {
  it("accepts the expected classes, as integers or floats", () => {
    expect(wrongAnswer({ predictions: [0, 1, 2, 2] }, [0, 1, 2, 2])).to.equal(undefined);
    expect(wrongAnswer({ predictions: [0.0, 1.0, 2.0, 2.0] }, [0, 1, 2, 2])).to.equal(undefined);
  });

  it("says what came back when it is not the expected predictions", () => {
    expect(wrongAnswer({ predictions: [0, 1, 1, 2] }, [0, 1, 2, 2])).to.equal(
      "predicted [0,1,1,2], expected [0,1,2,2]",
    );
    expect(wrongAnswer({ predictions: [0, 1, 2] }, [0, 1, 2, 2])).to.equal(
      "predicted [0,1,2], expected [0,1,2,2]",
    );
    expect(wrongAnswer({ result: [0] }, [0])).to.equal(
      'no "predictions" list in the answer {"result":[0]}',
    );
    expect(wrongAnswer(null, [0])).to.equal('no "predictions" list in the answer null');
  });
});
