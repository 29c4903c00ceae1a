"""XGBoost side of bench/gbdt_ai4i.mjs: 5-fold cross-validated XGBoost 1.7 (tree_method="hist") on AI4I.

Usage: /usr/bin/python3 bench/reference/gbdt_ai4i.py DATA_DIR ROWS COLS TREES DEPTH LEARNING_RATE
Reads DATA_DIR/X.f64 (rows x cols, row-major float64 little-endian), DATA_DIR/y.f64 (machine failure 0/1),
DATA_DIR/mode.f64 (failure mode 0..5) and DATA_DIR/folds.i32 (the test fold of every row, written by the bench so
both learners see the same folds). Trains XGBClassifier(tree_method="hist", n_estimators=TREES, max_depth=DEPTH,
learning_rate=LEARNING_RATE, nthread=2) on each fold's training rows, binary and multi:softprob, and prints one JSON
line: out-of-fold failure probabilities, out-of-fold predicted modes, fit seconds, and scikit-learn's ROC-AUC and
average precision of the probabilities (a check of the bench's own metric code).
"""
import json
import os
import sys
import time

import numpy as np
import xgboost as xgb
from sklearn.metrics import average_precision_score, roc_auc_score

data_dir, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
trees, depth, learning_rate = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
X = np.fromfile(os.path.join(data_dir, "X.f64"), dtype="<f8").reshape(rows, cols)
y = np.fromfile(os.path.join(data_dir, "y.f64"), dtype="<f8")
mode = np.fromfile(os.path.join(data_dir, "mode.f64"), dtype="<f8").astype(int)
folds = np.fromfile(os.path.join(data_dir, "folds.i32"), dtype="<i4")

params = dict(tree_method="hist", n_estimators=trees, max_depth=depth, learning_rate=learning_rate, n_jobs=2)
probability = np.zeros(rows)
predicted_mode = np.zeros(rows, dtype=int)
fit_seconds = 0.0
for fold in range(folds.max() + 1):
    train, test = folds != fold, folds == fold
    start = time.perf_counter()
    binary = xgb.XGBClassifier(objective="binary:logistic", **params).fit(X[train], y[train])
    fit_seconds += time.perf_counter() - start
    probability[test] = binary.predict_proba(X[test])[:, 1]
    # Classes present in this fold's training rows, mapped to 0..k-1 as XGBoost requires.
    present = np.unique(mode[train])
    index = {label: k for k, label in enumerate(present)}
    multi = xgb.XGBClassifier(objective="multi:softprob", **params).fit(X[train], np.array([index[m] for m in mode[train]]))
    predicted_mode[test] = present[np.argmax(multi.predict_proba(X[test]), axis=1)]

print(json.dumps({
    "xgboost": xgb.__version__,
    "fitSeconds": fit_seconds,
    "probability": probability.tolist(),
    "predictedMode": predicted_mode.tolist(),
    "sklearnRocAuc": roc_auc_score(y, probability),
    "sklearnAveragePrecision": average_precision_score(y, probability),
}))
