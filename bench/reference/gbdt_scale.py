"""XGBoost side of bench/gbdt_scale.mjs: one fit of XGBoost 1.7 tree_method="hist" with nthread=2.

Usage: /usr/bin/python3 bench/reference/gbdt_scale.py DATA_DIR ROWS COLS TEST_ROWS TREES DEPTH BINS
Reads DATA_DIR/X.f64, y.f64 (training rows) and Xtest.f64 (row-major float64 little-endian), builds the DMatrix and
trains binary:logistic with the given trees, max_depth, max_bin, learning rate 0.3, nthread 2 (both timed: that is
what fitting costs), writes the test-row probabilities to DATA_DIR/xgboost.f64 and prints one JSON line: wall and CPU
seconds of the fit, the peak RSS of the process (MB, VmHWM) and its RSS once the data were loaded.
"""
import json
import os
import sys
import time

import numpy as np
import xgboost as xgb


def memory_mb(field):
    """VmRSS (now) or VmHWM (peak) from /proc/self/status. Not ru_maxrss: a spawned process's ru_maxrss starts
    from its parent's RSS at fork time, which would charge the bench's own copy of the data to this fit."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


data_dir, rows, cols, test_rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
trees, depth, bins = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
X = np.fromfile(os.path.join(data_dir, "X.f64"), dtype="<f8").reshape(rows, cols)
y = np.fromfile(os.path.join(data_dir, "y.f64"), dtype="<f8")
X_test = np.fromfile(os.path.join(data_dir, "Xtest.f64"), dtype="<f8").reshape(test_rows, cols)
loaded_rss = memory_mb("VmRSS")

params = {"objective": "binary:logistic", "tree_method": "hist", "max_depth": depth, "eta": 0.3, "max_bin": bins,
          "nthread": 2, "seed": 0}
wall, cpu = time.perf_counter(), time.process_time()
booster = xgb.train(params, xgb.DMatrix(X, label=y, nthread=2), num_boost_round=trees)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
booster.predict(xgb.DMatrix(X_test)).astype("<f8").tofile(os.path.join(data_dir, "xgboost.f64"))
print(json.dumps({
    "xgboost": xgb.__version__,
    "fitSeconds": wall,
    "cpuSeconds": cpu,
    "peakRssMB": memory_mb("VmHWM"),
    "dataRssMB": loaded_rss,
}))
