import * as path from "node:path";

const MODEL_DIR = path.join(__dirname, "..", "models", "iris");

/**
 * The sample model every endpoint serves by default: the scikit-learn iris classifier built by
 * `models/iris/train.py`, in the forms each cloud's serving stack expects.
 */
export const MODEL_ARTIFACTS = {
  name: "iris",
  /** scikit-learn version the model was trained with; serving containers must match it. */
  sklearnVersion: "1.2",
  /** The pickled estimator (Vertex AI and Azure ML read it as is). */
  joblib: path.join(MODEL_DIR, "model.joblib"),
  /** SageMaker's `model.tar.gz`: `model.joblib` and `code/inference.py`. */
  sagemakerArchive: path.join(MODEL_DIR, "model.tar.gz"),
  /** Azure ML's scoring script for the managed online deployment. */
  azureScoringScript: path.join(MODEL_DIR, "score.py"),
  /** A scoring request (`{"instances": [...]}`) and the predictions the model answers to it. */
  sample: path.join(MODEL_DIR, "sample.json"),
} as const;
