"""A self-contained HTML report: every test with its meaning, the figures, the riskiest stations."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from shailoo.forensics.report import ForensicReport

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
.alarm { color: #a00; font-weight: bold; } .quiet { color: #060; }
figure { margin: 1.5rem 0; } img { max-width: 100%; }
.note { background: #f5f5f0; padding: .75rem 1rem; border-left: 4px solid #998; }
"""


def _num(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:,.4g}"


def write_report(
    report: ForensicReport, path: str | Path, figures: dict[str, dict[str, str]]
) -> None:
    """Write the report to ``path`` with the PNG figures embedded (the file stands alone)."""
    e = html.escape
    rows = []
    for t in report.tests:
        cls = "alarm" if t.alarm else "quiet"
        rows.append(
            f"<tr><td>{e(t.title)}<br><small>{e(t.paper)}</small></td>"
            f"<td>{_num(t.statistic)}</td><td>{_num(t.p_value)}</td>"
            f"<td class='{cls}'>{'alarm' if t.alarm else 'quiet'}</td>"
            f"<td>{e(t.meaning)}<br><small>Null: {e(t.null)}. Threshold: {e(t.threshold)}.</small></td></tr>"
        )
    figs = []
    for name, paths in figures.items():
        png = paths.get("png")
        if not png:
            continue
        data = base64.b64encode(Path(png).read_bytes()).decode("ascii")
        figs.append(
            f"<figure><img alt='{e(name)}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{e(name.replace('_', ' '))} (SVG: {e(paths.get('svg', ''))})</figcaption></figure>"
        )
    top = []
    for r in report.risk.top(25):
        top.append(
            f"<tr><td>{e(r.station)}</td><td>{r.score:.2f}</td><td>{e(', '.join(r.raised))}</td></tr>"
        )
    doc = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Forensic report: {e(report.source)}</title>
<style>{_STYLE}</style></head><body>
<h1>Forensic report</h1>
<p>{report.stations:,} stations from <code>{e(report.source)}</code>; party under test:
<b>{e(report.leader)}</b>; {report.replicates} Monte-Carlo replicates; seed {report.seed}.</p>
<p class="note">Statistics flag; people decide. Each test says what it compared with and what it
cannot say. A high station risk means "read this protocol and the observers' reports first", not
"fraud".</p>
<h2>Election-level tests</h2>
<table><tr><th>test</th><th>statistic</th><th>p</th><th></th><th>what it means</th></tr>
{"".join(rows)}</table>
<p>Election-level alarm: <b>{"yes" if report.alarm else "none"}</b>.</p>
<h2>Figures</h2>
{"".join(figs)}
<h2>Highest-risk stations</h2>
<table><tr><th>station</th><th>risk</th><th>signals</th></tr>{"".join(top)}</table>
</body></html>
"""
    Path(path).write_text(doc, encoding="utf-8")
