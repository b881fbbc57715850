"""``python -m scraper corpus SRC --to DEST``: merge what is new under SRC into the corpus in DEST.

A run merges the feed bytes not merged before into DEST's database, in place and in transactions
(``store.py``), looks for near-duplicates of what changed, then writes again the output months that
changed, the card and the report, and last ``manifest.json`` (``outputs.py``). Reading, hashing and
writing follow the new feeds, not the history (``bench/corpus.py``).

A kill or failure at any point leaves a DEST a reader can use: the database rolls back its open
transaction; the output folders are swapped in whole or not at all; a manifest older than the
database makes the next run write every month changed since. A first build, ``--full`` or a corpus
built with other settings builds a new database under a temporary name in DEST and renames it over
the old one before writing every month (the old files stay readable meanwhile).
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import atomic, neardup, outputs
from .card import ATTRIBUTION, PORTAL, Made, card
from .html_report import render
from .overview import corpus_page
from .sources import CORPUS_MARK, Read, feed_files, fingerprint, read_records
from .stats import CorpusStats
from .store import FORMAT, Store

#: What a corpus was built with: another value means its stored signatures and flags no longer hold.
PARAMS = {
    "format": str(FORMAT), "shingle": str(neardup.SHINGLE), "num_perm": str(neardup.NUM_PERM),
    "threshold": str(neardup.THRESHOLD), "min_words": str(neardup.MIN_WORDS), "seed": str(neardup.SEED),
}
_COMMIT_EVERY = 2000
_METADATA = {"source": f"https://{PORTAL}/", "attribution": ATTRIBUTION}


@dataclass
class Outcome:
    """What a build did, for its one-line summary and the benchmark."""

    articles: int = 0
    new: int = 0
    revised: int = 0
    records: int = 0
    feeds: int = 0
    feeds_read: int = 0
    bytes_read: int = 0
    unreadable: int = 0
    near_duplicates: int = 0
    looked_again: int = 0
    months: int = 0
    months_written: int = 0
    full: bool = True
    unchanged: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


def build(src: Path, dest: Path, full: bool = False) -> Outcome:
    """Merge SRC's feeds into DEST (new feed bytes only, unless ``full`` or DEST has none)."""
    src, dest = src.resolve(), dest.resolve()
    with atomic.locked(dest):
        atomic.recover(dest, outputs.FOLDERS)
        clock = time.perf_counter()
        if not full and (same := _up_to_date(src, dest)) is not None:
            same.seconds["check"] = time.perf_counter() - clock
            return same
        dest.mkdir(parents=True, exist_ok=True)
        outcome = Outcome()
        store = _merged(src, dest, full, outcome)
        try:
            _write(store, src, dest, outcome)
        finally:
            store.abort()  # read only since the merge: nothing to keep
        return outcome


def _meta(db_path: Path) -> dict[str, str] | None:
    """The database's settings and names, read in place; None when there is none or it cannot be
    read. Opened for writing: a transaction a kill left open is rolled back here, by SQLite."""
    if not db_path.is_file():
        return None
    try:
        db = sqlite3.connect(db_path)
        try:
            return dict(db.execute("SELECT name, value FROM meta").fetchall())
        finally:
            db.close()
    except sqlite3.Error:
        return None


def _reusable(meta: dict[str, str] | None) -> bool:
    return meta is not None and "corpus" in meta and all(meta.get(k) == v for k, v in PARAMS.items())


def _up_to_date(src: Path, dest: Path) -> Outcome | None:
    """An outcome saying DEST is up to date when its outputs are at the database's generation and
    every feed under SRC is the size and age it was when merged (nothing written: a run with nothing
    new changes nothing); None when there may be something to do."""
    db_path = dest / CORPUS_MARK
    meta = _meta(db_path)
    manifest = outputs.read_manifest(dest)
    if not _reusable(meta) or manifest is None or meta is None:
        return None
    if (manifest.corpus, manifest.generation) != (meta["corpus"], int(meta.get("generation", 0))) or not manifest.complete(dest):
        return None
    db = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)
    try:
        ledger = {path: (size, mtime) for path, size, mtime in db.execute("SELECT path, size, mtime_ns FROM feeds")}
    except sqlite3.Error:
        return None
    finally:
        db.close()
    feeds = feed_files(src, skip=dest)
    for path in feeds:
        st = path.stat()
        if ledger.get(path.relative_to(src).as_posix()) != (st.st_size, st.st_mtime_ns):
            return None
    return Outcome(articles=manifest.total().articles, feeds=len(feeds), months=len(manifest.months), full=False, unchanged=True)


