import { expect } from "chai";
import { csvRecords, parseCsvRecord } from "../../engine/prices/csv";

async function* lines(...values: string[]): AsyncGenerator<string> {
  yield* values;
}

async function records(...values: string[]) {
  const out = [];
  for await (const record of csvRecords(lines(...values))) {
    out.push(record);
  }
  return out;
}

describe("prices: CSV", () => {
  it("splits quoted and bare fields, keeping commas and doubled quotes inside quotes", () => {
    expect(parseCsvRecord('"SKU","a, b","say ""hi""",bare,,"",x')).to.deep.equal([
      "SKU",
      "a, b",
      'say "hi"',
      "bare",
      "",
      "",
      "x",
    ]);
  });

  it("gives an empty last field after a trailing comma", () => {
    expect(parseCsvRecord('"a",')).to.deep.equal(["a", ""]);
  });

  it("refuses a quote inside a bare field, text after a closing quote and an open quote", () => {
    expect(() => parseCsvRecord('a"b,c')).to.throw(
      "a quote inside the unquoted field at character 1",
    );
    expect(() => parseCsvRecord('"a"b,c')).to.throw("text after the closing quote at character 4");
    expect(() => parseCsvRecord('"a,b')).to.throw("unclosed quote at character 1");
  });

  it("joins a record whose quoted field spans lines and numbers records by their first line", async () => {
    expect(await records('"a","b"', '"multi', 'line",c', "d,e")).to.deep.equal([
      { text: '"a","b"', line: 1 },
      { text: '"multi\nline",c', line: 2 },
      { text: "d,e", line: 4 },
    ]);
  });

  it("throws when the input ends inside a quoted field", async () => {
    let error: unknown;
    try {
      await records('"a"', '"open', "still open");
    } catch (err) {
      error = err;
    }
    expect((error as Error).message).to.equal("the quoted field opened on line 2 is never closed");
  });
});
