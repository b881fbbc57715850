"""A build that fails or is killed at any point leaves a DEST a reader can use (each file whole,
each folder of months from one run), and the next one finishes what it started: its outputs are
then those of a build from scratch."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from scraper.corpus import atomic, outputs, parquet
from scraper.corpus.build import build
from scraper.runner import ROOT, crawl_env
from tests.corpus.conftest import articles_of, complete, corpus_cli, data_files, parquet_rows, snapshot, write_feed


@pytest.fixture
def built(tmp_path, goldens):
    """A corpus of six articles, and a new feed of six more (and an edit) waiting under SRC."""
    src, dest = tmp_path / "output", tmp_path / "corpus"
    write_feed(src / "articles-20250110T191500Z.jsonl", goldens[:6])
    build(src, dest)
    newer = [complete(r, "2025-01-11T19:15:00Z") for r in goldens[6:]]
    newer.append(complete({**goldens[0], "body_text": goldens[0]["body_text"] + " Cập nhật."}, "2025-01-11T19:15:00Z"))
    write_feed(src / "articles-20250111T191500Z.jsonl", newer)
    return src, dest, snapshot(dest)


def _generations(dest) -> tuple[int, int]:
    """(the database's generation, the manifest's)."""
    db = sqlite3.connect(dest / "corpus.sqlite")
    try:
        (gen,) = db.execute("SELECT value FROM meta WHERE name = 'generation'").fetchone()
    finally:
        db.close()
    return int(gen), json.loads((dest / "manifest.json").read_text())["generation"]


def _leftovers(dest) -> list[str]:
    return sorted(p.name for p in (*dest.iterdir(), *dest.parent.iterdir()) if atomic.is_leftover(p.name))


def _readable(dest) -> tuple[int, int]:
    """What a reader loads now, from Parquet and from JSON Lines: each article once; how many."""
    import pandas as pd

    frame = pd.read_parquet(dest / "articles")
    rows = articles_of(dest)
    assert frame["url"].is_unique and len({r["url"] for r in rows}) == len(rows)
    return len(frame), len(rows)


def _as_from_scratch(src, dest, tmp_path) -> None:
    build(src, tmp_path / "scratch", full=True)
    assert data_files(dest) == data_files(tmp_path / "scratch")
    assert parquet_rows(dest) == parquet_rows(tmp_path / "scratch")
    assert len(articles_of(dest)) == 12


def test_a_full_disk_while_writing_leaves_the_outputs_and_the_next_run_finishes(built, monkeypatch, tmp_path) -> None:
    src, dest, before = built

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(parquet.pq.ParquetWriter, "write_batch", full_disk)
    with pytest.raises(OSError, match="No space"):
        build(src, dest)
    assert snapshot(dest) == before and _readable(dest) == (6, 6)
    assert _leftovers(dest) == []  # its half-staged folders are gone
    db_gen, out_gen = _generations(dest)
    assert db_gen == out_gen + 1  # merged and committed; the outputs are one generation behind
    monkeypatch.undo()
    again = build(src, dest)
    assert again.records == 0 and again.months_written == 5 and _generations(dest) == (db_gen, db_gen)
    _as_from_scratch(src, dest, tmp_path)


def test_a_full_disk_while_merging_rolls_the_database_back_and_says_so_in_one_line(built, monkeypatch, tmp_path) -> None:
    import io

    from scraper.corpus import command, store

    src, dest, before = built
    gens = _generations(dest)
    real_add, seen = store.Store.add, []

    def add(self, record):
        seen.append(record)
        if len(seen) == 3:
            raise sqlite3.OperationalError("database or disk is full")
        real_add(self, record)

    monkeypatch.setattr(store.Store, "add", add)
    out, err = io.StringIO(), io.StringIO()
    assert command.run(src, dest, out=out, err=err) == command.FAILED
    assert out.getvalue() == "" and err.getvalue().count("\n") == 1 and "database or disk is full" in err.getvalue()
    assert snapshot(dest) == before and _generations(dest) == gens  # the feed's transaction rolled back whole
    monkeypatch.undo()
    again = build(src, dest)
    assert again.records == 7 and again.months_written == 5
    _as_from_scratch(src, dest, tmp_path)


#: A build that SIGKILLs itself in the middle of writing Parquet (its second batch).
KILLED_WRITING = """
import os, signal, sys
from pathlib import Path
from scraper.corpus import parquet
from scraper.corpus.build import build
parquet.CHUNK = 1 << 10
real, seen = parquet.typed, []
def typed(batch):
    seen.append(batch)
    if len(seen) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(batch)
