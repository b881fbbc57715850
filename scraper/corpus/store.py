"""The corpus on disk: SQLite holding each article's latest record, every distinct body it has had,
the near-duplicate index, which feed bytes were merged and which output months each run changed.

On disk so a run's memory does not grow with the corpus (20,000 articles of 10-20 KB would not fit
a small machine twice over), and kept in DEST so the next run merges only new feed bytes. A re-run
updates it in place, in transactions (a kill rolls the open one back when the file is next opened):
copying it for every run, as builds before did, cost 0.2-1.3 s at 20,000 articles (300 MB), more
than a night's merge and near-duplicates together.
Each run that changes it is a new ``generation``; every output month (``parts``) remembers the
generation that last changed it, so the outputs know what to write again.

Merging is order-free: an article's record is the capture with the greatest (capture time, content
hash, bytes), each body keeps its earliest capture, so any order of feeds gives the same corpus.
"""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .records import captured_at, identity, parse_time, partition, prepared, site_of, sort_key

#: Bumped when the tables change: an older corpus is then rebuilt from its feeds.
FORMAT = 2

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS feeds (
    path TEXT PRIMARY KEY, offset INTEGER, size INTEGER, mtime_ns INTEGER, fingerprint TEXT,
    records INTEGER, bad INTEGER
);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY, akey TEXT UNIQUE NOT NULL, site TEXT, url TEXT,
    captured TEXT, content_hash TEXT, record BLOB,
    first_seen TEXT, first_seen_sort TEXT, published_sort TEXT, order_time TEXT, part TEXT,
    revisions INTEGER DEFAULT 1, dup_of INTEGER, dirty INTEGER DEFAULT 1,
    signature BLOB, signature_hash TEXT
);
CREATE INDEX IF NOT EXISTS articles_part ON articles (part, order_time, akey);
CREATE INDEX IF NOT EXISTS articles_dirty ON articles (dirty);
CREATE INDEX IF NOT EXISTS articles_dup ON articles (dup_of) WHERE dup_of IS NOT NULL;
CREATE TABLE IF NOT EXISTS parts (name TEXT PRIMARY KEY, changed INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER, content_hash TEXT, captured TEXT, fetched_at TEXT, archived_at TEXT,
    url TEXT, title TEXT, body_text TEXT, PRIMARY KEY (id, content_hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bands (
    id INTEGER, band INTEGER, bucket INTEGER, PRIMARY KEY (id, band)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS bands_bucket ON bands (band, bucket);
"""


@dataclass
class Merged:
    """What a merge changed: records read, articles new, new bodies of articles known before."""

    records: int = 0
    new: int = 0
    revised: int = 0


class Store:
    """One corpus database: DEST's own, updated in place, or (``private``) a new one being built
    beside it, renamed into place when whole."""

    def __init__(self, path: Path, private: bool = False) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        if private:  # thrown away if the run fails: no journal, no syncs until it is renamed in
            self.db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
        else:  # the corpus itself: every transaction whole or not at all, even on power loss
            self.db.executescript("PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;")
        self.db.executescript("PRAGMA cache_size=-16000; PRAGMA temp_store=FILE;")
        self.db.executescript(_TABLES)
        self.db.execute("BEGIN")
        if self.meta("corpus") is None:  # names this database: outputs made from another are all stale
            self.set_meta("corpus", uuid.uuid4().hex)
        self.corpus: str = self.meta("corpus") or ""
        self.generation = int(self.meta("generation") or 0)
        self.merged = Merged()
        self.committed = False
        self._touched: set[str] = set()

    # ----- bookkeeping -------------------------------------------------------------------

    def meta(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_meta(self, name: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    def next_generation(self) -> int:
        """Start this run's generation (kept only if something it changed is committed)."""
        self.generation += 1
        self.set_meta("generation", str(self.generation))
        return self.generation

    def touch(self, part: str) -> None:
        """Output month ``part`` must be written again: marked with this generation at the next commit."""
        self._touched.add(part)

    def parts(self) -> dict[str, int]:
        """Every output month and the generation that last changed it."""
        return dict(self.db.execute("SELECT name, changed FROM parts"))

    def feed(self, path: str) -> tuple[int, int, int, str] | None:
        """(offset, size, mtime_ns, fingerprint) of a feed merged before, or None."""
        return self.db.execute("SELECT offset, size, mtime_ns, fingerprint FROM feeds WHERE path = ?", (path,)).fetchone()

    def set_feed(self, path: str, offset: int, size: int, mtime_ns: int, fingerprint: str, records: int, bad: int, reset: bool) -> None:
        old = (0, 0) if reset else (self.db.execute("SELECT records, bad FROM feeds WHERE path = ?", (path,)).fetchone() or (0, 0))
        self.db.execute(
            "INSERT OR REPLACE INTO feeds VALUES (?, ?, ?, ?, ?, ?, ?)",
            (path, offset, size, mtime_ns, fingerprint, old[0] + records, old[1] + bad),
        )

    def feeds(self) -> list[tuple[str, int, int]]:
        return self.db.execute("SELECT path, records, bad FROM feeds ORDER BY path").fetchall()

    def commit(self) -> None:
        """Commit what was merged with the months it changed, in one transaction."""
        self.db.executemany(
            "INSERT INTO parts VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET changed = excluded.changed",
            [(p, self.generation) for p in sorted(self._touched)],
        )
        self._touched.clear()
        self.db.execute("COMMIT")
        self.committed = True
        self.db.execute("BEGIN")

    def close(self) -> None:
        self.commit()
        self.db.execute("COMMIT")
        self.db.close()

    def abort(self) -> None:
        """Drop what was not committed (a failed run; or a run that found nothing to merge)."""
        with contextlib.suppress(sqlite3.Error):  # none open: a failure inside COMMIT ended it
            self.db.execute("ROLLBACK")
        self.db.close()

    # ----- merging -----------------------------------------------------------------------

    def add(self, raw: dict[str, Any]) -> None:
        """Merge one record from a feed."""
        record = prepared(raw)
        self.merged.records += 1
        akey = identity(record)
        captured = captured_at(record)
        captured_sort = sort_key(parse_time(captured))
        digest = record["content_hash"]
        blob = orjson.dumps(record)
        published = sort_key(parse_time(record.get("published_at")))
        row = self.db.execute(
            "SELECT id, captured, content_hash, first_seen_sort, published_sort, order_time, part, url FROM articles WHERE akey = ?",
            (akey,),
        ).fetchone()
        if row is None:
            order = published or captured_sort
            cur = self.db.execute(
                "INSERT INTO articles (akey, site, url, captured, content_hash, record, first_seen, first_seen_sort,"
                " published_sort, order_time, part) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (akey, site_of(record), record["url"], captured_sort, digest, blob, captured, captured_sort,
                 published, order, partition(order)),
            )
            self.touch(partition(order))
            self.merged.new += 1
            self._version(cur.lastrowid, digest, captured_sort, record, new_article=True)
            return
        aid, old_captured, old_hash, first_sort, old_published, old_order, part, old_url = row
        updates: dict[str, Any] = {}
        newer = (captured_sort, digest) > (old_captured, old_hash)
        if (captured_sort, digest) == (old_captured, old_hash):  # the same capture twice (JSONL and CSV): any order, one winner
            newer = blob > self.db.execute("SELECT record FROM articles WHERE id = ?", (aid,)).fetchone()[0]
        if newer:
            updates.update(url=record["url"], site=site_of(record), captured=captured_sort, content_hash=digest,
                           record=blob, published_sort=published)
            old_published = published
        if captured_sort and (not first_sort or captured_sort < first_sort):
            updates.update(first_seen=captured, first_seen_sort=captured_sort)
            first_sort = captured_sort
        order = old_published or first_sort
        if order != old_order:
            updates["order_time"] = order
            if partition(order) != part:  # moved to another month: both files change
                self.touch(part)
                part = updates["part"] = partition(order)
        if updates.get("content_hash", old_hash) != old_hash or "order_time" in updates:
            updates["dirty"] = 1  # its near-duplicates are looked for again
        if updates:
            names = ", ".join(f"{k} = ?" for k in updates)
            self.db.execute(f"UPDATE articles SET {names} WHERE id = ?", (*updates.values(), aid))
        if updates.get("url", old_url) != old_url:  # the articles naming it as their original show its address
            for (other,) in self.db.execute("SELECT DISTINCT part FROM articles WHERE dup_of = ?", (aid,)).fetchall():
                self.touch(other)
        self.touch(part)  # merged again, changed or not: rewriting its month is cheap, missing a change is not
        self._version(aid, digest, captured_sort, record)

    def _version(self, aid: int, digest: str, captured_sort: str, record: dict[str, Any], new_article: bool = False) -> None:
        """Keep the body ``digest`` of article ``aid`` with its earliest capture."""
        values = (aid, digest, captured_sort, record.get("fetched_at"), record.get("archived_at"), record["url"],
                  record.get("title"), record.get("body_text") or "")
        if self.db.execute("INSERT OR IGNORE INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values).rowcount:
            if not new_article:
                self.merged.revised += 1
                self.db.execute("UPDATE articles SET revisions = revisions + 1 WHERE id = ?", (aid,))
            return
        self.db.execute(
            "UPDATE versions SET captured = ?, fetched_at = ?, archived_at = ?, url = ?, title = ?"
            " WHERE id = ? AND content_hash = ? AND captured > ?",
            (captured_sort, *values[3:7], aid, digest, captured_sort),
        )

    # ----- reading -----------------------------------------------------------------------

    def articles(self, part: str) -> Iterator[tuple[int, str, str, bytes, int, str | None, str | None, str]]:
        """(id, site, url, record, revisions, first_seen, near-duplicate's url, content hash) of one
        output month, in order."""
        yield from self.db.execute(
            "SELECT a.id, a.site, a.url, a.record, a.revisions, a.first_seen, d.url, a.content_hash FROM articles a"
            " LEFT JOIN articles d ON d.id = a.dup_of WHERE a.part = ? ORDER BY a.order_time, a.akey",
            (part,),
        )

    def earlier_versions(self, aid: int, latest: str) -> list[tuple[str, str, str | None, str | None, str | None, str]]:
        """The article's bodies other than ``latest``, oldest first: (hash, captured, fetched_at,
        archived_at, title, body_text)."""
        return self.db.execute(
            "SELECT content_hash, captured, fetched_at, archived_at, title, body_text FROM versions"
            " WHERE id = ? AND content_hash != ? ORDER BY captured, content_hash",
            (aid, latest),
        ).fetchall()

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
