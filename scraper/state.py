"""Incremental crawl state in an embedded SQLite file.

An article is *done* only once its record is safely in the output. Writing follows a
small journal: a *checkpoint* notes where each feed file ends → records are appended and
*staged* → the next checkpoint marks them done and moves the journal, in one transaction
(every 100 records or 2 s, not one transaction per record). A kill in between leaves the
journal's offsets behind; ``recover`` reads the feeds from there: records whole in every
feed are marked done, anything after them is cut off, so a restart neither repeats nor
loses an article and every earlier line stays intact.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .errors import Refused
from .pages.listing import ListingEntry, merge_entry
from .urls import site_key, site_of
from .walks import WalkLedger

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
CREATE TABLE IF NOT EXISTS walks (          -- a category walk that ended with every listed article captured
    walk TEXT PRIMARY KEY,                  -- host/category alias
    started_at TEXT NOT NULL                -- when that walk began
);
CREATE TABLE IF NOT EXISTS pending (        -- a record being appended: where each feed file ended
    article_key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    files TEXT NOT NULL                       -- JSON [[path, format, offset], ...]
);
"""


#: The journal's row in ``pending``: where each feed ended at the last checkpoint.
JOURNAL = "@journal"


#: The state's layout (``PRAGMA user_version``): 1 keys articles by site (``urls.site_key``).
VERSION = 1


