"""SageMaker scikit-learn serving hooks: JSON {"instances": [[...], ...]} in, {"predictions": [...]} out."""

import json
import os

import joblib


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def input_fn(request_body, content_type):
    if content_type != "application/json":
        raise ValueError(f"unsupported content type {content_type}; send application/json")
    return json.loads(request_body)["instances"]


def predict_fn(instances, model):
    return model.predict(instances).tolist()


def output_fn(predictions, accept):
    return json.dumps({"predictions": predictions}), "application/json"
