"""DEST's data files, one per month (``records.partition``), and ``manifest.json`` saying what they hold.

    articles/<month>.parquet        every article ordered in that month, typed (pandas, DuckDB, datasets)
    jsonl/articles/<month>.jsonl    the same rows as JSON Lines
    jsonl/revisions/<month>.jsonl   the earlier bodies of that month's articles (months that have some)
    manifest.json                   written last: the database and generation the files are at, every
                                    file, and each month's counts (the card and report add these up)

By month so a re-run writes what changed, not the corpus: each run marks the months it changed with
its generation in the database (``store.py``); a month is written again when its mark is newer than
the manifest's generation, or the manifest is from another database (``--full``) or missing. Writing
every month was 2.6-2.8 s of a 4.8 s re-run at 20,000 articles; a nightly feed changes one (or two
at a month's turn), written in 0.05-0.07 s at 2,000 and at 20,000 articles (``bench/corpus.py``).

The two folders are staged beside their old selves (unchanged months hard-linked) and swapped in
whole (``atomic.py``): a reader sees every month of one run or every month of the other. A run
killed before its manifest leaves the old manifest, older than the database: the next run writes
again every month changed since then.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from . import atomic
from .parquet import write_parquet
from .stats import CorpusStats
from .store import Store

PARQUET, JSONL, MANIFEST = "articles", "jsonl", "manifest.json"
CARD, REPORT = "README.md", "report.html"
#: Pages made of the whole corpus's counts, written again by every run that changes anything.
PAGES = (CARD, REPORT)
#: The folders swapped in whole.
FOLDERS = (PARQUET, JSONL)
#: The single files of corpora built before the month layout: removed once the months are in.
LEGACY = ("articles.jsonl", "articles.parquet", "revisions.jsonl")
#: Bumped when the manifest or the layout changes: every month is then written again.
FORMAT = 1
_LINE = orjson.OPT_APPEND_NEWLINE


def files(month: str, stats: CorpusStats) -> list[str]:
    """The files holding one month, relative to DEST."""
    out = [f"{PARQUET}/{month}.parquet", f"{JSONL}/articles/{month}.jsonl"]
    if stats.earlier_versions:
        out.append(f"{JSONL}/revisions/{month}.jsonl")
    return out


@dataclass
class Manifest:
    corpus: str
    generation: int
    months: dict[str, CorpusStats] = field(default_factory=dict)

    def total(self) -> CorpusStats:
        """The whole corpus's counts: the months' added in order."""
        total = CorpusStats()
        for month in sorted(self.months):
            total.add(self.months[month])
        return total

    def complete(self, dest: Path) -> bool:
        """Every file it names is in DEST, with the card and report; none of an older layout is."""
        wanted = [f for month, stats in self.months.items() for f in files(month, stats)]
        return all((dest / f).is_file() for f in (*wanted, *PAGES)) and not any((dest / f).exists() for f in LEGACY)

    def to_bytes(self, built_at: str) -> bytes:
        return orjson.dumps({
            "format": FORMAT, "corpus": self.corpus, "generation": self.generation, "built_at": built_at,
            "files": [f for month in sorted(self.months) for f in files(month, self.months[month])],
            "months": {month: self.months[month].to_json() for month in sorted(self.months)},
        }, option=orjson.OPT_INDENT_2)


def read_manifest(dest: Path) -> Manifest | None:
    """DEST's manifest; None when it is missing, unreadable or of another format (all months stale)."""
    try:
        data = orjson.loads((dest / MANIFEST).read_bytes())
        if data.get("format") != FORMAT:
            return None
        return Manifest(str(data["corpus"]), int(data["generation"]),
                        {str(m): CorpusStats.from_json(s) for m, s in data["months"].items()})
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None


@dataclass
class Written:
    """What writing the outputs did."""

    stats: CorpusStats
    months: int = 0
    written: int = 0
    changed: bool = True
    seconds: dict[str, float] = field(default_factory=dict)


