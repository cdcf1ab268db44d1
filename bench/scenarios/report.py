#!/usr/bin/env python3
"""Markdown table of kstream-bench list results (the JSON files of --json-out).

One row per (label, content type, gzip): peak extra server memory (RssAnon above its
idle value), throughput, ratio to the raw-bytes limit measured in the same run, time to
first byte, and whether the run was complete (or killed at the memory cap)."""
import argparse
import datetime
import json
import os


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--title", default="kstream-bench list results")
    ap.add_argument("--cap", default="")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    rows = []
    for f in sorted(args.files):
        with open(f) as fh:
            d = json.load(fh)
        runs = {r["target"]: r for r in d["runs"]}
        s = runs.get("server")
        if s is None:
            continue
        srv = s.get("server", {})
        killed = srv.get("killed_at_cap", False)
        raw = runs.get("raw")
        rows.append({
            "label": d.get("label", ""), "accept": d["accept"], "gzip": d["gzip"],
            "growth_mib": srv.get("rss_anon_growth_kib", 0) / 1024, "killed": killed,
            "mbps": s.get("wire_mb_per_s", 0), "raw_mbps": raw.get("wire_mb_per_s") if raw else None,
            "ratio": d.get("ratio_to_raw"), "ttfb": s.get("ttfb_ms", {}), "ok": d.get("ok", False) and s.get("ok"),
            "failed": s.get("lists_failed", 0), "cpu": srv.get("cpu_seconds", 0), "per_list_mb": s.get("wire_bytes_per_list", 0) / 1e6,
        })
    print(f"# {args.title}\n")
    print(f"Generated {datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M UTC')} by `bench/scenarios/report.py` from "
          f"kstream-bench results on this machine ({os.cpu_count()} cores). Memory: the server's RssAnon above its idle "
          "value, sampled every 20 ms. Ratio: server MB/s over the raw-bytes limit (the same body served from memory to "
          "the same clients, measured in the same run).\n")
    print("| mode | type | gzip | MB per list (wire) | peak extra memory (MiB) | MB/s | raw MB/s | ratio to raw | TTFB p50 / p99 / max (ms) | server CPU (s) | complete |")
    print("|---|---|---|---:|---:|---:|---:|---:|---|---:|---|")
    for r in rows:
        t = r["ttfb"]
        ttfb = f"{t.get('p50', 0):.0f} / {t.get('p99', 0):.0f} / {t.get('max', 0):.0f}" if t else "-"
        if r["killed"]:
            print(f"| {r['label']} | {r['accept']} | {'yes' if r['gzip'] else 'no'} | - | > {r['growth_mib']:.0f} "
                  f"(killed at the {args.cap} cap) | - | - | - | - | {r['cpu']:.0f} | no |")
            continue
        raw = f"{r['raw_mbps']:.0f}" if r["raw_mbps"] else "-"
        ratio = f"{r['ratio']:.2f}" if r["ratio"] else "-"
        done = "yes" if r["ok"] else f"no ({r['failed']} failed)"
        print(f"| {r['label']} | {r['accept']} | {'yes' if r['gzip'] else 'no'} | {r['per_list_mb']:.0f} | "
              f"{r['growth_mib']:.1f} | {r['mbps']:.0f} | {raw} | {ratio} | {ttfb} | {r['cpu']:.0f} | {done} |")


if __name__ == "__main__":
    main()