def _merged(src: Path, dest: Path, full: bool, outcome: Outcome) -> Store:
    """DEST's database with SRC's new feed bytes merged and near-duplicates looked for, committed;
    open for reading. Merged in place, or (``full``, first build, other settings) built new under a
    temporary name and renamed over the old one."""
    clock = time.perf_counter()
    db_path = dest / CORPUS_MARK
    in_place = _reusable(_meta(db_path)) and not full  # read first in any case: a killed run's transaction is rolled back
    outcome.full = not in_place
    path = db_path if in_place else atomic.tmp_path(db_path)
    store = Store(path, private=not in_place)
    try:
        store.next_generation()
        for k, v in PARAMS.items():
            store.set_meta(k, v)
        outcome.seconds["open"] = time.perf_counter() - clock

        clock = time.perf_counter()
        _merge(store, src, dest, outcome)
        outcome.seconds["merge"] = time.perf_counter() - clock

        clock = time.perf_counter()
        outcome.looked_again = neardup.NearDuplicates(store).refresh()
        outcome.seconds["near-duplicates"] = time.perf_counter() - clock
        if in_place and not store.committed:
            store.abort()  # nothing merged: no new generation
        else:
            store.close()
    except BaseException:
        store.abort()
        if not in_place:
            path.unlink(missing_ok=True)
        raise
    if not in_place:
        atomic.fsync(path)
        for suffix in ("-journal", "-wal", "-shm"):  # an unreadable old database's: never to be applied to the new one
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.replace(path, db_path)
        atomic.fsync(dest)
    return Store(db_path)


def _merge(store: Store, src: Path, dest: Path, outcome: Outcome) -> None:
    """Merge every feed byte under SRC not merged before (each feed's records committed with how
    far it was read, so a killed run's next one reads on from there)."""
    for path in feed_files(src, skip=dest):
        outcome.feeds += 1
        name = path.relative_to(src).as_posix()
        st = path.stat()
        known = store.feed(name)
        offset, reset = 0, True
        if known:
            k_offset, k_size, k_mtime, k_print = known
            if st.st_size == k_size and st.st_mtime_ns == k_mtime:
                continue  # untouched since it was merged
            if st.st_size >= k_offset and fingerprint(path, k_offset) == k_print:
                offset, reset = k_offset, False  # appended to: read on from where the last run stopped
            # else rewritten in place: read it all again (merging a record twice changes nothing)
        read = Read(offset)
        for record in read_records(path, offset, read):
            store.add(record)
            if read.records % _COMMIT_EVERY == 0:
                store.commit()
        after = path.stat()
        store.set_feed(name, read.offset, after.st_size, after.st_mtime_ns, fingerprint(path, read.offset), read.records, read.bad, reset)
        store.commit()
        outcome.feeds_read += 1
        outcome.bytes_read += read.bytes
        outcome.unreadable += read.bad
    outcome.records, outcome.new, outcome.revised = store.merged.records, store.merged.new, store.merged.revised


def _write(store: Store, src: Path, dest: Path, outcome: Outcome) -> None:
    """Write the months the merge changed, the card and the report, then the manifest."""
    built_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    feeds = store.feeds()
    made = Made(f"python -m scraper corpus {src.name} --to {dest.name}", built_at, len(feeds),
                sum(r for _, r, _ in feeds), sum(b for _, _, b in feeds))

    def pages(stats: CorpusStats) -> dict[str, bytes]:
        return {outputs.CARD: card(stats, made, dest.name).encode(), outputs.REPORT: render(corpus_page(stats, feeds, built_at)).encode()}

    written = outputs.write(store, dest, pages, _METADATA, built_at)
    outcome.articles, outcome.near_duplicates = written.stats.articles, written.stats.near_duplicates
    outcome.months, outcome.months_written = written.months, written.written
    outcome.unchanged = not written.changed and not outcome.feeds_read
    outcome.seconds.update(written.seconds)
