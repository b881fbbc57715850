"""Incremental crawl state in an embedded SQLite file.

An article is *done* only once its record is safely in the output. Writing follows a
small journal: ``begin`` (article id, output file, offset) → append the line → ``done``.
A kill between the two leaves a *pending* row; ``recover`` then checks the file at that
offset: a complete line marks the article done, a partial one is cut off, so a restart
neither repeats nor loses an article and every earlier line stays intact.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
CREATE TABLE IF NOT EXISTS pending (
    article_key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    output TEXT NOT NULL,
    offset INTEGER NOT NULL
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

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    # -- the write journal --------------------------------------------------------------------
    def begin(self, key: str, url: str, output: str, offset: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO pending VALUES (?, ?, ?, ?)", (key, url, output, offset))

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
        """Settle writes a killed run left pending: (confirmed, discarded)."""
        confirmed = discarded = 0
        for key, url, output, offset in self.db.execute("SELECT * FROM pending").fetchall():
            if _complete_line_at(Path(output), offset, key):
                self.done(key, url, None, output)
                confirmed += 1
            else:
                _truncate_partial(Path(output), offset)
                self.db.execute("DELETE FROM pending WHERE article_key = ?", (key,))
                discarded += 1
        if confirmed or discarded:
            logger.warning("state: recovered a killed run's writes: %d confirmed, %d discarded", confirmed, discarded)
        return confirmed, discarded

    def close(self) -> None:
        self.db.close()


def record_key(record: dict) -> str:
    """The key an article is remembered by: its global id, else its canonical address."""
    return f"id:{record['article_id']}" if record.get("article_id") else f"url:{record['url']}"


def url_key(article_id: str | None, url: str) -> str:
    return f"id:{article_id}" if article_id else f"url:{url}"


def _complete_line_at(path: Path, offset: int, key: str) -> bool:
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            line = fh.readline()
    except OSError:
        return False
    if not line.endswith(b"\n"):
        return False
    try:
        return record_key(json.loads(line)) == key
    except (ValueError, KeyError, TypeError):
        return False


def _truncate_partial(path: Path, offset: int) -> None:
    """Cut a half-written last line, so the file again ends on a whole record."""
    try:
        size = path.stat().st_size
    except OSError:
        return
    if size <= offset:
        return
    with path.open("rb") as fh:
        fh.seek(offset)
        tail = fh.read()
    if b"\n" not in tail[:-1] and not tail.endswith(b"\n"):
        with path.open("r+b") as fh:
            fh.truncate(offset)
        logger.warning("state: cut a partial line of %d bytes at the end of %s", size - offset, path)
