"""Crash-safe feeds: JSON Lines and CSV, every record one ``write`` of whole lines.

Scrapy's feed exporters buffer and may leave a half line on a kill; here each record
goes out in one append, and the state journal (``state.py``) knows where each feed ended
at the last checkpoint, so a SIGKILL costs at most the line being written: the next run's
recovery keeps the whole records after the checkpoint and cuts off the rest.

Every crawl writes ``<OUTPUT_DIR>/articles-<UTC>.jsonl`` unless the user names feeds with
``-o``/``-O`` (``FEEDS``); those are written here too (``.jsonl``/``.jl`` or ``.csv``), with
``-O`` truncating the file once at start and ``-o`` appending.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import orjson
from scrapy.exceptions import NotConfigured

from .items import FIELDS, ArticleItem
from .pipelines import record_fields, record_line
from .sealed import sealed_line
from .state import StateStore, record_key

logger = logging.getLogger(__name__)

#: CSV columns: the record's fields in schema order, with a count beside each list of objects.
CSV_COLUMNS: tuple[str, ...] = tuple(
    col for name in FIELDS for col in ((name, "image_count") if name == "images" else (name, "related_count") if name == "related" else (name,))
)
_JSON_CELLS = ("breadcrumbs", "images", "related", "tags", "warnings")


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    """One CSV row: list fields as JSON text, counts beside them, null as an empty cell."""
    row: dict[str, Any] = {}
    for name in CSV_COLUMNS:
        if name == "image_count":
            row[name] = len(record["images"])
        elif name == "related_count":
            row[name] = len(record["related"])
        elif name in _JSON_CELLS:
            row[name] = orjson.dumps(record[name]).decode("utf-8")  # as in JSON Lines
        else:
            row[name] = "" if record[name] is None else record[name]
    return row


def _csv_bytes(rows: list[dict[str, Any]], header: bool) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    if header:
        writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


class AppendFile:
    """Whole-record appends to one file; never truncates what earlier runs wrote (unless told to)."""

    def __init__(self, path: Path, fmt: str, overwrite: bool = False, fsync: bool = False) -> None:
        self.path = path
        self.fmt = fmt
        self.fsync = fsync
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_TRUNC if overwrite else 0)
        self.fd = os.open(path, flags, 0o644)
        self.lines = 0
        self.last_start = 0  # where the last record began: a record failing in a later feed is undone here
        self.encode: Callable[[dict[str, Any]], bytes]
        if fmt == "csv":
            self.encode = lambda rec: _csv_bytes([csv_row(rec)], header=self.offset() == 0)
        else:
            self.encode = record_line

    def offset(self) -> int:
        return os.fstat(self.fd).st_size

    def write(self, record: dict[str, Any] | None, line: bytes | None = None) -> None:
        """Append one record (``line``: its JSON Lines line, already made; see ``sealed.py``); a
        write that fails part-way (a full disk) is cut back off, so the next record never follows
        half a line."""
        data = line if line is not None and self.fmt == "jsonl" else self.encode(record)
        before = self.last_start = self.offset()
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self.fd, view) :]
            if self.fsync:
                os.fsync(self.fd)
        except OSError:
            self.truncate(before)
            raise
        self.lines += 1

    def truncate(self, size: int) -> None:
        """Cut the file back to ``size`` bytes (what it held before a failed record)."""
        try:
            os.ftruncate(self.fd, size)
        except OSError:
            logger.exception("%s: could not cut a failed write back to %d bytes", self.path, size)

    def close(self) -> None:
        os.close(self.fd)


def feed_targets(settings) -> list[tuple[Path, str, bool]]:
    """(path, format, overwrite) for each feed: the user's ``FEEDS``, else the dated default."""
    targets = []
    for uri, options in (settings.getdict("FEEDS") or {}).items():
        uri = str(uri)
        parts = urlsplit(uri)
        if parts.scheme not in ("", "file") or (len(parts.scheme) == 1):
            raise NotConfigured(f"only local feed files are supported, not {uri}")
        path = Path(unquote(parts.path) if parts.scheme == "file" else uri)
        fmt = (options or {}).get("format") or path.suffix.lstrip(".")
        fmt = {"jl": "jsonl", "jsonlines": "jsonl"}.get(fmt, fmt)
        if fmt not in ("jsonl", "csv"):
            raise NotConfigured(f"feed format {fmt!r} for {uri}: use .jsonl or .csv (JSON Lines survives a kill; a JSON array does not)")
        targets.append((path, fmt, bool((options or {}).get("overwrite"))))
    if not targets:
        path = settings.get("FEED_PATH") or Path(settings.get("OUTPUT_DIR", "output")) / f"articles-{settings.get('RUN_STAMP')}.jsonl"
        targets.append((Path(path), "jsonl", False))
    return targets


class FeedPipeline:
    """Write each record to every feed, then mark the article done in the state."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.targets = feed_targets(crawler.settings)
        self.fsync = crawler.settings.getbool("FEED_FSYNC", False)
        self.every = crawler.settings.getint("STATE_CHECKPOINT_RECORDS")
        self.seconds = crawler.settings.getfloat("STATE_CHECKPOINT_SECONDS")
        self.last_checkpoint = time.monotonic()
        self.files: list[AppendFile] = []
        self.csv = False  # a CSV feed needs every record's fields

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def state(self) -> StateStore | None:
        return getattr(self.crawler.spider, "state", None)

    def open_spider(self) -> None:
        if self.state is not None:
            self.state.recover()
        self.files = [AppendFile(path, fmt, overwrite, self.fsync) for path, fmt, overwrite in self.targets]
        self.csv = any(f.fmt == "csv" for f in self.files)
        for f in self.files:
            logger.info("writing records to %s (%s)", f.path, f.fmt)
        self.crawler.stats.set_value("feed/paths", [str(f.path) for f in self.files])
        self.checkpoint()

    def checkpoint(self, final: bool = False) -> None:
        """Mark the records written since the last checkpoint done; the journal keeps where each
        feed ends now, so a kill before the next checkpoint is settled from the feeds themselves."""
        if self.state is not None:
            self.state.checkpoint(None if final else [(str(f.path), f.fmt, f.offset()) for f in self.files])
        self.last_checkpoint = time.monotonic()

    def process_item(self, item: ArticleItem) -> ArticleItem:
        line = sealed_line(item)
        record = record_fields(item) if line is None or self.csv else None
        written: list[AppendFile] = []
        try:
            for f in self.files:
                f.write(record, line)
                written.append(f)
        except OSError:  # in no feed then, rather than in some: the next run fetches it again
            for f in written:
                f.truncate(f.last_start)
            raise
        state = self.state
        if state is not None:
            state.stage(record_key(vars(item)), item.url, item.content_hash, str(self.files[0].path))
            if len(state.staged) >= self.every or time.monotonic() - self.last_checkpoint >= self.seconds:
                self.checkpoint()
        self.crawler.stats.inc_value("feed/records")
        return item

    def close_spider(self) -> None:
        self.checkpoint(final=True)
        for f in self.files:
            f.close()
            logger.info("wrote %d records to %s", f.lines, f.path)
