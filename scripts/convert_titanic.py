"""Rebuild dashboard/data/builtin_files/titanic.csv.gz from scikit-learn's bundled OpenML 40945 file.

titanic3 (Harrell, Vanderbilt Biostatistics; freely distributed). Columns are renamed to the
Kaggle names; ``boat``, ``body`` and ``home.dest`` are dropped because they leak the label
(a body number or a lifeboat means the outcome is known).
"""

import gzip
from pathlib import Path

import pandas as pd
import sklearn
from sklearn.externals import _arff

SOURCE = Path(sklearn.__file__).parent / "datasets/tests/data/openml/id_40945/data-v1-dl-16826755.arff.gz"
TARGET = Path(__file__).resolve().parents[1] / "dashboard/data/builtin_files/titanic.csv.gz"
RENAME = {"pclass": "Pclass", "survived": "Survived", "name": "Name", "sex": "Sex", "age": "Age",
          "sibsp": "SibSp", "parch": "Parch", "ticket": "Ticket", "fare": "Fare", "cabin": "Cabin",
          "embarked": "Embarked"}

with gzip.open(SOURCE, "rt", encoding="utf-8") as fh:
    parsed = _arff.load(fh)
frame = pd.DataFrame(parsed["data"], columns=[name for name, _type in parsed["attributes"]])
frame = frame.drop(columns=["boat", "body", "home.dest"]).rename(columns=RENAME)
for col in ("Survived", "Pclass", "SibSp", "Parch"):
    frame[col] = pd.to_numeric(frame[col]).astype(int)
frame.insert(0, "PassengerId", range(1, len(frame) + 1))
frame = frame[["PassengerId", "Survived", "Pclass", "Name", "Sex", "Age", "SibSp", "Parch", "Ticket", "Fare", "Cabin", "Embarked"]]
frame.to_csv(TARGET, index=False, compression={"method": "gzip", "mtime": 0})
print(TARGET, frame.shape)
