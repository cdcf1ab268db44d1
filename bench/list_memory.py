#!/usr/bin/env python3
"""Server memory under concurrent full LISTs: kstream streaming vs --streaming=false.

The KEP-5116 measurement, small edition (the full benchmark tool is kstream-bench, issue 6):
load N ConfigMaps of S bytes through the API, then run C concurrent full LISTs (each read to
the end and discarded) in JSON and in protobuf, while sampling the server's anonymous memory
(RssAnon in /proc/<pid>/status) every 20 ms. Reports the idle value, the peak, the growth
and the throughput, for a streaming server and for a --streaming=false server on the same
data. Writes a markdown report.

    bench/list_memory.py --server build/bin/kstream-apiserver \
        --objects 10000 --size 100000 --clients 10 --report bench/results/<date>-list-memory.md

Buffered mode can need gigabytes per concurrent list; --buffered-cap-mib kills that server
when its anonymous memory passes the cap (reported as such) so the machine survives.
Clients talk plain HTTP to the server's loopback port, so the figures are the server's
encoding and memory, not TLS.
"""

import argparse
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time


def rss_anon_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Server:
    def __init__(self, binary, data_dir, streaming):
        self.log = open(os.path.join(data_dir, f"server-{'stream' if streaming else 'buffered'}.log"), "w+")
        args = [binary, f"--data-dir={data_dir}", "--secure-port=0", "--insecure-port=0",
                "--bind-address=127.0.0.1", f"--streaming={'true' if streaming else 'false'}",
                "--max-requests-inflight=0", "--max-mutating-requests-inflight=0"]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        self.port = None
        while time.time() < deadline and self.port is None:
            time.sleep(0.05)
            self.log.seek(0)
            m = re.search(r"plain HTTP on http://127.0.0.1:(\d+)", self.log.read())
            if m:
                self.port = int(m.group(1))
            if self.proc.poll() is not None:
                break
        if self.port is None:
            self.log.seek(0)
            raise RuntimeError("server did not start:\n" + self.log.read())
        with open(os.path.join(data_dir, "tokens.csv")) as f:
            self.token = f.readline().split(",")[0]

    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def headers(self, extra=None):
        h = {"Authorization": f"Bearer {self.token}"}
        h.update(extra or {})
        return h

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def load(server, objects, size, workers=8):
    payload = "x" * size
    counter = iter(range(objects))
    lock = threading.Lock()
    errors = []

    def work():
        c = server.conn()
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                               "metadata": {"name": f"cm-{i:06d}", "namespace": "default"},
                               "data": {"payload": payload}})
            c.request("POST", "/api/v1/namespaces/default/configmaps", body,
                      server.headers({"Content-Type": "application/json"}))
            r = c.getresponse()
            r.read()
            if r.status != 201:
                errors.append(r.status)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    start = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"load failed: {len(errors)} errors, first {errors[0]}")
    return time.time() - start


def run_lists(server, clients, accept, cap_kib):
    """C concurrent full lists; returns (idle KiB, peak KiB, seconds, bytes per list, killed)."""
    idle = rss_anon_kib(server.proc.pid)
    peak = [idle]
    done = threading.Event()
    killed = [False]

    def sample():
        while not done.is_set():
            v = rss_anon_kib(server.proc.pid)
            if v is None:
                return
            peak[0] = max(peak[0], v)
            if cap_kib and v > cap_kib:
                killed[0] = True
                server.proc.kill()
                return
            time.sleep(0.02)

    sizes = [0] * clients
    failures = []

    def client(i):
        try:
            c = server.conn()
            c.request("GET", "/api/v1/namespaces/default/configmaps", headers=server.headers({"Accept": accept}))
            r = c.getresponse()
            if r.status != 200:
                failures.append(r.status)
            n = 0
            while True:
                chunk = r.read(1 << 20)
                if not chunk:
                    break
                n += len(chunk)
            sizes[i] = n
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(repr(e))

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.time()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - start
    done.set()
    sampler.join()
    if failures and not killed[0]:
        raise RuntimeError(f"list failures: {failures[:3]}")
    return idle, peak[0], elapsed, (max(sizes) if sizes else 0), killed[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", default="build/bin/kstream-apiserver")
    ap.add_argument("--objects", type=int, default=10000)
    ap.add_argument("--size", type=int, default=100000)
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--buffered-cap-mib", type=int, default=16384)
    ap.add_argument("--report", default="")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="kstream-list-memory-")
    data = os.path.join(work, "data")
    os.makedirs(data)
    rows = []
    try:
        s = Server(args.server, data, True)
        secs = load(s, args.objects, args.size)
        print(f"loaded {args.objects} x {args.size} B in {secs:.1f} s", flush=True)
        formats = [("JSON", "application/json"), ("protobuf", "application/vnd.kubernetes.protobuf")]
        for streaming in (True, False):
            if not streaming:
                s.stop()
                s = Server(args.server, data, False)
            for name, accept in formats:
                time.sleep(1)
                cap = args.buffered_cap_mib * 1024 if not streaming else 0
                idle, peak, elapsed, body, killed = run_lists(s, args.clients, accept, cap)
                mode = "streaming" if streaming else "buffered (--streaming=false)"
                row = {"mode": mode, "format": name, "idle_mib": idle / 1024, "peak_mib": peak / 1024,
                       "growth_mib": (peak - idle) / 1024, "seconds": elapsed, "body_mb": body / 1e6,
                       "mbps": (body * args.clients / 1e6 / elapsed) if elapsed > 0 and not killed else 0,
                       "killed": killed}
                rows.append(row)
                print(json.dumps(row), flush=True)
                if killed:
                    s = Server(args.server, data, False)
        s.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    lines = [
        f"# LIST memory: {args.clients} concurrent full lists of {args.objects} ConfigMaps x {args.size} B",
        "",
        f"Measured {datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M UTC')} on this machine "
        f"({os.cpu_count()} cores) by `bench/list_memory.py`; server on LMDB, clients on its plain-HTTP "
        "loopback port. Memory is the server's RssAnon (anonymous resident memory; LMDB's mapped file "
        "pages are not anonymous), sampled every 20 ms.",
        "",
        "| mode | format | body per list (MB) | idle RssAnon (MiB) | peak (MiB) | growth (MiB) | time (s) | MB/s (all clients) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r["killed"]:
            lines.append(f"| {r['mode']} | {r['format']} | (not finished) | {r['idle_mib']:.0f} | "
                         f"> {r['peak_mib']:.0f} | > {r['growth_mib']:.0f}: killed at the "
                         f"{args.buffered_cap_mib} MiB cap after {r['seconds']:.1f} s | - | - |")
            continue
        lines.append(f"| {r['mode']} | {r['format']} | {r['body_mb']:.0f} | {r['idle_mib']:.0f} | "
                     f"{r['peak_mib']:.0f} | {r['growth_mib']:.0f} | {r['seconds']:.1f} | {r['mbps']:.0f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.report:
        os.makedirs(os.path.dirname(args.report) or ".", exist_ok=True)
        with open(args.report, "w") as f:
            f.write(report)


if __name__ == "__main__":
    sys.exit(main())
