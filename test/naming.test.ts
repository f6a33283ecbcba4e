import { expect } from "chai";
import fc from "fast-check";
import { NAME_RULES, type NameRule, labelValue, physicalName } from "../components/naming";

const CHARSETS: Record<NameRule["charset"], RegExp> = {
  lower: /^[a-z][a-z0-9]*$/,
  "lower-hyphen": /^[a-z]([a-z0-9-]*[a-z0-9])?$/,
  "mixed-hyphen": /^[a-zA-Z]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
};

const anyText = fc.string({ unit: "binary", maxLength: 120 });

describe("physical names", () => {
  for (const [ruleName, rule] of Object.entries(NAME_RULES)) {
    it(`are valid ${rule.label} names for any project, stack and suffix (${ruleName})`, () => {
      fc.assert(
        fc.property(
          fc.array(anyText, { maxLength: 4 }),
          fc.stringMatching(/^[a-z0-9]{0,8}$/),
          (parts, suffix) => {
            const name = physicalName(parts, rule, suffix);
            expect(name.length, name).to.be.within(rule.minLength, rule.maxLength);
            expect(name, name).to.match(CHARSETS[rule.charset]);
            expect(name).to.not.match(/--/);
          },
        ),
      );
    });
  }

  it("keep the suffix that makes a global name unique", () => {
    fc.assert(
      fc.property(
        fc.array(anyText, { maxLength: 4 }),
        fc.stringMatching(/^[a-z0-9]{6}$/),
        (parts, suffix) => {
          expect(
            physicalName(parts, NAME_RULES.azureStorageAccount, suffix).endsWith(suffix),
          ).to.equal(true);
          expect(physicalName(parts, NAME_RULES.s3Bucket, suffix).endsWith(`-${suffix}`)).to.equal(
            true,
          );
        },
      ),
    );
  });

  it("stay apart when long names differ only at the end", () => {
    const long = "a".repeat(80);
    const a = physicalName(["mlplatform", `${long}-one`], NAME_RULES.s3Bucket);
    const b = physicalName(["mlplatform", `${long}-two`], NAME_RULES.s3Bucket);
    expect(a).to.not.equal(b);
    expect(a.length).to.equal(63);
  });

  it("are stable: the same parts give the same name", () => {
    const parts = ["mlplatform", "Prod_EU", "models"];
    expect(physicalName(parts, NAME_RULES.gcsBucket, "x1y2z3")).to.equal(
      "mlplatform-prod-eu-models-x1y2z3",
    );
    expect(physicalName(parts, NAME_RULES.azureStorageAccount, "x1y2z3")).to.equal(
      "mlplatformpref3df9x1y2z3",
    );
  });

  it("start with a letter when the suffix leaves no room for the start of the name", () => {
    const name = physicalName(["A\u0000A\u00000\u000000"], NAME_RULES.azureMlCompute, "aaa000aa");
    expect(name).to.match(/^m[0-9a-f]{6}-aaa000aa$/);
  });

  it("start with a letter even when the project starts with a digit", () => {
    expect(physicalName(["42ml", "dev"], NAME_RULES.gcpResourceId)).to.equal("m-42ml-dev");
  });
});

describe("label values", () => {
  it("are valid GCP label values for any text", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(labelValue(text)).to.match(/^[a-z0-9_-]{0,63}$/);
      }),
    );
  });
});
