"""``README.md`` of the corpus: a dataset card (Hugging Face's front matter, then prose and tables)
saying where the articles come from, the attribution their portal asks for, what is in the files and
how they were made."""

from __future__ import annotations

from dataclasses import dataclass

from . import neardup
from .columns import arrow_schema, meanings
from .stats import CorpusStats

PORTAL = "congan.laichau.gov.vn"
PORTAL_NAME = "Trang thông tin điện tử Công an tỉnh Lai Châu"
#: The portal's own words, at the foot of its pages (2021 portal; kept in ``fixtures/articles/legacy-*.html``).
ATTRIBUTION = "Ghi rõ nguồn www.congan.laichau.gov.vn khi sử dụng thông tin trên website này"
ATTRIBUTION_EN = "Cite www.congan.laichau.gov.vn as the source when using information from this website."
LOAD = {
    "pandas": 'pd.read_parquet("{d}/articles")',
    "DuckDB": "duckdb.sql(\"SELECT * FROM '{d}/articles/*.parquet'\")",
    "datasets": 'datasets.load_dataset("parquet", data_files="{d}/articles/*.parquet", split="train")',
}


@dataclass
class Made:
    """How this build came about, for the card's last section."""

    command: str
    built_at: str
    feeds: int
    records: int
    unreadable: int


def _size(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return label
    return "1M<n<10M"


def day(value: str | None) -> str:
    """The day of an ISO time (as written: the portal's local day, or UTC for captures)."""
    return value[:10] if value else "?"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def card(stats: CorpusStats, made: Made, dest_name: str) -> str:
    """The card's Markdown; ``dest_name`` is the corpus folder's name, for the lines that load it."""
    s = stats
    bands, rows, _ = neardup.banding()
    sites = ", ".join(f"{site} ({n:,})" for site, n in s.sites.most_common())
    out = [
        "---",
        "language:",
        "- vi",
        f"pretty_name: Articles of {PORTAL} (Lai Châu provincial police portal)",
        "license: other",
        "license_name: attribution-required-by-the-source",
        "size_categories:",
        f"- {_size(s.articles)}",
        "task_categories:",
        "- text-classification",
        "- text-generation",
        "configs:",
        "- config_name: default",
        "  data_files: articles/*.parquet",
        "---",
        "",
        f"# Articles of {PORTAL}",
        "",
        f"{s.articles:,} articles of the {PORTAL_NAME} (the Lai Châu provincial police portal, Vietnam), one record per",
        f"article and portal address, in Vietnamese. Published {day(s.published_min)} to {day(s.published_max)}"
        f" ({s.undated:,} without a date); first captured {day(s.seen_min)} to {day(s.seen_max)}.",
        f"Sites: {sites or 'none'}.",
        "",
        "## Source and attribution",
        "",
        f"Every text, image address and caption here was published by the {PORTAL_NAME}, https://{PORTAL}/.",
        "The portal asks, at the foot of its pages:",
        "",
        f"> {ATTRIBUTION}",
        "",
        f"({ATTRIBUTION_EN}) Name it as the source wherever you use or quote this data. The articles remain",
        "the portal's and their authors'; this is a copy for research, not a licence to republish.",
    ]
    others = [site for site in s.sites if site.removeprefix("www.") != PORTAL]
    if others:
        out += ["", f"Articles from other portals ({', '.join(others)}) are theirs: cite each portal as their source."]
    out += [
        "",
        "## Files",
        "",
        "| file | what |",
        "|---|---|",
        "| `articles/<month>.parquet` | one row per article, its latest capture, typed (times as zone-aware timestamps, lists as lists of structs); one file per month of publication at +07:00 (else of first capture; `undated` without either) |",
        "| `jsonl/articles/<month>.jsonl` | the same records as JSON Lines, times as the ISO strings the scraper wrote (`published_at` at the precision shown) |",
        f"| `jsonl/revisions/<month>.jsonl` | every earlier distinct body of that month's articles ({s.earlier_versions:,} versions of {s.revised:,} articles): `site`, `url`, `content_hash`, `fetched_at`, `archived_at`, `title`, `body_text`, oldest first |",
        "| `report.html` | the corpus at a glance: articles per month and category, coverage, near-duplicates |",
        "| `manifest.json` | every data file of this build and each month's counts, written last |",
        "| `corpus.sqlite` | the merge's own index (which feed bytes were merged, every body, the MinHash buckets): lets the next build add only new feeds and rewrite only the months they change |",
        "",
        "## Load it",
        "",
        "From the folder holding this one (or `datasets.load_dataset(\"<this folder>\")`, which reads the `configs` above):",
        "",
        "```python",
        *(f"{LOAD[k].format(d=dest_name)}  # {k}" for k in LOAD),
        "```",
        "",
        "## Counts",
        "",
        "| year | articles |",
        "|---|---:|",
        *(f"| {year} | {n:,} |" for year, n in sorted(s.by_year.items())),
        "",
        "| category | articles |",
        "|---|---:|",
        *(f"| {_cell(cat)} | {n:,} |" for cat, n in s.by_category.most_common()),
        "",
        f"Revisions: {s.revised:,} articles were seen with more than one body ({s.earlier_versions:,} earlier versions in"
        f" `jsonl/revisions/`). Near-duplicates: {s.near_duplicates:,} articles name an earlier article they nearly copy"
        " (`near_duplicate_of`); none is removed.",
        "",
        "## Field coverage",
        "",
        "Share of articles where the field is not empty.",
        "",
        "| field | coverage |",
        "|---|---:|",
        *(f"| `{name}` | {share * 100:.1f}% |" for name, share in s.coverage().items()),
        "",
        "## Schema",
        "",
        "| column | Parquet (Arrow) type | meaning |",
        "|---|---|---|",
        *(f"| `{f.name}` | `{_cell(str(f.type))}` | {_cell(meanings()[f.name])} |" for f in arrow_schema()),
        "",
        "The record's full rules: `scraper/schema/RECORD.md` in the scraper. In Parquet a day shown without a time",
        "is that day's midnight at +07:00 (`published_at_raw` keeps what the page showed).",
        "",
        "## How it was made",
        "",
        "Crawled by laichau-scraper (Scrapy; robots.txt obeyed, at most 2 requests at a time, AutoThrottle)",
        "in nightly incremental runs, each writing a dated JSON Lines feed, then merged by",
        f"`{made.command}` on {made.built_at}: {made.records:,} records from {made.feeds:,} feed files"
        f" ({made.unreadable:,} unreadable lines skipped).",
        "",
        "- An article is its portal and canonical address (today's portal: its id, so an edited slug is the same",
        "  article). Its row is its latest capture (a web archive's capture time for a recovered page);",
        "  `first_seen_at` is its earliest; each distinct `body_text` (SHA-256 `content_hash`) is a revision.",
        f"- Near-duplicates: MinHash (datasketch, {neardup.NUM_PERM} permutations) over {neardup.SHINGLE}-word shingles of the",
        f"  lower-cased body; LSH buckets ({bands} bands of {rows}, datasketch's choice for the threshold) pick candidates,",
        f"  flagged when the estimated Jaccard similarity is at least {neardup.THRESHOLD} (bodies under {neardup.MIN_WORDS} words",
        "  are not compared). The earliest article of such a pair (by publication time, then first capture) is the",
        "  original; the other names it.",
        "- Text is NFC Unicode; `published_at` keeps the portal's +07:00; fetch times are UTC.",
        "",
    ]
    return "\n".join(out)
