"""Offline extraction: saved pages or WARC captures in, JSON Lines records out.

The same page objects and record pipelines as the crawl, and for WARCs the same listing
join (dates with seconds and view counts from the captured category pages), so a record
never depends on how its page was obtained.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .items import ArticleItem
from .pages import NotAnArticle, extract_article, parse
from .pages.listing import ListingEntry, ListingPage, apply_listing, merge_entry
from .pipelines import build_record, record_fields, record_line
from .urls import article_key, is_article_url


class ExtractError(Exception):
    """One input could not give a record; the others still do."""


@dataclass
class WarcStats:
    responses: int = 0
    articles: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


def is_warc(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".warc", ".warc.gz", ".arc", ".arc.gz"))


def extract_file(path: Path, url: str | None = None) -> ArticleItem:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    address = url or path.resolve().as_uri()
    try:
        return build_record(extract_article(data, address))
    except NotAnArticle as exc:
        raise ExtractError(f"{path}: not an article page: {exc}") from exc


def _html_responses(path: Path) -> Iterator[tuple[str, str, bytes]]:
    """(url, capture time, decoded body) of each HTML 200 response record."""
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as fh:
        for record in ArchiveIterator(fh, arc2warc=True):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            status = record.http_headers.get_statuscode()
            ctype = (record.http_headers.get_header("Content-Type") or "").lower()
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            when = record.rec_headers.get_header("WARC-Date") or ""
            if status != "200" or "html" not in ctype:
                yield url, when, b""
                continue
            yield url, when, record.content_stream().read()


def _fetched_at(warc_date: str) -> str:
    """WARC-Date (``2026-11-26T09:32:51Z``, maybe with fractions) as the record's UTC fetch time."""
    return warc_date[:19] + "Z" if len(warc_date) >= 19 else ""


def _responses(paths: list[Path]) -> Iterator[tuple[str, str, bytes]]:
    for path in paths:
        try:
            yield from _html_responses(path)
        except Exception as exc:  # warcio raises assorted errors on damaged archives
            raise ExtractError(f"{path}: unreadable WARC: {type(exc).__name__}: {exc}") from exc


def iter_warc(paths: list[Path], stats: WarcStats) -> Iterator[ArticleItem]:
    """Every article in a set of WARC files (a rolled-over crawl), once.

    Two passes, so a listing captured after its article, or in another file, still joins it.
    """
    listed: dict[str, ListingEntry] = {}
    for url, _, body in _responses(paths):
        if body and not is_article_url(url):
            try:
                entries = ListingPage(parse(body), url).entries_to_follow()
            except NotAnArticle:
                continue
            for entry in entries:
                key = article_key(entry.url)
                if key in listed:
                    merge_entry(listed[key], entry)
                else:
                    listed[key] = entry
    seen: set[str] = set()
    for url, when, body in _responses(paths):
        stats.responses += 1
        if not body:
            stats.skip("not HTML 200")
            continue
        try:
            item = extract_article(body, url)
        except NotAnArticle:
            stats.skip("not an article page")
            continue
        key = article_key(item.url)
        if key in seen:
            stats.skip("repeat capture")
            continue
        seen.add(key)
        item.fetched_at = _fetched_at(when)
        stats.articles += 1
        yield build_record(apply_listing(item, listed.get(key)))


def iter_records(paths: Iterable[Path], url: str | None, errors: list[str], err: TextIO) -> Iterator[ArticleItem]:
    """Saved pages one by one; all WARC files together, as one capture."""
    paths = list(paths)
    warcs = [p for p in paths if is_warc(p)]
    for path in (p for p in paths if not is_warc(p)):
        try:
            yield extract_file(path, url)
        except ExtractError as exc:
            errors.append(str(exc))
        except Exception as exc:  # a bug must not cost the other files their records
            errors.append(f"{path}: extraction failed: {type(exc).__name__}: {exc}")
    if warcs:
        stats = WarcStats()
        try:
            yield from iter_warc(warcs, stats)
        except ExtractError as exc:
            errors.append(str(exc))
        skipped = ", ".join(f"{n} {why}" for why, n in sorted(stats.skipped.items())) or "none"
        err.write(f"{len(warcs)} WARC file(s): {stats.articles} articles from {stats.responses} responses (skipped: {skipped})\n")


def run(paths: list[Path], url: str | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Print one JSON record per article; 1 when any input failed, after processing all."""
    errors: list[str] = []
    for record in iter_records(paths, url, errors, err):
        out.write(record_line(record_fields(record)).decode("utf-8"))
        out.flush()
    for line in errors:
        err.write(f"error: {line}\n")
    return 1 if errors else 0
