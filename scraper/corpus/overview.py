"""``report.html`` of the corpus: its counts as the shared HTML report page."""

from __future__ import annotations

from .card import PORTAL, day
from .html_report import Page, Problem, esc
from .stats import CorpusStats


def corpus_page(stats: CorpusStats, feeds: list[tuple[str, int, int]], built_at: str) -> Page:
    """The page; ``feeds`` as (path, records, unreadable lines) from the store."""
    s = stats
    unreadable = [f"{path}: {bad:,} unreadable line(s)" for path, _, bad in feeds if bad]
    pairs = "".join(f"<li><code>{esc(copy)}</code> → <code>{esc(original)}</code></li>" for copy, original in s.examples)
    more = s.near_duplicates - len(s.examples)
    near = (
        f"<h2>Near-duplicates</h2><p class=\"intro\">{s.near_duplicates:,} articles nearly copy an earlier one"
        f" (copy → original).</p><div class=\"problems\"><ul>{pairs}{f'<li>… and {more:,} more</li>' if more > 0 else ''}</ul></div>"
        if s.near_duplicates else ""
    )
    return Page(
        title=f"Corpus: {', '.join(s.sites) or PORTAL}",
        intro=f"{s.articles:,} articles published {day(s.published_min)} to {day(s.published_max)}, built {built_at}.",
        figures=[
            ("articles", f"{s.articles:,}"),
            ("sites", ", ".join(f"{k} ({n:,})" for k, n in s.sites.most_common())),
            ("published", f"{day(s.published_min)} – {day(s.published_max)}"),
            ("first captured (UTC)", f"{day(s.seen_min)} – {day(s.seen_max)}"),
            ("revised articles", f"{s.revised:,} ({s.earlier_versions:,} earlier versions)"),
            ("near-duplicates", f"{s.near_duplicates:,}"),
            ("feed files merged", f"{len(feeds):,} ({sum(r for _, r, _ in feeds):,} records)"),
        ],
        months=s.months(),
        undated=s.undated,
        coverage=s.coverage(),
        tables=[
            ("Articles by year", ["year", "articles"], sorted(s.by_year.items())),
            ("Articles by category", ["category", "articles"], s.by_category.most_common()),
            ("Layouts", ["layout", "articles"], s.layouts.most_common()),
        ],
        problems=[Problem("Feed lines that could not be read", len(unreadable), unreadable)] if unreadable else [],
        no_problems="None: every feed line was read.",
        extra_html=near,
        footer="Built by laichau-scraper (python -m scraper corpus). The portal asks: Ghi rõ nguồn www.congan.laichau.gov.vn khi sử dụng thông tin trên website này.",
    )
