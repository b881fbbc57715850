"""``python -m scraper corpus SRC --to DEST``: merge what is new under SRC into the corpus in DEST.

A run copies DEST's database into a temporary folder beside DEST, merges the feed bytes not merged
before, looks for near-duplicates of what changed, writes every output there and swaps the folder
in (``atomic.py``): a kill or a failure at any point leaves DEST as it was. Reading and hashing are
proportional to the new feeds; writing the outputs is a sequential pass over the corpus.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson

from . import atomic, neardup
from .card import ATTRIBUTION, PORTAL, Made, card
from .html_report import write_html
from .overview import corpus_page
from .parquet import write_parquet
from .sources import CORPUS_MARK, Read, feed_files, fingerprint, read_records
from .stats import CorpusStats
from .store import FORMAT, Store

ARTICLES, REVISIONS, PARQUET, CARD, REPORT = "articles.jsonl", "revisions.jsonl", "articles.parquet", "README.md", "report.html"
#: What a corpus was built with: another value means its stored signatures and flags no longer hold.
PARAMS = {
    "format": str(FORMAT), "shingle": str(neardup.SHINGLE), "num_perm": str(neardup.NUM_PERM),
    "threshold": str(neardup.THRESHOLD), "min_words": str(neardup.MIN_WORDS), "seed": str(neardup.SEED),
}
_COMMIT_EVERY = 2000
_LINE = orjson.OPT_APPEND_NEWLINE


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
    full: bool = True
    unchanged: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


def build(src: Path, dest: Path, full: bool = False) -> Outcome:
    """Merge SRC's feeds into DEST (new feed bytes only, unless ``full`` or DEST has none)."""
    src, dest = src.resolve(), dest.resolve()
    with atomic.locked(dest):
        atomic.recover(dest)
        if not full and (same := _up_to_date(src, dest)) is not None:
            return same
        work = atomic.workdir(dest)
        try:
            outcome = _build(src, dest, work, full)
            if outcome.unchanged:
                shutil.rmtree(work)
            else:
                atomic.swap_in(work, dest)
            return outcome
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise


def _up_to_date(src: Path, dest: Path) -> Outcome | None:
    """An outcome saying DEST is up to date when every feed under SRC is the size and age it was
    when merged (DEST's database read in place, read-only: a run with nothing new copies nothing);
    None when there may be something to merge."""
    if not all((dest / name).is_file() for name in (CORPUS_MARK, ARTICLES, PARQUET, CARD, REPORT)):
        return None
    db = sqlite3.connect(f"{(dest / CORPUS_MARK).as_uri()}?mode=ro", uri=True)
    try:
        if dict(db.execute("SELECT name, value FROM meta").fetchall()) != PARAMS:
            return None
        ledger = {path: (size, mtime) for path, size, mtime in db.execute("SELECT path, size, mtime_ns FROM feeds")}
        feeds = feed_files(src, skip=dest)
        for path in feeds:
            st = path.stat()
            if ledger.get(path.relative_to(src).as_posix()) != (st.st_size, st.st_mtime_ns):
                return None
        return Outcome(articles=db.execute("SELECT COUNT(*) FROM articles").fetchone()[0], feeds=len(feeds), full=False, unchanged=True)
    except sqlite3.Error:
        return None
    finally:
        db.close()


def _build(src: Path, dest: Path, work: Path, full: bool) -> Outcome:
    clock = time.perf_counter()
    outcome = Outcome()
    db_path = work / CORPUS_MARK
    reuse = not full and (dest / CORPUS_MARK).is_file()
    if reuse:
        shutil.copyfile(dest / CORPUS_MARK, db_path)
    store = Store(db_path)
    if reuse and any(store.meta(k) != v for k, v in PARAMS.items()):  # built otherwise: start again
        store.close()
        db_path.unlink()
        store, reuse = Store(db_path), False
    outcome.full = not reuse
    for k, v in PARAMS.items():
        store.set_meta(k, v)
    outcome.seconds["copy"] = time.perf_counter() - clock

    clock = time.perf_counter()
    _merge(store, src, dest, outcome)
    outcome.seconds["merge"] = time.perf_counter() - clock
    if not outcome.full and not outcome.records and all((dest / name).is_file() for name in (ARTICLES, PARQUET, CARD, REPORT)):
        outcome.unchanged = True
        outcome.articles = store.count()
        store.close()
        return outcome

    clock = time.perf_counter()
    outcome.looked_again = neardup.NearDuplicates(store).refresh()
    outcome.seconds["near-duplicates"] = time.perf_counter() - clock

    clock = time.perf_counter()
    built_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    stats = _write(store, work)
    feeds = store.feeds()
    made = Made(f"python -m scraper corpus {src.name} --to {dest.name}", built_at, len(feeds),
                sum(r for _, r, _ in feeds), sum(b for _, _, b in feeds))
    (work / CARD).write_text(card(stats, made, dest.name), "utf-8")
    write_html(corpus_page(stats, feeds, built_at), work / REPORT)
    store.close()
    outcome.articles, outcome.near_duplicates = stats.articles, stats.near_duplicates
    outcome.seconds["write"] = time.perf_counter() - clock
    return outcome


def _merge(store: Store, src: Path, dest: Path, outcome: Outcome) -> None:
    """Merge every feed byte under SRC not merged before."""
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


def _write(store: Store, work: Path) -> CorpusStats:
    """articles.jsonl and revisions.jsonl in one pass over the store (each line the stored record
    with the merge's fields appended, no parsing), then articles.parquet from it, counting."""
    stats = CorpusStats()
    with (work / ARTICLES).open("wb") as articles, (work / REVISIONS).open("wb") as revisions:
        for aid, site, url, blob, count, first_seen, dup_url, digest in store.articles():
            line = b"".join((
                blob[:-1], b',"revision_count":', str(count).encode(), b',"first_seen_at":', orjson.dumps(first_seen),
                b',"near_duplicate_of":', orjson.dumps(dup_url), b"}\n",
            ))
            articles.write(line)
            if count > 1:
                for h, _, fetched_at, archived_at, title, body in store.earlier_versions(aid, digest):
                    revisions.write(orjson.dumps({
                        "site": site, "url": url, "content_hash": h, "fetched_at": fetched_at,
                        "archived_at": archived_at, "title": title, "body_text": body,
                    }, option=_LINE))
                    stats.earlier_versions += 1
    metadata = {"source": f"https://{PORTAL}/", "attribution": ATTRIBUTION}
    write_parquet(work / ARTICLES, work / PARQUET, metadata, stats.add_batch)
    return stats
