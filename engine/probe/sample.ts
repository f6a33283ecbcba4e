import * as fs from "node:fs";
import { MODEL_ARTIFACTS } from "../../components/model";
import { UsageError } from "../errors";

/** A scoring request every endpoint accepts, and the predictions the model answers to it. */
export interface Sample {
  /** Where the sample was read from. */
  file: string;
  /** The request body: `{"instances": [[...], ...]}`. */
  request: { instances: number[][] };
  /** The class the model predicts for each instance, in order. */
  predictions: number[];
}

/** Reads a sample file written by `models/iris/train.py`. */
export function loadSample(file: string = MODEL_ARTIFACTS.sample): Sample {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`cannot read the sample request ${file}: ${(err as Error).message}`);
  }
  const sample = parsed as Partial<Sample>;
  const instances = sample.request?.instances;
  if (
    !Array.isArray(instances) ||
    !Array.isArray(sample.predictions) ||
    instances.length !== sample.predictions.length ||
    instances.length === 0
  ) {
    throw new UsageError(
      `${file}: expected {"request": {"instances": [...]}, "predictions": [...]} with one prediction per instance`,
    );
  }
  return { file, request: { instances }, predictions: sample.predictions };
}

/**
 * Why an answer is not the expected predictions, or `undefined` when it is. Every service answers
 * `{"predictions": [...]}` (SageMaker's `inference.py`, Azure ML's `score.py`, Vertex AI's
 * prebuilt scikit-learn container); a class may come back as `1` or `1.0`.
 */
export function wrongAnswer(answer: unknown, expected: readonly number[]): string | undefined {
  const predictions = (answer as { predictions?: unknown } | null)?.predictions;
  if (!Array.isArray(predictions)) {
    return `no "predictions" list in the answer ${preview(answer)}`;
  }
  const same =
    predictions.length === expected.length &&
    predictions.every((p, i) => typeof p === "number" && p === expected[i]);
  return same
    ? undefined
    : `predicted ${JSON.stringify(predictions)}, expected ${JSON.stringify(expected)}`;
}

/** The start of a value as JSON, for messages. */
export function preview(value: unknown, length = 120): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text === undefined
    ? String(value)
    : text.length > length
      ? `${text.slice(0, length)}...`
      : text;
}
