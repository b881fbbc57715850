"""Offline extraction: saved pages or WARC captures in, JSON Lines records out.

The same page objects and record pipelines as the crawl, and for WARCs the same listing
join (dates with seconds and view counts from the captured category pages), so a record
never depends on how its page was obtained. Pages are extracted in a worker process under the
crawl's bounds (``EXTRACT_TIMEOUT``, ``EXTRACT_WORKER_MEMORY_MB``): a page past one is an error
line, the other pages still come out.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from . import settings as project
from .items import ArticleItem
from .pages import ExtractionLimit, NotAnArticle, extract_article, parse
from .pages.listing import ListingEntry, ListingPage, apply_listing, merge_entry
from .pipelines import build_record, record_fields, record_line
from .urls import is_article_url, site_key
from .workers import ExtractionPool, WorkerLost

#: Runs a job (a function and its arguments) and gives its result: here, or in a bounded worker.
Run = Callable[..., Any]


class ExtractError(Exception):
    """One input could not give a record; the others still do."""


def here(fn: Callable[..., Any], *args: Any) -> Any:
    """A job run in this process: no bound but the nesting guard."""
    return fn(*args)


class BoundedRun:
    """Jobs run one at a time in a worker process with a time limit and a memory cap: the crawl's
    bounds (``ExtractionPool``), for a command that may be handed any file. A worker that dies
    fails its page (``WorkerLost``) and another is started for the next."""

    def __init__(self, timeout: float, memory_mb: int) -> None:
        self.timeout, self.memory_mb = timeout, memory_mb
        self.loop = asyncio.new_event_loop()
        self.pool: ExtractionPool | None = None
        try:
            self.pool = ExtractionPool(1, timeout=timeout, memory_mb=memory_mb)
        except BaseException:
            self.loop.close()
            raise

    def __call__(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self.pool is None:
            self.pool = ExtractionPool(1, timeout=self.timeout, memory_mb=self.memory_mb)
        try:
            return self.loop.run_until_complete(self.pool.call(fn, *args))
        except WorkerLost:
            self._close_pool()
            raise

    def _close_pool(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
            self.loop.run_until_complete(asyncio.sleep(0))  # the closed streams' callbacks

    def close(self) -> None:
        self._close_pool()
        self.loop.close()


def file_record(data: bytes, address: str) -> ArticleItem:
    """A saved page's record (a worker's job)."""
    return build_record(extract_article(data, address))


def listing_entries(body: bytes, url: str) -> list[ListingEntry]:
    """The article entries a captured category page lists (a worker's job)."""
    return ListingPage(parse(body), url).entries_to_follow()


def listed_record(item: ArticleItem, entry: ListingEntry | None) -> ArticleItem:
    """A captured article's record, joined with what its listings said (a worker's job)."""
    return build_record(apply_listing(item, entry))


def _limit_error(where: str, exc: Exception) -> str:
    return f"{where}: not extracted: {type(exc).__name__}: {exc}"


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


def extract_file(path: Path, url: str | None = None, run: Run = here) -> ArticleItem:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    address = url or path.resolve().as_uri()
    try:
        return run(file_record, data, address)
    except NotAnArticle as exc:
        raise ExtractError(f"{path}: not an article page: {exc}") from exc
    except (ExtractionLimit, WorkerLost) as exc:
        raise ExtractError(_limit_error(str(path), exc)) from exc


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


def iter_warc(
    paths: list[Path], stats: WarcStats, run: Run = here, errors: list[str] | None = None
) -> Iterator[ArticleItem]:
    """Every article in a set of WARC files (a rolled-over crawl), once.

    Two passes, so a listing captured after its article, or in another file, still joins it.
    A capture past an extraction bound is added to ``errors`` (raised without it).
    """
    listed: dict[str, ListingEntry] = {}

    def failed(url: str, exc: Exception) -> None:
        if errors is None:
            raise exc
        errors.append(_limit_error(f"{', '.join(map(str, paths))}: {url}", exc))

    for url, _, body in _responses(paths):
        if body and not is_article_url(url):
            try:
                entries = run(listing_entries, body, url)
            except NotAnArticle:
                continue
            except (ExtractionLimit, WorkerLost) as exc:
                failed(url, exc)
                continue
            for entry in entries:
                key = site_key(entry.url)
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
            item = run(extract_article, body, url)
        except NotAnArticle:
            stats.skip("not an article page")
            continue
        except (ExtractionLimit, WorkerLost) as exc:
            failed(url, exc)
            continue
        key = site_key(item.url)
        if key in seen:
            stats.skip("repeat capture")
            continue
        seen.add(key)
        item.fetched_at = _fetched_at(when)
        try:
            record = run(listed_record, item, listed.get(key))
        except (ExtractionLimit, WorkerLost) as exc:
            failed(url, exc)
            continue
        stats.articles += 1
        yield record


def iter_records(
    paths: Iterable[Path], url: str | None, errors: list[str], err: TextIO, run: Run = here
) -> Iterator[ArticleItem]:
    """Saved pages one by one; all WARC files together, as one capture."""
    paths = list(paths)
    warcs = [p for p in paths if is_warc(p)]
    for path in (p for p in paths if not is_warc(p)):
        try:
            yield extract_file(path, url, run)
        except ExtractError as exc:
            errors.append(str(exc))
        except Exception as exc:  # a bug must not cost the other files their records
            errors.append(f"{path}: extraction failed: {type(exc).__name__}: {exc}")
    if warcs:
        stats = WarcStats()
        try:
            yield from iter_warc(warcs, stats, run, errors)
        except ExtractError as exc:
            errors.append(str(exc))
        skipped = ", ".join(f"{n} {why}" for why, n in sorted(stats.skipped.items())) or "none"
        err.write(f"{len(warcs)} WARC file(s): {stats.articles} articles from {stats.responses} responses (skipped: {skipped})\n")


def run(
    paths: list[Path], url: str | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr,
    timeout: float = project.EXTRACT_TIMEOUT, memory_mb: int = project.EXTRACT_WORKER_MEMORY_MB,
) -> int:
    """Print one JSON record per article; 1 when any input failed, after processing all.

    Each page is extracted in a worker within ``timeout`` seconds and ``memory_mb`` MiB (0 and 0:
    in this process, unbounded); where no worker can start, here, with a warning.
    """
    errors: list[str] = []
    job: Run = here
    bounded: BoundedRun | None = None
    if timeout > 0 or memory_mb > 0:
        try:
            job = bounded = BoundedRun(timeout, memory_mb)
        except (OSError, ValueError) as exc:
            err.write(f"warning: no extraction worker could start ({exc}); extracting here, without a time limit\n")
    try:
        for record in iter_records(paths, url, errors, err, job):
            out.write(record_line(record_fields(record)).decode("utf-8"))
            out.flush()
    finally:
        if bounded is not None:
            bounded.close()
    for line in errors:
        err.write(f"error: {line}\n")
    return 1 if errors else 0
