"""One self-contained HTML page for a report: key figures, articles per month and category as an
inline SVG chart, field coverage, and the problems with their addresses.

Shared by every crawl's ``report-<UTC>.html`` (``write_crawl_report``, from the run report's
dict) and the corpus's ``report.html``. Standard library only: the crawl imports it. Nothing is
fetched (no script, no style sheet, no font, no image; a Content-Security-Policy says so to the
browser too), and addresses are text, not links, so the file opens the same anywhere, offline.
"""

from __future__ import annotations

import html
import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

#: Tableau 10: told apart in print and by most colour-blind readers; the last is "other".
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f")
OTHER_COLOUR = "#bab0ac"
#: Addresses listed per problem; the counts are always complete.
MAX_LISTED = 200

_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#222;margin:24px auto;max-width:1040px;padding:0 16px;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.intro{color:#555;margin:0 0 16px}
table{border-collapse:collapse;margin:4px 0 8px}td,th{padding:3px 10px 3px 0;text-align:left;vertical-align:top}
th{font-weight:600;color:#444}td.n{text-align:right;font-variant-numeric:tabular-nums}
.figures td:first-child{color:#555}.figures td:last-child{font-weight:600}
.bar{height:10px;background:#4e79a7;display:inline-block;vertical-align:middle}
.track{width:240px;background:#eee;display:inline-block;vertical-align:middle}
tr.low td{color:#b00020}tr.low .bar{background:#e15759}
.legend span{display:inline-block;margin:0 14px 4px 0;white-space:nowrap}
.legend i{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-1px}
.problems code{font-size:12.5px;word-break:break-all}.problems ul{margin:4px 0 12px;padding-left:20px}
.ok{color:#2e7d32}.tables{display:flex;flex-wrap:wrap;gap:8px 40px}
footer{margin-top:32px;color:#777;font-size:12px}
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


@dataclass
class Problem:
    """A kind of failure: its heading, its count and the addresses (or lines) behind it."""

    heading: str
    count: int
    lines: list[str] = field(default_factory=list)


@dataclass
class Page:
    title: str
    intro: str = ""
    figures: list[tuple[str, str]] = field(default_factory=list)
    #: Articles per month ("YYYY-MM") and category.
    months: dict[str, dict[str, int]] = field(default_factory=dict)
    undated: int = 0
    coverage: dict[str, float] = field(default_factory=dict)
    #: Fields whose coverage is called out (below the run's floor).
    low: frozenset[str] = frozenset()
    #: (heading, column names, rows) shown side by side.
    tables: list[tuple[str, list[str], list[list[Any]]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Shown when there are no problems; None: no problems section at all.
    no_problems: str | None = "None: every request was answered."
    extra_html: str = ""  # a section the caller built (already escaped)
    footer: str = ""


# ----- the chart ---------------------------------------------------------------------------


def _month_range(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    out = []
    while (y, m) <= end:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _step(top: int) -> int:
    """A round tick step giving at most five ticks up to ``top``."""
    raw = max(1, top / 5)
    power = 10 ** math.floor(math.log10(raw))
    return int(next(s * power for s in (1, 2, 5, 10) if s * power >= raw))


def _series(months: dict[str, dict[str, int]]) -> tuple[list[str], dict[str, str]]:
    """Categories by size, each with its colour: the eight largest, then "other"."""
    totals: dict[str, int] = {}
    for counts in months.values():
        for cat, n in counts.items():
            totals[cat] = totals.get(cat, 0) + n
    ranked = sorted(totals, key=lambda c: (-totals[c], c))
    if len(ranked) <= len(PALETTE):
        return ranked, dict(zip(ranked, PALETTE, strict=False))
    keep = ranked[: len(PALETTE) - 1]
    colours = dict(zip(keep, PALETTE, strict=False))
    colours.update({c: OTHER_COLOUR for c in ranked[len(keep):]})
    return keep + ["other"], colours | {"other": OTHER_COLOUR}


def month_chart(months: dict[str, dict[str, int]], width: int = 1000, height: int = 280) -> str:
    """Stacked bars, one a month (months without articles included), one colour a category."""
    dated = sorted(m for m in months if len(m) == 7 and m[:4].isdigit() and m[5:].isdigit())
    if not dated:
        return '<p class="intro">No dated articles to chart.</p>'
    axis = _month_range(dated[0], dated[-1])
    series, colours = _series(months)
    top = max(sum(months.get(m, {}).values()) for m in axis) or 1
    step = _step(top)
    top = math.ceil(top / step) * step
    left, right, upper, lower = 48, 8, 10, 34
    plot_w, plot_h = width - left - right, height - upper - lower
    slot = plot_w / len(axis)
    bar = min(max(slot * 0.82, 1.0), 48.0)
    parts = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' style="max-width:100%;height:auto" role="img"'
        f' aria-label="Articles per month and category">'
    ]
    for tick in range(0, top + 1, step):
        y = upper + plot_h - tick / top * plot_h
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#555">{tick}</text>')
    for i, month in enumerate(axis):
        x = left + i * slot + (slot - bar) / 2
        y = upper + plot_h
        counts = months.get(month, {})
        for cat, n in sorted(counts.items(), key=lambda kv: series.index(kv[0]) if kv[0] in series else len(series)):
            if not n:
                continue
            h = n / top * plot_h
            y -= h
            parts.append(
                f'<rect x="{x:.2f}" y="{y:.2f}" width="{bar:.2f}" height="{h:.2f}" fill="{colours.get(cat, OTHER_COLOUR)}">'
                f"<title>{esc(month)} · {esc(cat)}: {n}</title></rect>"
            )
        label_every = 1 if len(axis) <= 14 else None
        if label_every or month.endswith("-01") or i == 0:
            text = f"{month[5:]}/{month[2:4]}" if label_every else month[:4]
            cx = left + i * slot + (slot / 2 if label_every else 0)
            parts.append(f'<text x="{cx:.1f}" y="{height - lower + 16}" font-size="11" text-anchor="{"middle" if label_every else "start"}" fill="#555">{esc(text)}</text>')
            if not label_every:
                parts.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{upper + plot_h}" y2="{upper + plot_h + 5}" stroke="#999"/>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{upper + plot_h}" y2="{upper + plot_h}" stroke="#999"/>')
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{colours[c]}"></i>{esc(c)}</span>' for c in series)
    return "".join(parts) + f'<div class="legend">{legend}</div>'


# ----- the page ----------------------------------------------------------------------------


def _table(heading: str, header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{v:,}</td>' if isinstance(v, int) else f"<td>{esc(v)}</td>" for v in row) + "</tr>"
        for row in rows
    )
    return f"<div><h3>{esc(heading)}</h3><table><tr>{head}</tr>{body}</table></div>"


def _coverage(coverage: dict[str, float], flagged: frozenset[str]) -> str:
    rows = []
    for name, share in coverage.items():
        low = name in flagged
        rows.append(
            f'<tr{" class=low" if low else ""}><td><code>{esc(name)}</code></td><td class="n">{share * 100:.1f}%</td>'
            f'<td><span class="track"><span class="bar" style="width:{max(0.0, min(share, 1.0)) * 100:.1f}%"></span></span></td>'
            f"<td>{'below its floor' if low else ''}</td></tr>"
        )
    return "<table>" + "".join(rows) + "</table>"


def render(page: Page) -> str:
    """The page as one HTML document."""
    figures = "".join(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>" for k, v in page.figures)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(page.title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{esc(page.title)}</h1>",
        f'<p class="intro">{esc(page.intro)}</p>' if page.intro else "",
        f'<table class="figures">{figures}</table>',
        "<h2>Articles per month and category</h2>",
        month_chart(page.months),
        f'<p class="intro">Months by publication date (+07:00); {page.undated:,} article(s) without a date are not charted.</p>'
        if page.undated else "",
    ]
    if page.tables:
        out.append('<div class="tables">' + "".join(_table(*t) for t in page.tables) + "</div>")
    if page.coverage:
        out += ["<h2>Field coverage</h2>", '<p class="intro">Share of articles where the field is not empty.</p>',
                _coverage(page.coverage, page.low)]
    out.append(page.extra_html)
    if page.problems or page.no_problems is not None:
        out.append('<h2>Problems</h2><div class="problems">')
        if not page.problems:
            out.append(f'<p class="ok">{esc(page.no_problems)}</p>')
        for problem in page.problems:
            listed = "".join(f"<li><code>{esc(line)}</code></li>" for line in problem.lines[:MAX_LISTED])
            more = problem.count - min(len(problem.lines), MAX_LISTED)
            tail = f"<li>… and {more:,} more</li>" if more > 0 else ""
            out.append(f"<h3>{esc(problem.heading)}: {problem.count:,}</h3><ul>{listed}{tail}</ul>")
        out.append("</div>")
    out.append(f"<footer>{esc(page.footer)}</footer></body></html>\n")
    return "\n".join(x for x in out if x)


def write_html(page: Page, path: Path) -> Path:
    """Write the page; a reader never sees half of it."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(render(page), "utf-8")
    os.replace(tmp, path)
    return path


# ----- a crawl's report --------------------------------------------------------------------


def crawl_page(report: dict[str, Any]) -> Page:
    """A run report's dict (``scraper/report.py``) as a page."""
    spider = report.get("spider") or "crawl"
    records = report.get("records", 0)
    by_year = report.get("articles_by_year") or {}
    http_counts = report.get("http_errors_by_status") or {}
    failures = report.get("download_failures") or {}
    figures = [
        ("finish reason", report.get("finish_reason") or "?"),
        ("started – finished (UTC)", f"{report.get('started_at', '?')} – {report.get('finished_at', '?')}"),
        ("time", f"{report.get('duration_seconds', 0):,.1f} s"),
        ("requests / responses", f"{report.get('requests', 0):,} / {report.get('responses', 0):,}"),
        ("articles written", f"{records:,} ({report.get('records_flagged', 0):,} flagged)"),
        ("HTTP errors", f"{sum(http_counts.values()):,}"),
        ("download failures", f"{sum(failures.values()):,}"),
    ]
    if report.get("state_error"):
        figures.append(("stopped by", report["state_error"]))
    if report.get("feeds"):
        figures.append(("feeds", ", ".join(Path(f).name for f in report["feeds"])))
    problems = [
        Problem(f"HTTP {status}", count, (report.get("http_error_addresses") or {}).get(status, []))
        for status, count in http_counts.items()
    ]
    if failures:
        kinds = ", ".join(f"{kind} {n}" for kind, n in failures.items())
        problems.append(Problem(f"Requests without a response ({kinds})", sum(failures.values()), report.get("download_failure_addresses") or []))
    tables = [
        ("Articles by category", ["category", "articles"], list((report.get("articles_by_category") or {}).items())),
        ("Articles by year", ["year", "articles"], list(by_year.items())),
    ]
    if report.get("warnings_by_kind"):
        tables.append(("Warnings by kind", ["warning", "records"], list(report["warnings_by_kind"].items())))
    return Page(
        title=f"Crawl report: {spider}, {report.get('started_at', '')}",
        intro=f"{records:,} articles written in {report.get('duration_seconds', 0):,.1f} s from {report.get('requests', 0):,} requests.",
        figures=figures,
        months=report.get("articles_by_month_category") or {},
        undated=int(by_year.get("unknown", 0)),
        coverage=report.get("coverage") or {},
        low=frozenset(report.get("coverage_below_floor") or ()),
        tables=[t for t in tables if t[2]],
        problems=problems,
        footer="Written by laichau-scraper beside the run report (report-<UTC>.json) of the same run.",
    )


def write_crawl_report(report: dict[str, Any], path: Path) -> Path | None:
    """The run report as ``path`` (HTML). Never raises: a report the page cannot show must not fail
    the crawl that wrote the JSON one (the error is logged)."""
    try:
        return write_html(crawl_page(report), path)
    except Exception:
        logger.exception("could not write the HTML run report %s", path)
        return None
