"""Line charts as standalone SVG (no plotting library needed): series of (x, y) points,
linear or logarithmic axes, tick labels, a legend. Used by report.py."""
import math

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
           "#7f7f7f", "#bcbd22"]


def _nice_ticks(lo, hi, n=6):
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=10 * mag)
    start = math.floor(lo / step) * step
    ticks = []
    t = start
    while t <= hi + step * 1e-9:
        if t >= lo - step * 1e-9:
            ticks.append(round(t, 10))
        t += step
    return ticks


def _log_ticks(lo, hi):
    ticks = []
    e = math.floor(math.log10(lo))
    while 10 ** e <= hi * 1.0001:
        for m in (1, 2, 5):
            v = m * 10 ** e
            if lo * 0.9999 <= v <= hi * 1.0001:
                ticks.append(v)
        e += 1
    return ticks


def _fmt(v):
    if v == 0:
        return "0"
    if abs(v) >= 1e6:
        return f"{v / 1e6:g}M"
    if abs(v) >= 1e4:
        return f"{v / 1e3:g}k"
    if abs(v) >= 1:
        return f"{v:g}"
    return f"{v:.2g}"


def _esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def line_chart(series, title, xlabel, ylabel, xlog=False, ylog=False, width=820, height=420, markers=True,
               notes=None):
    """series: list of dicts {name, points: [(x, y)], dashed: bool, color: optional}.
    Points with y None are skipped. Returns the SVG text."""
    pts = [(x, y) for s in series for (x, y) in s["points"] if y is not None]
    if not pts:
        pts = [(0, 0), (1, 1)]
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    if xlog:
        xs = [x for x in xs if x > 0] or [1]
    if ylog:
        ys = [y for y in ys if y > 0] or [1]
    xlo, xhi = min(xs), max(xs)
    ylo, yhi = (min(ys), max(ys)) if ylog else (0, max(ys))
    if xlog:
        xlo, xhi = 10 ** math.floor(math.log10(xlo) + 1e-9), 10 ** math.ceil(math.log10(xhi) - 1e-9)
        if xlo == xhi:
            xhi = xlo * 10
    elif xhi == xlo:
        xhi = xlo + 1
    if ylog:
        ylo, yhi = 10 ** math.floor(math.log10(ylo) + 1e-9), 10 ** math.ceil(math.log10(yhi) - 1e-9)
        if ylo == yhi:
            yhi = ylo * 10
    else:
        yhi = yhi * 1.08 if yhi > 0 else 1
    left, right, top, bottom = 78, 250, 40, 56
    pw, ph = width - left - right, height - top - bottom

    def sx(x):
        if xlog:
            return left + pw * (math.log10(x) - math.log10(xlo)) / (math.log10(xhi) - math.log10(xlo))
        return left + pw * (x - xlo) / (xhi - xlo)

    def sy(y):
        if ylog:
            y = max(y, ylo)
            return top + ph - ph * (math.log10(y) - math.log10(ylo)) / (math.log10(yhi) - math.log10(ylo))
        return top + ph - ph * (y - ylo) / (yhi - ylo)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="12" y="22" font-size="14" font-weight="bold">{_esc(title)}</text>']
    xticks = _log_ticks(xlo, xhi) if xlog else _nice_ticks(xlo, xhi)
    yticks = _log_ticks(ylo, yhi) if ylog else _nice_ticks(ylo, yhi)
    for t in xticks:
        X = sx(t)
        out.append(f'<line x1="{X:.1f}" y1="{top}" x2="{X:.1f}" y2="{top + ph}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{X:.1f}" y="{top + ph + 16}" text-anchor="middle">{_fmt(t)}</text>')
    for t in yticks:
        Y = sy(t)
        out.append(f'<line x1="{left}" y1="{Y:.1f}" x2="{left + pw}" y2="{Y:.1f}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{left - 6}" y="{Y + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    out.append(f'<text x="{left + pw / 2}" y="{height - 14}" text-anchor="middle">{_esc(xlabel)}</text>')
    out.append(f'<text x="16" y="{top + ph / 2}" text-anchor="middle" '
               f'transform="rotate(-90 16 {top + ph / 2})">{_esc(ylabel)}</text>')
    for i, s in enumerate(series):
        color = s.get("color") or PALETTE[i % len(PALETTE)]
        p = [(x, y) for (x, y) in s["points"] if y is not None and (not xlog or x > 0) and (not ylog or y > 0)]
        dash = ' stroke-dasharray="6 4"' if s.get("dashed") else ""
        if len(p) > 1:
            d = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for (x, y) in p)
            out.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        if markers and len(p) < 40:
            for (x, y) in p:
                out.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="3.5" fill="{color}"/>')
        ly = top + 10 + 18 * i
        out.append(f'<line x1="{left + pw + 12}" y1="{ly}" x2="{left + pw + 36}" y2="{ly}" stroke="{color}" '
                   f'stroke-width="2"{dash}/>')
        out.append(f'<text x="{left + pw + 42}" y="{ly + 4}">{_esc(s["name"])}</text>')
    for j, n in enumerate(notes or []):
        out.append(f'<text x="{left + pw + 12}" y="{top + 18 * len(series) + 24 + 16 * j}" font-size="11" '
                   f'fill="#555">{_esc(n)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
