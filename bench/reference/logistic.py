"""scikit-learn side of bench/logistic.mjs: LogisticRegression(solver="lbfgs") on the same data.

Usage: /usr/bin/python3 bench/reference/logistic.py DATA_DIR ROWS COLS C
Reads DATA_DIR/X.f64 (rows x cols, row-major float64 little-endian) and DATA_DIR/y.f64 (0/1), then serves timing
requests so the bench can interleave them with its own runs: each line "run TOL" on stdin fits
LogisticRegression(solver="lbfgs", C=C, tol=TOL, max_iter=10000) once and answers one JSON line with the fit time,
iterations and [intercept, coefficients...]; "quit" (or end of input) stops.
"""
import json
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

data_dir, rows, cols, C = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
X = np.fromfile(os.path.join(data_dir, "X.f64"), dtype="<f8").reshape(rows, cols)
y = np.fromfile(os.path.join(data_dir, "y.f64"), dtype="<f8")

for line in sys.stdin:
    parts = line.split()
    if len(parts) != 2 or parts[0] != "run":
        break
    start = time.perf_counter()
    model = LogisticRegression(solver="lbfgs", C=C, tol=float(parts[1]), max_iter=10000).fit(X, y)
    elapsed = (time.perf_counter() - start) * 1000
    print(json.dumps({
        "fitMs": elapsed,
        "iterations": int(model.n_iter_[0]),
        "parameters": [float(model.intercept_[0])] + model.coef_[0].tolist(),
        "sklearn": sklearn.__version__,
    }), flush=True)