parquet.typed = typed
build(Path(sys.argv[1]), Path(sys.argv[2]))
"""

#: A build that SIGKILLs itself while merging, its transaction open (the fourth record of the new feed).
KILLED_MERGING = """
import os, signal, sys
from pathlib import Path
from scraper.corpus import store
from scraper.corpus.build import build
real, seen = store.Store.add, []
def add(self, record):
    real(self, record)
    seen.append(record)
    if len(seen) == 4:
        os.kill(os.getpid(), signal.SIGKILL)
store.Store.add = add
build(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def _killed(script: str, src, dest) -> None:
    done = subprocess.run([sys.executable, "-c", script, str(src), str(dest)], cwd=ROOT, env=crawl_env(),
                          capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]


def test_a_build_killed_mid_write_leaves_the_outputs_and_the_next_one_finishes(built, tmp_path) -> None:
    src, dest, before = built
    _killed(KILLED_WRITING, src, dest)
    assert snapshot(dest) == before and _readable(dest) == (6, 6)
    left = [p for p in dest.iterdir() if p.name.startswith(".articles.tmp-")]  # what the killed run left…
    assert len(left) == 1 and any(p.stat().st_size for p in left[0].iterdir())
    db_gen, out_gen = _generations(dest)
    assert db_gen == out_gen + 1

    again = corpus_cli(src, "--to", dest)
    assert again.returncode == 0, again.stderr
    assert "12 articles" in again.stdout and "added 0 records" in again.stdout and "5 of 7 month(s) written" in again.stdout
    assert _leftovers(dest) == []  # …is removed by the next
    _as_from_scratch(src, dest, tmp_path)


def test_a_build_killed_mid_merge_is_rolled_back_and_merged_again(built, tmp_path) -> None:
    src, dest, before = built
    _killed(KILLED_MERGING, src, dest)
    assert snapshot(dest) == before
    assert (dest / "corpus.sqlite-journal").is_file()  # the in-place transaction was open…
    again = build(src, dest)
    assert not (dest / "corpus.sqlite-journal").exists()  # …and rolled back: the feed is read whole again
    assert again.records == 7 and again.new == 6 and again.revised == 1
    _as_from_scratch(src, dest, tmp_path)


@pytest.mark.parametrize("step", ["jsonl swapped", "parquet swapped", "card written", "before the manifest"])
def test_a_failure_at_any_step_after_the_merge_leaves_a_readable_dest(built, monkeypatch, tmp_path, step) -> None:
    src, dest, before = built
    real_swap, real_write, swaps = atomic.swap_in, atomic.write_file, []

    def swap_in(work, target):
        real_swap(work, target)
        swaps.append(target.name)
        if (step, len(swaps)) in (("jsonl swapped", 1), ("parquet swapped", 2)):
            raise KeyboardInterrupt

    def write_file(path, data):
        if (step, path.name) in (("card written", "report.html"), ("before the manifest", "manifest.json")):
            raise KeyboardInterrupt
        real_write(path, data)

    monkeypatch.setattr(atomic, "swap_in", swap_in)
    monkeypatch.setattr(atomic, "write_file", write_file)
    with pytest.raises(KeyboardInterrupt):
        build(src, dest)
    assert swaps == (["jsonl"] if step == "jsonl swapped" else ["jsonl", "articles"])
    assert _readable(dest) == ((6, 12) if step == "jsonl swapped" else (12, 12))  # each folder whole: all its old months or all its new
    assert snapshot(dest) != before and _leftovers(dest) == []
    db_gen, out_gen = _generations(dest)
    assert db_gen == out_gen + 1  # the manifest is the last thing written

    monkeypatch.undo()
    again = build(src, dest)
    assert again.records == 0 and again.months_written == 5
    _as_from_scratch(src, dest, tmp_path)


def test_a_full_rebuild_killed_before_its_outputs_leaves_the_old_ones_then_writes_them_all(built, monkeypatch, tmp_path) -> None:
    src, dest, before = built
    old_corpus = json.loads((dest / "manifest.json").read_text())["corpus"]

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs, "write", fail)
    with pytest.raises(KeyboardInterrupt):
        build(src, dest, full=True)
    assert snapshot(dest) == before and _readable(dest) == (6, 6)
    db = sqlite3.connect(dest / "corpus.sqlite")
    assert db.execute("SELECT value FROM meta WHERE name = 'corpus'").fetchone()[0] != old_corpus  # the new database is in
    assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 12
    db.close()
    monkeypatch.undo()
    again = build(src, dest)
    assert not again.full and again.records == 0 and again.months_written == again.months == 7
    _as_from_scratch(src, dest, tmp_path)


