"""numpy side of bench/lstsq.mjs: least squares with intercept on the same data.

Usage: /usr/bin/python3 bench/reference/lstsq.py DATA_DIR ROWS COLS
Reads DATA_DIR/X.f64 (rows x cols, row-major float64 little-endian) and DATA_DIR/y.f64, then serves timing requests
so the bench can interleave them with its own runs: each line "run" on stdin answers one JSON line with the time of
numpy.linalg.lstsq on the prepared [1 | X] design, the time including building that design, and the coefficients
([intercept, b1..bK]); "quit" (or end of input) stops.
"""
import json
import os
import sys
import time

import numpy as np

data_dir, rows, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
X = np.fromfile(os.path.join(data_dir, "X.f64"), dtype="<f8").reshape(rows, cols)
y = np.fromfile(os.path.join(data_dir, "y.f64"), dtype="<f8")

for line in sys.stdin:
    if line.strip() != "run":
        break
    start = time.perf_counter()
    design = np.column_stack([np.ones(rows), X])
    built = time.perf_counter()
    beta = np.linalg.lstsq(design, y, rcond=None)[0]
    end = time.perf_counter()
    print(json.dumps({
        "lstsqMs": (end - built) * 1000,
        "withDesignMs": (end - start) * 1000,
        "coefficients": beta.tolist(),
        "numpy": np.__version__,
    }), flush=True)
