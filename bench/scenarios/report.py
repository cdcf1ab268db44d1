#!/usr/bin/env python3
"""Markdown report of kstream-bench list results (the JSON files of --json-out), with plots.

One table row per run: mode (the run's label), content type, gzip, clients, list size, peak
extra server memory (RssAnon above its idle value), throughput, ratio to the raw-bytes limit
measured in the same run, time to first byte, server CPU, and whether every list was
complete (or the server was killed at the memory cap).

Plots (SVG, written into --plots-dir and embedded in the markdown):
  --memory-plot NAME   the server's RssAnon above idle over time, one line per run
  --curve NAME:X       memory and throughput against X (clients or list_mb), one line per
                       (mode, type, gzip), the raw limit dashed
The markdown goes to --md (default: stdout)."""
import argparse
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import svgplot  # noqa: E402


def load(files):
    rows = []
    for f in sorted(files):
        with open(f) as fh:
            d = json.load(fh)
        runs = {r["target"]: r for r in d["runs"]}
        s = runs.get("server")
        if s is None:
            continue
        srv = s.get("server") or {}
        raw = runs.get("raw")
        lists = max(1, s.get("lists_ok", 0) + s.get("lists_failed", 0))
        row = {
            "file": f, "label": d.get("label", ""), "accept": d["accept"], "gzip": d["gzip"],
            "clients": d.get("clients", s.get("clients", 0)), "read_rate": d.get("read_rate", 0),
            "growth_mib": srv.get("rss_anon_growth_kib", 0) / 1024, "killed": srv.get("killed_at_cap", False),
            "mbps": s.get("wire_mb_per_s", 0), "raw_mbps": raw.get("wire_mb_per_s") if raw else None,
            "ratio": d.get("ratio_to_raw"), "ttfb": s.get("ttfb_ms", {}), "ok": d.get("ok", False) and s.get("ok"),
            "lists_ok": s.get("lists_ok", 0), "failed": s.get("lists_failed", 0), "cut": s.get("lists_cut", 0),
            "cpu": srv.get("cpu_seconds", 0), "per_list_mb": s.get("wire_bytes_per_list", 0) / 1e6,
            "decoded_per_list_mb": s.get("decoded_bytes_per_list", 0) / 1e6,
            "items": s.get("items_per_list", -1), "samples": srv.get("samples", []), "seconds": s.get("seconds", 0),
            "list_mb_hint": d.get("list_mb"),
        }
        rows.append(row)
    # Modes, then content types, then the curves' x values in numeric order.
    rows.sort(key=lambda r: (r["label"], r["accept"], r["gzip"], r["clients"], r["list_mb_hint"] or 0))
    return rows


def series_name(r):
    return f"{r['label']} {r['accept']}{'+gzip' if r['gzip'] else ''}"


def table(rows, cap):
    out = ["| mode | type | gzip | clients | items per list | MB per list (wire) | peak extra memory (MiB) | MB/s | "
           "raw MB/s | ratio to raw | TTFB p50 / p99 / max (ms) | server CPU (s) | complete |",
           "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|"]
    for r in rows:
        t = r["ttfb"]
        ttfb = (f"{t.get('p50', 0):.0f} / {t.get('p99', 0):.0f} / {t.get('max', 0):.0f}"
                if t and (r["lists_ok"] or r["cut"]) and t.get("max", 0) > 0 else "-")
        clients = f"{r['clients']}" + (f" at {r['read_rate'] / 1e6:g} MB/s" if r["read_rate"] else "")
        if r["killed"]:
            nominal = f"({r['list_mb_hint']:g} MB)" if r["list_mb_hint"] else "-"
            out.append(f"| {r['label']} | {r['accept']} | {'yes' if r['gzip'] else 'no'} | {clients} | - | {nominal} | "
                       f"> {r['growth_mib']:.0f} (killed at the {cap} cap) | - | - | - | - | {r['cpu']:.0f} | no |")
            continue
        raw = f"{r['raw_mbps']:.0f}" if r["raw_mbps"] else "-"
        ratio = f"{r['ratio']:.2f}" if r["ratio"] else "-"
        if r["ok"]:
            done = "yes" if not r["cut"] else f"yes ({r['lists_ok']} done, {r['cut']} cut at the deadline)"
        else:
            done = f"no ({r['failed']} failed)"
        items = str(r["items"]) if r["items"] >= 0 else "-"
        per_list = f"{r['per_list_mb']:.0f}" if r["lists_ok"] else "-"
        out.append(f"| {r['label']} | {r['accept']} | {'yes' if r['gzip'] else 'no'} | {clients} | {items} | "
                   f"{per_list} | {r['growth_mib']:.1f} | {r['mbps']:.0f} | {raw} | {ratio} | {ttfb} | "
                   f"{r['cpu']:.0f} | {done} |")
    return "\n".join(out) + "\n"


def memory_plot(rows, title):
    series = []
    for r in rows:
        if not r["samples"]:
            continue
        idle = r["samples"][0][1]
        pts = [(t / 1000.0, max((a - idle) / 1024.0, 0.1)) for (t, a, *_rest) in r["samples"]]
        series.append({"name": series_name(r) + (" (killed)" if r["killed"] else ""), "points": pts,
                       "dashed": r["label"] != "streaming"})
    return svgplot.line_chart(series, title, "seconds since the run started",
                              "server RssAnon above idle (MiB, log)", ylog=True, markers=False)