def _rows(store: Store, month: str, stats: CorpusStats) -> Iterator[tuple[bytes, list[bytes]]]:
    """Each article of the month as its JSON line (the stored record with the merge's fields
    appended, no parsing), with its earlier versions' lines."""
    for aid, site, url, blob, count, first_seen, dup_url, digest in store.articles(month):
        line = b"".join((
            blob[:-1], b',"revision_count":', str(count).encode(), b',"first_seen_at":', orjson.dumps(first_seen),
            b',"near_duplicate_of":', orjson.dumps(dup_url), b"}\n",
        ))
        earlier = []
        if count > 1:
            for h, _, fetched_at, archived_at, title, body in store.earlier_versions(aid, digest):
                earlier.append(orjson.dumps({
                    "site": site, "url": url, "content_hash": h, "fetched_at": fetched_at,
                    "archived_at": archived_at, "title": title, "body_text": body,
                }, option=_LINE))
                stats.earlier_versions += 1
        yield line, earlier


def _write_month(store: Store, month: str, jsonl: Path, parquet: Path, metadata: dict[str, str]) -> CorpusStats | None:
    """Write one month's three files into the staged folders; None when it has no articles now."""
    stats = CorpusStats()
    articles, revisions = jsonl / "articles" / f"{month}.jsonl", jsonl / "revisions" / f"{month}.jsonl"
    n = 0
    with articles.open("wb") as a, revisions.open("wb") as r:
        for line, earlier in _rows(store, month, stats):
            a.write(line)
            r.writelines(earlier)
            n += 1
    if not stats.earlier_versions:
        revisions.unlink()
    if not n:
        articles.unlink()
        return None
    write_parquet(articles, parquet / f"{month}.parquet", metadata, stats.add_batch)
    return stats


def write(store: Store, dest: Path, pages: Callable[[CorpusStats], dict[str, bytes]], metadata: dict[str, str],
          built_at: str) -> Written:
    """Bring DEST's outputs to the database's generation: the months changed since the manifest's,
    then the ``PAGES`` that ``pages`` makes of the whole corpus's counts, then the manifest."""
    clock = time.perf_counter()
    old = read_manifest(dest)
    if old is not None and (old.corpus != store.corpus or old.generation > store.generation):
        old = None  # made from another database: nothing in it can be kept
    since = old.generation if old else -1
    known = old.months if old else {}
    parts = store.parts()
    keep = {m: s for m, s in known.items() if parts.get(m, since + 1) <= since and all((dest / f).is_file() for f in files(m, s))}
    todo = sorted(m for m, changed in parts.items() if m not in keep and (changed > since or m in known))
    new = Manifest(store.corpus, store.generation, dict(keep))
    if not todo and old is not None and since == store.generation and old.complete(dest):
        return Written(old.total(), months=len(known), changed=False)

    if todo:
        jsonl, parquet = atomic.stage(dest / JSONL), atomic.stage(dest / PARQUET)
        try:
            (jsonl / "articles").mkdir()
            (jsonl / "revisions").mkdir()
            for month, stats in keep.items():
                for f in files(month, stats):
                    target = (parquet / Path(f).name) if f.startswith(f"{PARQUET}/") else jsonl / Path(f).relative_to(JSONL)
                    atomic.link(dest / f, target)
            for month in todo:
                stats = _write_month(store, month, jsonl, parquet, metadata)
                if stats is not None:
                    new.months[month] = stats
            atomic.swap_in(jsonl, dest / JSONL)
            atomic.swap_in(parquet, dest / PARQUET)
        finally:
            for staged in (jsonl, parquet):
                shutil.rmtree(staged, ignore_errors=True)  # a failed run's half-written folder, or nothing
    seconds = {"months": time.perf_counter() - clock}

    clock = time.perf_counter()
    total = new.total()
    for name, data in pages(total).items():
        atomic.write_file(dest / name, data)
    seconds["card and report"] = time.perf_counter() - clock
    atomic.write_file(dest / MANIFEST, new.to_bytes(built_at))
    atomic.fsync(dest)
    for name in LEGACY:
        (dest / name).unlink(missing_ok=True)
    return Written(total, months=len(new.months), written=len(todo), seconds=seconds)