def _migrate(db: sqlite3.Connection) -> None:
    """Bring an older state to ``VERSION`` in one transaction: a state from before keys named
    their site gets each key prefixed with its own address's site, so nothing captured is
    fetched again."""
    if db.execute("PRAGMA user_version").fetchone()[0] >= VERSION:
        return
    db.create_function("site_of", 1, site_of, deterministic=True)
    db.execute("BEGIN IMMEDIATE")
    try:
        for table in ("articles", "gone", "pending"):
            db.execute(
                f"UPDATE {table} SET article_key = site_of(url) || ' ' || article_key "
                f"WHERE article_key != ? AND instr(article_key, ' ') = 0", (JOURNAL,)
            )
        db.execute(f"PRAGMA user_version = {VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _chunks(keys: list[str], size: int = 500) -> Iterator[tuple[list[str], str]]:
    """``keys`` in runs of at most ``size``, each with its "?,?,…" for an ``IN (…)``: SQLite
    limits the parameters of one statement."""
    for i in range(0, len(keys), size):
        chunk = keys[i : i + size]
        yield chunk, ",".join("?" * len(chunk))


#: Page cache of each SQLite database a crawl keeps (the state, and the run's TEMP tables), in KiB.
#: SQLite's default, 2 MiB each, filled up between a 2,000 and a 20,000-article crawl, 4 MiB of its
#: peak RSS (bench/crawl.py's replica: 115-116 -> 111-112 MiB at 20,000 articles). The tables are
#: read by key and in order: no measurable time lost (wall 41.8 and 47.2 s against 50.2 and 42.5 s).
CACHE_KIB = 512


def _temp_tables(db: sqlite3.Connection, *statements: str) -> None:
    """A run's TEMP tables made on ``db``, their page cache ``CACHE_KIB``: wherever the run keeps
    them (beside the state, on a Redis worker's private database, on a state-less crawl's)."""
    for statement in statements:
        db.execute(statement)
    db.execute(f"PRAGMA temp.cache_size = -{CACHE_KIB}")


class FoundTable:
    """This run's articles found by the listings, merged, in a TEMP table of a SQLite connection:
    on disk beside the state, not in the spider (300,000 rows: a process of 23 MiB). Held in a
    dict and a set, then as one request each (``NukeVietSpider.top_up``), they were 58 MiB of
    Python heap when a 20,000-article crawl turned to its articles (tracemalloc), about 3 KB an
    article; that crawl's peak RSS went from 193-197 MiB to 147-156 MiB (bench/crawl.py).
    TEMP: gone with the run; a killed run's restart walks its categories anew anyway.

    A row is requested at most once: ``take`` hands out rows in the order they were found and
    moves a cursor past them (rowids only grow; nothing is deleted). A row not yet taken merges
    every later listing's entry by ``merge_entry`` (a maximum per fact: the order of listings
    never matters); a taken one ignores them, as its request already left.
    """

    _COLUMNS = "rowid, key, url, title, published_raw, views_raw, walk"

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        _temp_tables(
            db, "CREATE TEMP TABLE IF NOT EXISTS found (key TEXT PRIMARY KEY, url TEXT NOT NULL, title TEXT, "
            "published_raw TEXT, views_raw TEXT, walk TEXT)"
        )
        self.cursor = 0  #: rowid of the last row taken
        self.added = 0  #: rows found this run
        self.taken = 0  #: rows handed out to be requested

    @classmethod
    def private(cls) -> FoundTable:
        """On a private temporary database (deleted when closed, or when the process dies)."""
        return cls(sqlite3.connect("", isolation_level=None))

    def add(self, entries: Iterable[tuple[str, ListingEntry]], walk: str | None) -> None:
        """One listing's articles by key, found by ``walk`` (None: a home page, sitemap, RSS)."""
        batch: dict[str, ListingEntry] = {}
        for key, entry in entries:
            if key in batch:
                merge_entry(batch[key], entry)
            else:
                batch[key] = ListingEntry(entry.url, entry.title, entry.published_raw, entry.views_raw)
        if not batch:
            return
        rows = {}
        keys = list(batch)
        for chunk, marks in _chunks(keys):
            rows.update((row[1], row) for row in self.db.execute(
                f"SELECT {self._COLUMNS} FROM temp.found WHERE key IN ({marks})", chunk))
        new, merged = [], []
        for key, entry in batch.items():
            row = rows.get(key)
            if row is None:
                new.append((key, entry.url, entry.title, entry.published_raw, entry.views_raw, walk))
            elif row[0] > self.cursor:  # not requested yet
                into = ListingEntry(*row[2:6])
                merge_entry(into, entry)
                if (into.title, into.published_raw, into.views_raw) != row[3:6] or (row[6] is None and walk):
                    merged.append((into.title, into.published_raw, into.views_raw, row[6] or walk, row[0]))
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT INTO temp.found VALUES (?, ?, ?, ?, ?, ?)", new)
            self.db.executemany(
                "UPDATE temp.found SET title = ?, published_raw = ?, views_raw = ?, walk = ? WHERE rowid = ?", merged)
        self.added += len(new)

    def take(self, n: int) -> list[tuple[str, ListingEntry, str | None]]:
        """The next ``n`` articles not yet requested, as (key, merged entry, walk), in the order found."""
        rows = self.db.execute(
            f"SELECT {self._COLUMNS} FROM temp.found WHERE rowid > ? ORDER BY rowid LIMIT ?", (self.cursor, n)
        ).fetchall()
        if rows:
            self.cursor = rows[-1][0]
            self.taken += len(rows)
        return [(row[1], ListingEntry(*row[2:6]), row[6]) for row in rows]

    def waiting(self) -> int:
        """Articles found and not yet requested."""
        return self.added - self.taken

    def __contains__(self, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM temp.found WHERE key = ?", (key,)).fetchone() is not None


class WrittenTable:
    """What this run wrote, for ``DedupPipeline``: article keys, and the first address of each body
    (by content hash). TEMP tables of a SQLite connection, so a long run's memory does not grow
    with them (a set and a dict held 2.4 MiB of tables at 20,000 articles, their strings
    besides); two statements an article, 14 us."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        _temp_tables(
            db, "CREATE TEMP TABLE IF NOT EXISTS written (key TEXT PRIMARY KEY) WITHOUT ROWID",
            "CREATE TEMP TABLE IF NOT EXISTS bodies (hash TEXT PRIMARY KEY, url TEXT NOT NULL) WITHOUT ROWID",
        )

    @classmethod
    def private(cls) -> WrittenTable:
        """On a private in-memory database: for a pipeline run without a state."""
        return cls(sqlite3.connect(":memory:", isolation_level=None))

    def first(self, key: str) -> bool:
        """Whether ``key`` is written for the first time in this run (it is remembered)."""
        return self.db.execute("INSERT OR IGNORE INTO temp.written VALUES (?)", (key,)).rowcount == 1

    def first_with_body(self, content_hash: str, url: str) -> str:
        """The address first written with this body in this run: ``url`` itself the first time."""
        if self.db.execute("INSERT OR IGNORE INTO temp.bodies VALUES (?, ?)", (content_hash, url)).rowcount == 1:
            return url
        return self.db.execute("SELECT url FROM temp.bodies WHERE hash = ?", (content_hash,)).fetchone()[0]


class StateDamaged(Refused):
    """The state file cannot be trusted: the run must not start (or go on) on it."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"the state file {path} is damaged or unusable ({detail}): restore it from a backup, or move it aside and "
            f"rebuild it from the feeds with: python -m scraper state rebuild {path.parent} --state {path}"
        )


class StateStore:
    """Which articles are already captured; shared by the spider (what to skip) and the writer."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # WAL with synchronous=NORMAL: a killed process loses nothing committed (the OS holds the WAL).
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            # quick_check reads every page, once a run: 4.6 ms at 20,000 articles, 0.2 s at 500,000
            problems = [row[0] for row in self.db.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                detail = " ".join(" ".join(problems).split())
                raise StateDamaged(self.path, detail if len(detail) <= 160 else detail[:157] + "...")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute(f"PRAGMA main.cache_size = -{CACHE_KIB}")
            self.db.executescript(_SCHEMA)
            _migrate(self.db)
        except sqlite3.DatabaseError as exc:  # not a database, encrypted, truncated
            raise StateDamaged(self.path, str(exc)) from None
        self.staged: list[tuple[str, str, str | None, str | None]] = []
        #: This run's found articles and written records: TEMP tables beside the state, gone with the run.
        self.found = FoundTable(self.db)
        self.written = WrittenTable(self.db)

    # -- reading ------------------------------------------------------------------------------
    def known(self, keys: Iterable[str]) -> set[str]:
        """Keys already captured, or gone (404/410) recently enough not to ask again."""
        keys = [k for k in keys if k]
        if not keys:
            return set()
        found: set[str] = set()
        now = _now()
        for chunk, marks in _chunks(keys):
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

    def captured_before(self, keys: Iterable[str], when: str) -> bool:
        """Whether any of ``keys`` was first captured before ``when`` (a ``walks`` time)."""
        keys = [k for k in keys if k][:500]
        marks = ",".join("?" * len(keys))
        return bool(keys) and self.db.execute(
            f"SELECT 1 FROM articles WHERE article_key IN ({marks}) AND first_seen < ? LIMIT 1", [*keys, when]
        ).fetchone() is not None

    # -- category walks (see ``walks``) ------------------------------------------------------
    def ledger(self) -> WalkLedger:
        return WalkLedger()

    def open_walk(self, walk: str) -> str | None:
        """When the last completed walk of ``walk`` began, and that mark removed: a walk now
        under way proves nothing until it completes (a kill leaves no mark behind)."""
        with self.db:
            self.db.execute("BEGIN")
            row = self.db.execute("SELECT started_at FROM walks WHERE walk = ?", (walk,)).fetchone()
            self.db.execute("DELETE FROM walks WHERE walk = ?", (walk,))
        return row[0] if row else None

    def complete_walks(self, walks: list[tuple[str, str]]) -> None:
        """Mark walks complete, as (walk, when it began): after the records they captured."""
        if self.staged:
            self.checkpoint(None)
        if walks:
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("INSERT OR REPLACE INTO walks VALUES (?, ?)", walks)

    # -- the write journal --------------------------------------------------------------------
    def stage(self, key: str, url: str, content_hash: str | None, output: str | None) -> None:
        """A record now whole in every feed; marked done at the next checkpoint."""
        self.staged.append((key, url, content_hash, output))

    def checkpoint(self, files: list[tuple[str, str, int]] | None) -> None:
        """One transaction: the staged records done, and the journal moved to the feeds' ends.

        ``files`` is each feed's (path, format, size) now; None closes the journal (end of run).
        """
        now = _now()
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(article_key) DO UPDATE SET "
                "url=excluded.url, content_hash=excluded.content_hash, output=excluded.output, last_seen=excluded.last_seen",
                [(key, url, content_hash, output, now, now) for key, url, content_hash, output in self.staged],
            )
            if files is None:
                self.db.execute("DELETE FROM pending WHERE article_key = ?", (JOURNAL,))
            else:
                self.db.execute("INSERT OR REPLACE INTO pending VALUES (?, '', ?)", (JOURNAL, json.dumps(files)))
        self.staged.clear()

    def recover(self) -> tuple[int, int]:
        """Settle what a killed run wrote after its last checkpoint: (confirmed, discarded).

        Records whole in every feed are marked done; anything after them is cut off, and
        those articles are fetched again.
        """
        confirmed = discarded = 0
        for key, files in self.db.execute("SELECT article_key, files FROM pending").fetchall():
            whole, cut = settle(json.loads(files))
            self.staged.extend((k, url, None, output) for k, url, output in whole)
            confirmed += len(whole)
            discarded += cut
            self.db.execute("DELETE FROM pending WHERE article_key = ?", (key,))
        self.checkpoint(None)
        if confirmed or discarded:
            logger.warning("state: recovered a killed run's writes: %d confirmed, %d discarded", confirmed, discarded)
        return confirmed, discarded

    def adopt_unsited(self, site: str) -> int:
        """Keys from before keys named their site got it from their own address when the state
        opened (``_migrate``): nothing left to adopt (see ``RedisStateStore.adopt_unsited``)."""
        return -1

    def close(self) -> None:
        if self.staged:  # written but not yet checkpointed: they are in the feeds
            self.checkpoint(None)
        self.db.close()


def record_key(record: dict) -> str:
    """A written record's key (see ``urls.site_key``); an archived copy is one capture of it."""
    key = site_key(record["url"] or "")
    return f"{key}@{record['archived_at']}" if record.get("archived_at") else key


def records_after(path: Path, fmt: str, offset: int) -> tuple[list[tuple[str, str, int]], bool]:
    """The whole records in ``path`` after ``offset``, as (key, url, end offset), and whether
    something unfinished follows them (a cut line, a half CSV row, a line that does not parse)."""
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            tail = fh.read()
    except OSError:
        return [], False
    found: list[tuple[str, str, int]] = []
    start = scan = 0
    header = None if offset == 0 else _csv_header(path) if fmt == "csv" else None
    while (nl := tail.find(b"\n", scan)) >= 0:
        chunk = tail[start : nl + 1]
        scan = nl + 1
        if fmt == "csv" and chunk.count(b'"') % 2:  # a line break inside a quoted cell
            continue
        try:
            if fmt == "csv":
                row = next(csv.reader(io.StringIO(chunk.decode("utf-8")), strict=True))
                if header is None:  # the header went out in one write with the first row
                    header, start = row, scan
                    continue
                if len(row) != len(header):
                    break
                record = dict(zip(header, row, strict=True))
                record["archived_at"] = record.get("archived_at") or None
            else:
                record = json.loads(chunk)
            found.append((record_key(record), record["url"], offset + scan))
        except (ValueError, KeyError, TypeError, AttributeError, StopIteration, csv.Error):
            break
        start = scan
    return found, start < len(tail)


def settle(files: list[tuple[str, str, int]]) -> tuple[list[tuple[str, str, str]], int]:
    """After a kill: the records whole in every feed since the journal's offsets, as
    (key, url, first feed's path); every feed is cut back to just after them.

    Returns those records and how many partial or unmatched records were cut off.
    """
    found = [records_after(Path(path), fmt, offset) for path, fmt, offset in files]
    n = 0  # the feeds are written in the same order: whole in all = the common prefix
    while all(n < len(recs) for recs, _ in found) and len({recs[n][0] for recs, _ in found}) == 1:
        n += 1
    cut = 0
    for (path, _, offset), (recs, partial) in zip(files, found, strict=True):
        _truncate(Path(path), recs[n - 1][2] if n else offset)
        cut = max(cut, len(recs) - n + partial)
    first = found[0][0] if found else []
    return [(key, url, str(files[0][0])) for key, url, _ in first[:n]], cut


def rebuild(feeds: Path, path: Path) -> tuple[int, int, Path | None]:
    """A new state at ``path`` from the records in the feeds under ``feeds`` (JSON Lines and CSV):
    every article written there counts as captured. A state already at ``path`` is moved aside,
    not deleted. Returns (articles, feed files read, where the old state went).

    Walk marks are not rebuilt: the next run walks every category to its end once.
    """
    aside = None
    if path.exists():
        aside = path.with_name(f"{path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        path.rename(aside)
    for suffix in ("-wal", "-shm"):  # the old database's journal files belong to it
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(aside.with_name(aside.name + suffix) if aside else side.with_suffix(".orphan"))
    state = StateStore(path)
    files = 0
    for feed in sorted(p for p in feeds.rglob("*") if p.suffix in (".jsonl", ".csv") and p.is_file()):
        found, _ = records_after(feed, feed.suffix[1:], 0)
        files += bool(found)
        for key, url, _ in found:
            state.stage(key, url, None, str(feed))
    articles = len({key for key, *_ in state.staged})
    state.close()
    return articles, files, aside


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