def test_without_an_atomic_exchange_a_kill_between_the_renames_is_undone(built, monkeypatch, tmp_path) -> None:
    src, dest, before = built
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    real_rename, calls = os.rename, []

    def rename(a, b):
        calls.append((a, b))
        real_rename(a, b)
        if len(calls) == 1:
            raise KeyboardInterrupt  # killed after moving jsonl/ aside, before moving the new one in

    monkeypatch.setattr(atomic.os, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        build(src, dest)
    assert not (dest / "jsonl").exists() and (dest / ".jsonl.old").is_dir()
    monkeypatch.setattr(atomic.os, "rename", real_rename)
    atomic.recover(dest, outputs.FOLDERS)  # what the next build does first
    assert snapshot(dest) == before
    assert build(src, dest).articles == 12 and not (dest / ".jsonl.old").exists()
    _as_from_scratch(src, dest, tmp_path)


def test_a_corpus_of_the_single_file_layout_is_rebuilt_into_months(built, tmp_path) -> None:
    src, dest, _ = built
    db = sqlite3.connect(dest / "corpus.sqlite")
    db.execute("UPDATE meta SET value = '1' WHERE name = 'format'")  # as the single-file builds wrote it
    db.commit()
    db.close()
    for name in outputs.LEGACY:
        (dest / name).write_text("the old layout")
    again = build(src, dest)
    assert again.full and again.records == 13
    assert not any((dest / name).exists() for name in outputs.LEGACY)
    _as_from_scratch(src, dest, tmp_path)


def test_a_second_build_of_the_same_dest_is_refused_at_once(built) -> None:
    src, dest, before = built
    fd = os.open(dest.parent / ".corpus.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        done = corpus_cli(src, "--to", dest)
    finally:
        os.close(fd)
    assert done.returncode == 3 and "another build" in done.stderr and "Traceback" not in done.stderr
    assert snapshot(dest) == before


def test_the_exchange_swaps_two_folders_in_one_step_or_says_it_cannot(tmp_path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("from a")
    (b / "x").write_text("from b")
    if atomic._exchange(a, b):
        assert ((a / "x").read_text(), (b / "x").read_text()) == ("from b", "from a")
    else:  # a kernel or file system without RENAME_EXCHANGE: nothing moved, the two-rename path is used
        assert ((a / "x").read_text(), (b / "x").read_text()) == ("from a", "from b")
