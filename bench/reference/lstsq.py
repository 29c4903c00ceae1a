"""numpy side of bench/lstsq.mjs: least squares with intercept on the same data.

Usage: /usr/bin/python3 bench/reference/lstsq.py DATA_DIR ROWS COLS REPEATS
Reads DATA_DIR/X.f64 (rows x cols, row-major float64 little-endian) and DATA_DIR/y.f64, and prints one JSON line:
median times of numpy.linalg.lstsq on the prepared [1 | X] design and including building it, and the coefficients
([intercept, b1..bK]).
"""
import json
import os
import sys
import time

import numpy as np

data_dir, rows, cols, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
X = np.fromfile(os.path.join(data_dir, "X.f64"), dtype="<f8").reshape(rows, cols)
y = np.fromfile(os.path.join(data_dir, "y.f64"), dtype="<f8")

solve_times, total_times = [], []
beta = None
for r in range(repeats + 1):
    start = time.perf_counter()
    design = np.column_stack([np.ones(rows), X])
    built = time.perf_counter()
    beta = np.linalg.lstsq(design, y, rcond=None)[0]
    end = time.perf_counter()
    if r > 0:  # the first run warms caches and BLAS threads
        solve_times.append((end - built) * 1000)
        total_times.append((end - start) * 1000)

print(json.dumps({
    "lstsqMs": float(np.median(solve_times)),
    "withDesignMs": float(np.median(total_times)),
    "coefficients": beta.tolist(),
    "numpy": np.__version__,
}))
