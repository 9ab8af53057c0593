"""Gateway memory under a burst of large bodies (issue 19).

A gateway (with the survey service, embedded) in its own process; its resident memory is sampled
every 20 ms from /proc while six 60 MB bodies arrive at once — three with a Content-Length (refused
with 413 before they are read) and three chunked (read up to GATEWAY_MAX_BODY, then 413) — and then
a 60 MB streamed upload of forms (spooled to disk, sent in batches). `/health/survey` is asked every
50 ms meanwhile. Prints the peak and the settled memory (5 s after the burst) beside the baseline
(before the burst) and the /health latencies.

``--quick``: 10 MB bodies.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-token-0123456789abcdef"


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(folder: Path, forms: int = 0):
    tokens = folder / "tokens.yml"
    tokens.write_text(f"systems:\n  - {{system: bench, actor: bench, token: {TOKEN}, agencies: '*'}}\n")
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "gateway_server.py"), str(folder / "data"),
                             str(port), str(tokens), str(forms)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    line = proc.stdout.readline()
    if "READY" not in line:
        proc.kill()
        raise SystemExit(f"the gateway did not start: {line!r}")
    return proc, f"http://127.0.0.1:{port}"


def body_chunks(total: int, piece: int = 1 << 20):
    block = b" " * piece
    sent = 0
    yield b'{"batch_id": "b", "forms": ['
    while sent < total:
        yield block
        sent += piece
    yield b"]}"


def forms_upload(total: int):
    row = ("f{},o{},parents," + "S" * 35 + "\n")
    yield b"serial,subject,group,answers\n"
    sent, i = 0, 0
    while sent < total:
        chunk = "".join(row.format(i + k, (i + k) % 500) for k in range(5000)).encode()
        i += 5000
        sent += len(chunk)
        yield chunk


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    size = (10 if args.quick else 60) * 1024 * 1024
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp))
        try:
            for _ in range(20):   # warm up: every path once
                requests.get(f"{url}/health/survey", headers=headers, timeout=30)
                requests.get(f"{url}/survey/campaigns/c1/rates", headers=headers, timeout=30)
            time.sleep(1)
            baseline = rss_mb(proc.pid)
            samples, stop = [baseline], threading.Event()
            latencies: list[float] = []
            own: list[float] = []

            def sample():
                while not stop.is_set():
                    samples.append(rss_mb(proc.pid))
                    time.sleep(0.02)

            def health(path, out):
                while not stop.is_set():
                    t0 = time.perf_counter()
                    requests.get(f"{url}{path}", headers=headers, timeout=60)
                    out.append(time.perf_counter() - t0)
                    time.sleep(0.05)

            statuses = []

            def send(kind):
                h = {**headers, "Content-Type": "application/json"}
                if kind == "length":
                    data = b" " * size
                else:
                    data = body_chunks(size)
                try:
                    r = requests.post(f"{url}/survey/campaigns/c1/batches", data=data, headers=h, timeout=300)
                    statuses.append(r.status_code)
                except requests.ConnectionError:   # refused before the client finished sending
                    statuses.append("closed")

            watchers = [threading.Thread(target=sample),
                        threading.Thread(target=health, args=("/health/survey", latencies)),
                        threading.Thread(target=health, args=("/health", own))]
            for t in watchers:
                t.start()
            t0 = time.perf_counter()
            senders = [threading.Thread(target=send, args=(k,)) for k in ("length", "chunked") * 3]
            for t in senders:
                t.start()
            for t in senders:
                t.join()
            burst = time.perf_counter() - t0
            r = requests.post(f"{url}/survey/campaigns/c1/forms?upload=bench", data=forms_upload(size),
                              headers={**headers, "Content-Type": "text/csv"}, timeout=900)
            upload = r.json() if r.status_code == 200 else {"status": r.status_code, "text": r.text[:200]}
            time.sleep(5)
            stop.set()
            for t in watchers:
                t.join()
            settled = rss_mb(proc.pid)
        finally:
            proc.kill()
            proc.wait()
    peak = max(samples)
    lat_ms = sorted(x * 1000 for x in latencies)
    own_ms = sorted(x * 1000 for x in own)
    print(f"six {size >> 20} MB bodies at once (3 with Content-Length, 3 chunked): answers {statuses}, {burst:.2f} s")
    print(f"then a {size >> 20} MB streamed upload of forms: accepted {upload.get('accepted')}, "
          f"batches {upload.get('batches')}")
    print(f"gateway RSS: baseline {baseline:.0f} MB, peak {peak:.0f} MB, settled {settled:.0f} MB (5 s after)")
    print(f"/health/survey meanwhile: {len(lat_ms)} answers, p50 {statistics.median(lat_ms):.0f} ms, "
          f"max {lat_ms[-1]:.0f} ms (the survey shares the process and takes the upload)")
    print(f"the gateway's own /health meanwhile: {len(own_ms)} answers, p50 {statistics.median(own_ms):.0f} ms, "
          f"max {own_ms[-1]:.0f} ms")
    met = settled <= baseline * 1.15 + 10 and peak <= baseline + 150 and all(s in (413, "closed") for s in statuses)
    bench = {"name": "gateway_memory_burst", "figure": round(settled, 1), "unit": "MB",
             "baseline": round(baseline, 1), "baseline_name": "RSS before the burst",
             "ratio": round(settled / baseline, 2), "peak": round(peak, 1),
             "health_p50_ms": round(statistics.median(own_ms), 1), "health_max_ms": round(own_ms[-1], 1),
             "health_survey_p50_ms": round(statistics.median(lat_ms), 1),
             "health_survey_max_ms": round(lat_ms[-1], 1),
             "target": "settled within 15% (+10 MB) of the baseline, peak < baseline + 150 MB", "met": met}
    print("BENCH " + json.dumps(bench))
    return 0


if __name__ == "__main__":
    sys.exit(main())
