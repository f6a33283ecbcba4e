import { expect } from "chai";
import { specWith } from "./harness";

describe("spec smoke", () => {
  it("parses the base config", () => {
    expect(specWith().clouds).to.deep.equal(["aws", "azure", "gcp"]);
  });
});
