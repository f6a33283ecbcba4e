"""Azure ML scoring script: JSON {"instances": [[...], ...]} in, {"predictions": [...]} out."""

import json
import os

import joblib

model = None


def init():
    global model
    model_dir = os.environ["AZUREML_MODEL_DIR"]
    model = joblib.load(os.path.join(model_dir, "model.joblib"))


def run(raw_data):
    instances = json.loads(raw_data)["instances"]
    return {"predictions": model.predict(instances).tolist()}