def curve_plots(rows, x_key, xlabel, title):
    groups = {}
    for r in rows:
        groups.setdefault((r["label"], r["accept"], r["gzip"]), []).append(r)

    def xval(r):
        if x_key == "clients":
            return r["clients"]
        return r["list_mb_hint"] or r["decoded_per_list_mb"]

    mem, thr = [], []
    for key, rs in sorted(groups.items()):
        rs = sorted(rs, key=xval)
        name = series_name(rs[0])
        mem.append({"name": name, "dashed": rs[0]["label"] != "streaming",
                    "points": [(xval(r), max(r["growth_mib"], 0.1)) for r in rs]})
        thr.append({"name": name, "points": [(xval(r), r["mbps"] if not r["killed"] else None) for r in rs]})
        if any(r["raw_mbps"] for r in rs):
            thr.append({"name": f"raw limit {rs[0]['accept']}{'+gzip' if rs[0]['gzip'] else ''}", "dashed": True,
                        "points": [(xval(r), r["raw_mbps"]) for r in rs]})
    notes = ["buffered points at the cap: killed"] if any(r["killed"] for r in rows) else None
    return (svgplot.line_chart(mem, f"{title}: server memory", xlabel, "peak RssAnon above idle (MiB, log)",
                               xlog=True, ylog=True, notes=notes),
            svgplot.line_chart(thr, f"{title}: throughput", xlabel, "MB/s (body bytes on the wire)", xlog=True))


def targets(rows):
    """Issue 6's targets for kstream streaming, judged from the rows (p99 for latency)."""
    st = [r for r in rows if r["label"] == "streaming"]
    plain = [r for r in st if not r["gzip"]]
    out = ["| target (kstream streaming) | measured | |", "|---|---|---|"]

    def verdict(ok):
        return "met" if ok else "**not met**"
    if st:
        worst = max(st, key=lambda r: r["growth_mib"])
        out.append(f"| server memory above idle <= 32 MiB | {min(r['growth_mib'] for r in st):.1f}-"
                   f"{worst['growth_mib']:.1f} MiB over {len(st)} runs (most: {series_name(worst)}) | "
                   f"{verdict(worst['growth_mib'] <= 32)} |")
    with_ratio = [r for r in plain if r["ratio"]]
    if with_ratio:
        parts = ", ".join(f"{r['accept']} {r['ratio']:.2f}" for r in with_ratio)
        out.append(f"| throughput >= 0.80 of the raw limit (no gzip) | {parts} | "
                   f"{verdict(all(r['ratio'] >= 0.8 for r in with_ratio))} |")
    timed = [r for r in st if r["ttfb"] and (r["lists_ok"] or r["cut"]) and r["ttfb"].get("max", 0) > 0]
    if timed:
        parts = ", ".join(f"{series_name(r).replace('streaming ', '')} {r['ttfb'].get('p50', 0):.0f} / "
                          f"{r['ttfb'].get('p99', 0):.0f} ms" for r in timed)
        out.append(f"| time to first byte <= 20 ms (p50 / p99) | {parts} | "
                   f"{verdict(all(r['ttfb'].get('p99', 1e9) <= 20 for r in timed))} |")
    if st:
        bad = sum(r["failed"] for r in st)
        total = sum(r["lists_ok"] + r["failed"] for r in st)
        out.append(f"| zero malformed or truncated responses | {bad} failed of {total} lists, every body checked "
                   f"(status, framing, gzip, item count) | {verdict(bad == 0)} |")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--title", default="kstream-bench list results")
    ap.add_argument("--cap", default="")
    ap.add_argument("--intro", default="", help="a paragraph after the title")
    ap.add_argument("--md", default="", help="write the markdown here (default: stdout)")
    ap.add_argument("--plots-dir", default="", help="where the SVG plots go (default: next to --md)")
    ap.add_argument("--memory-plot", default="", help="file name of the memory-over-time plot")
    ap.add_argument("--curve", action="append", default=[], help="NAME:clients or NAME:list_mb")
    ap.add_argument("--tail", default="", help="markdown appended at the end")
    ap.add_argument("--targets", action="store_true", help="add the table of issue 6's targets")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    rows = load(args.files)
    md_dir = os.path.dirname(os.path.abspath(args.md)) if args.md else os.getcwd()
    plots_dir = args.plots_dir or md_dir
    os.makedirs(plots_dir, exist_ok=True)

    def emit_plot(name, svg, alt):
        path = os.path.join(plots_dir, name)
        with open(path, "w") as fh:
            fh.write(svg)
        return f"![{alt}]({os.path.relpath(path, md_dir)})\n"

    out = [f"# {args.title}\n",
           f"Generated {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} by "
           f"`bench/scenarios/report.py` from kstream-bench results on this machine ({os.cpu_count()} cores). "
           "Memory: the server's RssAnon above its idle value, sampled every 20 ms. Ratio: server MB/s over the "
           "raw-bytes limit (the same body served from memory to the same clients, measured in the same run).\n"]
    if args.intro:
        out.append(args.intro.strip() + "\n")
    out.append(table(rows, args.cap))
    if args.targets:
        out.append(targets(rows))
    if args.memory_plot:
        out.append(emit_plot(args.memory_plot, memory_plot(rows, args.title + ": memory over time"),
                             "server memory over time"))
    for c in args.curve:
        name, x = c.split(":", 1)
        xlabel = "concurrent clients (log)" if x == "clients" else "list size, MB (log)"
        m, t = curve_plots(rows, x, xlabel, args.title)
        out.append(emit_plot(f"{name}-memory.svg", m, f"memory against {x}"))
        out.append(emit_plot(f"{name}-throughput.svg", t, f"throughput against {x}"))
    if args.tail:
        out.append(args.tail.strip() + "\n")
    text = "\n".join(out)
    if args.md:
        with open(args.md, "w") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
