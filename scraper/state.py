"""Incremental crawl state in an embedded SQLite file.

An article is *done* only once its record is safely in the output. Writing follows a
small journal: ``begin`` (article id, output file, offset) → append the line → ``done``.
A kill between the two leaves a *pending* row; ``recover`` then checks the file at that
offset: a complete line marks the article done, a partial one is cut off, so a restart
neither repeats nor loses an article and every earlier line stays intact.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .urls import article_key

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    article_key TEXT PRIMARY KEY,      -- article id, or the canonical url where there is none
    url TEXT NOT NULL,
    content_hash TEXT,
    output TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS gone (          -- answered 404/410: not asked again until retry_after
    article_key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    status INTEGER NOT NULL,
    seen_at TEXT NOT NULL,
    retry_after TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pending (        -- a record being appended: where each feed file ended
    article_key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    files TEXT NOT NULL                       -- JSON [[path, format, offset], ...]
);
"""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class StateStore:
    """Which articles are already captured; shared by the spider (what to skip) and the writer."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # WAL with synchronous=NORMAL: a killed process loses nothing committed (the OS holds the WAL).
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    # -- reading ------------------------------------------------------------------------------
    def known(self, keys: Iterable[str]) -> set[str]:
        """Keys already captured, or gone (404/410) recently enough not to ask again."""
        keys = [k for k in keys if k]
        if not keys:
            return set()
        found: set[str] = set()
        now = _now()
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT article_key FROM articles WHERE article_key IN ({marks}) UNION "
                f"SELECT article_key FROM gone WHERE article_key IN ({marks}) AND retry_after > ?",
                [*chunk, *chunk, now],
            )
            found.update(r[0] for r in rows)
        return found

    def mark_gone(self, key: str, url: str, status: int, retry_days: float) -> None:
        """Remember a permanent failure so cron runs do not ask for it every night."""
        now = datetime.now(UTC)
        later = (now + timedelta(days=retry_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.db.execute(
            "INSERT OR REPLACE INTO gone VALUES (?, ?, ?, ?, ?)", (key, url, status, _now(), later)
        )

    def is_known(self, key: str) -> bool:
        return bool(self.known([key]))

    # -- the write journal --------------------------------------------------------------------
    def begin(self, key: str, url: str, files: list[tuple[str, str, int]]) -> None:
        """Before appending: each feed file's path, format and current size."""
        self.db.execute("INSERT OR REPLACE INTO pending VALUES (?, ?, ?)", (key, url, json.dumps(files)))

    def done(self, key: str, url: str, content_hash: str | None, output: str | None) -> None:
        now = _now()
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(article_key) DO UPDATE SET "
                "url=excluded.url, content_hash=excluded.content_hash, output=excluded.output, last_seen=excluded.last_seen",
                (key, url, content_hash, output, now, now),
            )
            self.db.execute("DELETE FROM pending WHERE article_key = ?", (key,))

    def recover(self) -> tuple[int, int]:
        """Settle writes a killed run left pending: (confirmed, discarded).

        Confirmed when every feed holds the whole record; otherwise every feed is cut back
        to where it ended before, and the article is fetched again.
        """
        confirmed = discarded = 0
        for key, url, files in self.db.execute("SELECT * FROM pending").fetchall():
            files = [(Path(p), fmt, offset) for p, fmt, offset in json.loads(files)]
            if all(_complete_record_at(path, fmt, offset, key) for path, fmt, offset in files):
                self.done(key, url, None, str(files[0][0]) if files else None)
                confirmed += 1
            else:
                for path, _, offset in files:
                    _truncate(path, offset)
                self.db.execute("DELETE FROM pending WHERE article_key = ?", (key,))
                discarded += 1
        if confirmed or discarded:
            logger.warning("state: recovered a killed run's writes: %d confirmed, %d discarded", confirmed, discarded)
        return confirmed, discarded

    def close(self) -> None:
        self.db.close()


def record_key(record: dict) -> str:
    """A written record's key (see ``urls.article_key``); an archived copy is one capture of it."""
    key = article_key(record["url"] or "")
    return f"{key}@{record['archived_at']}" if record.get("archived_at") else key


def _complete_record_at(path: Path, fmt: str, offset: int, key: str) -> bool:
    """Whether ``path`` holds exactly one whole record for ``key`` after ``offset``."""
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            tail = fh.read()
    except OSError:
        return False
    if not tail.endswith(b"\n"):
        return False
    try:
        if fmt == "csv":
            text = tail.decode("utf-8")
            rows = list(csv.reader(io.StringIO(text), strict=True))
            header = rows.pop(0) if offset == 0 and rows else _csv_header(path)
            if len(rows) != 1 or len(rows[0]) != len(header):  # a cut row has fewer cells
                return False
            row = dict(zip(header, rows[0], strict=True))
            return record_key({"url": row.get("url")}) == key
        lines = tail.splitlines()
        return len(lines) == 1 and record_key(json.loads(lines[0])) == key
    except (ValueError, KeyError, TypeError, csv.Error):
        return False


def _csv_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh), [])


def _truncate(path: Path, offset: int) -> None:
    """Cut whatever a killed write left after ``offset``, so the file ends on a whole record."""
    try:
        size = path.stat().st_size
    except OSError:
        return
    if size > offset:
        with path.open("r+b") as fh:
            fh.truncate(offset)
        logger.warning("state: cut %d bytes of an unfinished record at the end of %s", size - offset, path)
