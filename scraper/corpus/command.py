"""The ``corpus`` command's checks, run and one-line outcome (exit 0 built or up to date; 2 it
could not be built, DEST's files as the last build left them; 3 another build of DEST is running)."""

from __future__ import annotations

import contextlib
import ctypes
import sqlite3
import sys
from pathlib import Path
from typing import TextIO

import pyarrow as pa

from .atomic import Locked, is_leftover
from .build import build
from .sources import CORPUS_MARK

OK, FAILED, LOCKED = 0, 2, 3


def refusal(src: Path, dest: Path) -> str | None:
    """Why these options cannot work, naming the option; None when they can."""
    if not src.is_dir():
        return f"SRC {src}: not a folder (give the folder cron writes its feeds to, e.g. output)"
    s, d = src.resolve(), dest.resolve()
    if d == s or s.is_relative_to(d):
        return f"--to {dest}: must not be SRC or a folder holding it (e.g. --to {src}/corpus)"
    if dest.exists() and not dest.is_dir():
        return f"--to {dest}: is a file, not a folder"
    if dest.is_dir() and not (dest / CORPUS_MARK).is_file() and any(not is_leftover(p.name) for p in dest.iterdir()):
        return f"--to {dest}: holds files but no corpus ({CORPUS_MARK}); give a new or empty folder (the corpus's files go there)"
    return None


def steady_memory() -> None:
    """Keep a build's memory flat as the corpus grows: glibc raises its mmap threshold each time a
    large buffer is freed, after which the 8 MiB chunks of JSON Arrow parses come from the heap and
    leave it fragmented, and Arrow's own allocator keeps what it once held. Fixed at 1 MiB and with
    the system allocator, peak RSS of the Parquet pass was 168 MiB at 2,000 articles and 195 MiB at
    10,000 and 20,000 (176, 235, 243 without). Process-wide: the command's process only builds."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD
    pa.set_memory_pool(pa.system_memory_pool())


def run(src: Path, dest: Path, full: bool = False, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    steady_memory()
    try:
        o = build(src, dest, full=full)
    except Locked as exc:
        err.write(f"corpus: another build of {dest} holds {exc}; exiting\n")
        return LOCKED
    except (OSError, sqlite3.Error) as exc:
        err.write(f"corpus: could not build {dest}: {exc}; its files are as the last build left them, the next run finishes this one\n")
        return FAILED
    took = sum(o.seconds.values())
    if o.unchanged:
        out.write(f"corpus: {dest} is up to date: {o.articles:,} articles; nothing new in {o.feeds:,} feed file(s) ({took:.1f} s)\n")
        return OK
    kind = "built from all" if o.full else "added"
    out.write(
        f"corpus: {dest}: {o.articles:,} articles ({o.new:,} new, {o.revised:,} new revisions), {o.near_duplicates:,} near-duplicates;"
        f" {kind} {o.records:,} records from {o.feeds_read:,} of {o.feeds:,} feed file(s), {o.bytes_read / 1e6:.1f} MB"
        f"{f', {o.unreadable:,} unreadable lines skipped' if o.unreadable else ''}; {o.months_written:,} of {o.months:,} month(s)"
        f" written; {took:.1f} s\n"
    )
    return OK
