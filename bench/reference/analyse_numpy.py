"""NumPy reference for POST /analyse: the serverless Modified Z-Score service, generalised to any numeric metric.

Same request and response as Upkeep's route: json.loads -> per metric numpy median / MAD (mean/std fallback when the
MAD is 0) -> round(score, 4) -> json.dumps. Served by http.server (one thread, HTTP/1.1 keep-alive) so the benchmark
drives both services with the same client.

    /usr/bin/python3 bench/reference/analyse_numpy.py [PORT] [--exit-with-stdin]   # PORT 0 (default): a free one
Prints "port N" once listening. With --exit-with-stdin it exits when its stdin closes (the benchmark holds it open).
"""

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import numpy as np

CONSISTENCY_CONSTANT = 0.6745
NOT_METRICS = {"asset", "sensor_id", "asset_id", "machine_id", "unit", "ts", "timestamp", "time", "measurement_time"}
ID_FIELDS = ("asset", "sensor_id", "asset_id", "machine_id", "unit")


class BadRequest(Exception):
    pass


def modified_z_scores(data: np.ndarray) -> np.ndarray:
    median = np.median(data)
    mad = np.median(np.abs(data - median))
    if mad == 0:
        std = np.std(data)
        if std == 0:
            return np.zeros_like(data, dtype=float)
        return np.abs(data - np.mean(data)) / std
    return np.abs(CONSISTENCY_CONSTANT * (data - median) / mad)


def analyse(readings: list, threshold: float) -> dict:
    columns: dict[str, tuple[list[int], list[float]]] = {}
    for index, reading in enumerate(readings):
        if not isinstance(reading, dict):
            raise BadRequest(f"reading {index}: must be an object")
        if not any(reading.get(field) not in (None, "") for field in ID_FIELDS):
            raise BadRequest(f"reading {index}: missing asset id")
        found = False
        for field, value in reading.items():
            if field in NOT_METRICS:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise BadRequest(f"reading {index}: metric '{field}' must be a finite number")
            column = columns.get(field)
            if column is None:
                column = columns[field] = ([], [])
            column[0].append(index)
            column[1].append(value)
            found = True
        if not found:
            raise BadRequest(f"reading {index}: has no metric")

    scores: list[dict] = [{} for _ in readings]
    flagged: list[list] = [[] for _ in readings]
    for field, (rows, values) in columns.items():
        column_scores = modified_z_scores(np.array(values, dtype=float)).tolist()
        for row, score in zip(rows, column_scores):
            scores[row][field] = round(score, 4)
            if score > threshold:
                flagged[row].append(field)

    results = []
    anomalies = 0
    for reading, reading_scores, reading_flagged in zip(readings, scores, flagged):
        result = dict(reading)
        result["is_anomaly"] = len(reading_flagged) > 0
        result["anomaly_scores"] = reading_scores
        result["anomalous_metrics"] = reading_flagged
        anomalies += result["is_anomaly"]
        results.append(result)
    return {"total_readings": len(results), "anomalies_detected": anomalies, "results": results}


class AnalyseHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stall

    def log_message(self, format, *args):  # noqa: A002 - silence per-request logging
        pass

    def _send(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self):  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path not in ("/analyse", "/v1/analyse"):
            return self._send(404, {"error": f"no route for POST {url.path}"})
        try:
            threshold = float(parse_qs(url.query).get("threshold", ["3.5"])[0])
            if not threshold > 0:
                raise ValueError
        except ValueError:
            return self._send(400, {"error": "'threshold' must be a positive number"})
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            return self._send(400, {"error": "Malformed JSON in request body"})
        readings = body.get("readings") if isinstance(body, dict) else None
        if not readings or not isinstance(readings, list):
            return self._send(400, {"error": "Request must include a non-empty 'readings' list"})
        try:
            return self._send(200, analyse(readings, threshold))
        except BadRequest as error:
            return self._send(400, {"error": str(error)})


def main() -> None:
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    port = int(args[0]) if args else 0
    server = HTTPServer(("127.0.0.1", port), AnalyseHandler)
    print(f"port {server.server_address[1]}", flush=True)
    if "--exit-with-stdin" in sys.argv:
        # Exit when the benchmark that started us closes our stdin, however it ends.
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
