"""PyTorch side of bench/rul.mjs: the same stacked LSTM on the same C-MAPSS FD001 windows, CPU, 2 threads.

Usage: /usr/bin/python3 bench/reference/rul_torch.py DATA_DIR SAMPLES STEPS FEATURES UNITS DENSE BATCH EPOCHS
Reads DATA_DIR/X.f32 (SAMPLES x STEPS x FEATURES, row-major float32 little-endian, already standardised) and
DATA_DIR/y.f32 (standardised targets), written by the bench. Builds LSTM layers of UNITS (comma-separated, e.g.
64,32) → last hidden state → dropout 0.2 → Linear(DENSE) + ReLU → Linear(1), trains EPOCHS epochs of Adam (lr 2e-3,
batch BATCH, shuffled, gradient norm clipped to 1) and prints one JSON line: seconds of each epoch and inference
windows per second (batches of 1024, no grad). CPU seconds (all threads) are reported too: on a shared machine they
compare the work done, where wall-clock seconds also measure the neighbours.
"""
import json
import os
import sys
import time

import numpy as np
import torch

torch.set_num_threads(2)
torch.manual_seed(0)
data_dir = sys.argv[1]
samples, steps, features = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
units = [int(u) for u in sys.argv[5].split(",")]
dense, batch, epochs = int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
X = torch.from_numpy(np.fromfile(os.path.join(data_dir, "X.f32"), dtype="<f4").reshape(samples, steps, features))
y = torch.from_numpy(np.fromfile(os.path.join(data_dir, "y.f32"), dtype="<f4"))


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        sizes = [features] + units
        self.layers = torch.nn.ModuleList(
            torch.nn.LSTM(sizes[i], sizes[i + 1], batch_first=True) for i in range(len(units))
        )
        self.dropout = torch.nn.Dropout(0.2)
        self.hidden = torch.nn.Linear(units[-1], dense)
        self.output = torch.nn.Linear(dense, 1)

    def forward(self, x):
        for index, layer in enumerate(self.layers):
            x, _ = layer(x)
            if index < len(self.layers) - 1:
                x = self.dropout(x)
        last = self.dropout(x[:, -1])
        return self.output(torch.relu(self.hidden(last))).squeeze(1)


model = Net()
optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
epoch_seconds = []
epoch_cpu_seconds = []
for epoch in range(epochs):
    model.train()
    started = time.perf_counter()
    cpu_started = time.process_time()
    order = torch.randperm(samples)
    for start in range(0, samples, batch):
        rows = order[start : start + batch]
        optimiser.zero_grad()
        loss = torch.mean((model(X[rows]) - y[rows]) ** 2)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
    epoch_seconds.append(time.perf_counter() - started)
    epoch_cpu_seconds.append(time.process_time() - cpu_started)

model.eval()
started = time.perf_counter()
with torch.no_grad():
    for start in range(0, samples, 1024):
        model(X[start : start + 1024])
inference_seconds = time.perf_counter() - started
print(
    json.dumps(
        {
            "epochSeconds": epoch_seconds,
            "epochCpuSeconds": epoch_cpu_seconds,
            "inferenceWindowsPerSecond": samples / inference_seconds,
        }
    )
)
