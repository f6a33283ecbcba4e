import { expect } from "chai";
import * as fs from "node:fs";
import { gunzipSync } from "node:zlib";
import { MODEL_ARTIFACTS } from "../components/model";

/** The files of an uncompressed tar archive (ustar and pax headers), by name. */
function untar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  let paxName: string | undefined;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString("utf8")
        .replace(/\0.*$/s, "");
    const size = parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1);
    const body = archive.subarray(offset + 512, offset + 512 + size);
    if (type === "x") {
      paxName = /\d+ path=(.*)\n/.exec(body.toString("utf8"))?.[1];
    } else if (type === "0" || type === "") {
      const prefix = field(345, 155);
      const name = paxName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
      files.set(name, Buffer.from(body));
      paxName = undefined;
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

describe("sample model", () => {
  it("packages the same model and serving code for SageMaker", () => {
    const files = untar(gunzipSync(fs.readFileSync(MODEL_ARTIFACTS.sagemakerArchive)));
    expect([...files.keys()].sort()).to.deep.equal(["code/inference.py", "model.joblib"]);
    expect(files.get("model.joblib")?.equals(fs.readFileSync(MODEL_ARTIFACTS.joblib))).to.equal(
      true,
    );
    const inference = fs.readFileSync(
      MODEL_ARTIFACTS.joblib.replace("model.joblib", "inference.py"),
    );
    expect(files.get("code/inference.py")?.equals(inference)).to.equal(true);
  });

  it("ships the scoring script Azure ML calls", () => {
    const script = fs.readFileSync(MODEL_ARTIFACTS.azureScoringScript, "utf8");
    expect(script).to.match(/^def init\(\):/m);
    expect(script).to.match(/^def run\(raw_data\):/m);
  });

  it("was trained with the scikit-learn version the serving images are chosen for", () => {
    const pickle = fs.readFileSync(MODEL_ARTIFACTS.joblib).toString("latin1");
    expect(pickle).to.include(`_sklearn_version`);
    expect(pickle).to.include(`${MODEL_ARTIFACTS.sklearnVersion}.`);
  });
});
