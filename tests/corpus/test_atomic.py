"""A build that fails or is killed at any point leaves DEST as it was; the next one cleans up."""

from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import subprocess
import sys

import pytest

from scraper.corpus import atomic, parquet
from scraper.corpus.build import build
from scraper.runner import ROOT, crawl_env
from tests.corpus.conftest import complete, corpus_cli, write_feed


def _snapshot(dest) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(dest.iterdir())}


@pytest.fixture
def built(tmp_path, goldens):
    """A corpus of six articles, and a new feed of six more waiting under SRC."""
    src, dest = tmp_path / "output", tmp_path / "corpus"
    write_feed(src / "articles-20250110T191500Z.jsonl", goldens[:6])
    build(src, dest)
    write_feed(src / "articles-20250111T191500Z.jsonl", [complete(r, "2025-01-11T19:15:00Z") for r in goldens[6:]])
    return src, dest, _snapshot(dest)


def test_a_failure_while_writing_leaves_dest_as_it_was(built, monkeypatch) -> None:
    src, dest, before = built

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(parquet.pq.ParquetWriter, "write_batch", full_disk)
    with pytest.raises(OSError, match="No space"):
        build(src, dest)
    assert _snapshot(dest) == before
    assert not list(dest.parent.glob(".corpus.tmp-*"))  # its half-built folder is gone
    monkeypatch.undo()
    assert build(src, dest).articles == 12


#: A build that SIGKILLs itself in the middle of writing Parquet (its second batch).
KILLED = """
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


def test_a_build_killed_mid_write_leaves_dest_as_it_was_and_the_next_one_cleans_up(built) -> None:
    src, dest, before = built
    done = subprocess.run([sys.executable, "-c", KILLED, str(src), str(dest)], cwd=ROOT, env=crawl_env(),
                          capture_output=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]
    assert _snapshot(dest) == before
    (left,) = dest.parent.glob(".corpus.tmp-*")  # what the killed run left…
    assert (left / "articles.parquet").exists() and (left / "articles.jsonl").stat().st_size

    again = corpus_cli(src, "--to", dest)
    assert again.returncode == 0, again.stderr
    assert "12 articles" in again.stdout
    assert not list(dest.parent.glob(".corpus.tmp-*"))  # …is removed by the next
    assert _snapshot(dest) != before


def test_without_an_atomic_exchange_a_kill_between_the_renames_is_undone(built, monkeypatch) -> None:
    src, dest, before = built
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    real_rename, calls = os.rename, []

    def rename(a, b):
        calls.append((a, b))
        real_rename(a, b)
        if len(calls) == 1:
            raise KeyboardInterrupt  # killed after moving DEST aside, before moving the new one in

    monkeypatch.setattr(atomic.os, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        build(src, dest)
    assert not dest.exists() and (dest.parent / ".corpus.old").is_dir()
    monkeypatch.setattr(atomic.os, "rename", real_rename)
    atomic.recover(dest)  # what the next build does first
    assert _snapshot(dest) == before
    assert build(src, dest).articles == 12 and not (dest.parent / ".corpus.old").exists()


def test_a_second_build_of_the_same_dest_is_refused_at_once(built) -> None:
    src, dest, before = built
    fd = os.open(dest.parent / ".corpus.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        done = corpus_cli(src, "--to", dest)
    finally:
        os.close(fd)
    assert done.returncode == 3 and "another build" in done.stderr and "Traceback" not in done.stderr
    assert _snapshot(dest) == before


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
