#!/usr/bin/python3
"""Trains the sample iris classifier every endpoint serves and packages it for each cloud.

Run with Debian's python3-sklearn (scikit-learn 1.2): `apt-get install python3-sklearn`, then
`/usr/bin/python3 models/iris/train.py` (the system Python, which has the Debian packages).
Writes, next to this file:
  model.joblib  the fitted estimator (Vertex AI and Azure ML load it as is)
  model.tar.gz  SageMaker's archive: model.joblib and code/inference.py
  sample.json   a scoring request every endpoint accepts and the predictions the model answers,
                which `npm run probe` sends and checks
The archive is written with fixed timestamps and owners so that rebuilding gives the same bytes.
"""

import gzip
import io
import json
import os
import tarfile

import joblib
import sklearn
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))

# One flower of each species from the iris data set, and one near the versicolor/virginica border.
SAMPLE_INSTANCES = [[5.1, 3.5, 1.4, 0.2], [6.4, 3.2, 4.5, 1.5], [6.3, 3.3, 6.0, 2.5], [5.9, 3.0, 5.1, 1.8]]


def train():
    features, labels = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=1000, random_state=0)
    model.fit(features, labels)
    return model, model.score(features, labels)


def add_file(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    archive.addfile(info, io.BytesIO(data))


def write_sagemaker_archive(model_path, inference_path, archive_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        with open(model_path, "rb") as f:
            add_file(archive, "model.joblib", f.read())
        with open(inference_path, "rb") as f:
            add_file(archive, "code/inference.py", f.read())
    with open(archive_path, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
            gz.write(buffer.getvalue())


def write_sample(model, sample_path):
    sample = {
        "request": {"instances": SAMPLE_INSTANCES},
        "predictions": [int(label) for label in model.predict(SAMPLE_INSTANCES)],
    }
    with open(sample_path, "w") as f:
        json.dump(sample, f, indent=2)
        f.write("\n")


def main():
    model, accuracy = train()
    model_path = os.path.join(HERE, "model.joblib")
    joblib.dump(model, model_path)
    write_sagemaker_archive(
        model_path, os.path.join(HERE, "inference.py"), os.path.join(HERE, "model.tar.gz")
    )
    write_sample(model, os.path.join(HERE, "sample.json"))
    sample = [[5.1, 3.5, 1.4, 0.2]]
    print(
        f"scikit-learn {sklearn.__version__}: training accuracy {accuracy:.3f}, "
        f"sample {sample} -> class {int(model.predict(sample)[0])}"
    )


if __name__ == "__main__":
    main()
