"""scikit-learn side of bench/logistic.mjs: LogisticRegression(solver="lbfgs") on the same data.

Usage: /usr/bin/python3 bench/reference/logistic.py DATA_DIR ROWS COLS REPEATS C TOL
Reads DATA_DIR/X.f64 (rows x cols, row-major float64 little-endian) and DATA_DIR/y.f64 (0/1), fits
LogisticRegression(solver="lbfgs", C=C, tol=TOL, max_iter=10000) REPEATS + 1 times (the first warms up), and
prints one JSON line: the median fit time, iterations and [intercept, coefficients...].
"""
import json
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

data_dir, rows, cols, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
C, tol = float(sys.argv[5]), float(sys.argv[6])
X = np.fromfile(os.path.join(data_dir, "X.f64"), dtype="<f8").reshape(rows, cols)
y = np.fromfile(os.path.join(data_dir, "y.f64"), dtype="<f8")

times = []
model = None
for r in range(repeats + 1):
    start = time.perf_counter()
    model = LogisticRegression(solver="lbfgs", C=C, tol=tol, max_iter=10000).fit(X, y)
    elapsed = (time.perf_counter() - start) * 1000
    if r > 0:
        times.append(elapsed)

print(json.dumps({
    "fitMs": float(np.median(times)),
    "iterations": int(model.n_iter_[0]),
    "parameters": [float(model.intercept_[0])] + model.coef_[0].tolist(),
    "sklearn": sklearn.__version__,
}))
