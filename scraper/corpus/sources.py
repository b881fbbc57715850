"""The feeds under a folder and the whole records each holds past a byte offset.

Feeds only grow (each record one append; see ``scraper/feeds.py``), so a feed already merged up to
byte N is read again from N: a crawl still writing its feed, or a cron run that appended to a named
one, costs only what it added. A last line without its newline is a record still being written (or
cut by a kill): it is left for the next run, never half read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ..items import FIELDS, schema

SUFFIXES = {".jsonl": "jsonl", ".jl": "jsonl", ".csv": "csv"}
#: A folder holding this file is a corpus: its JSON Lines are no feed.
CORPUS_MARK = "corpus.sqlite"
_PROBE = 4096


def feed_files(src: Path, skip: Path | None = None) -> list[Path]:
    """Every JSON Lines and CSV file under ``src``, sorted (dated names sort by time), leaving out
    ``skip`` (the corpus being built), hidden folders (its temporary copy) and any other corpus."""
    found: list[Path] = []
    skip_real = skip.resolve() if skip else None
    for root, dirs, files in os.walk(src):
        here = Path(root)
        dirs[:] = sorted(
            d for d in dirs
            if not d.startswith(".") and (here / d).resolve() != skip_real and not (here / d / CORPUS_MARK).exists()
        )
        found.extend(here / f for f in files if Path(f).suffix in SUFFIXES and not f.startswith("."))
    return sorted(found, key=lambda p: p.relative_to(src).as_posix())


def fingerprint(path: Path, offset: int) -> str:
    """The file's first bytes and the bytes before ``offset``, hashed: a file rewritten in place
    (``-O``, a copy over it) differs there from the one merged, a file appended to does not."""
    with path.open("rb") as fh:
        head = fh.read(min(offset, _PROBE))
        fh.seek(max(0, offset - _PROBE))
        tail = fh.read(min(offset, _PROBE))
    return hashlib.sha256(head + b"\0" + tail).hexdigest()


@dataclass
class Read:
    """What one pass over a feed found: where its whole records end, and the lines it skipped."""

    offset: int
    records: int = 0
    bad: int = 0
    bytes: int = 0


def read_records(path: Path, offset: int, read: Read) -> Iterator[dict[str, Any]]:
    """The records of ``path`` after byte ``offset``, each whole; ``read`` is kept up to date (its
    ``offset`` is just past the last whole record or unreadable line when the iterator ends)."""
    fmt = SUFFIXES[path.suffix]
    yield from (_jsonl if fmt == "jsonl" else _csv)(path, offset, read)


def _jsonl(path: Path, offset: int, read: Read) -> Iterator[dict[str, Any]]:
    with path.open("rb") as fh:
        fh.seek(offset)
        for line in fh:
            if not line.endswith(b"\n"):
                break  # still being written, or cut by a kill: next run
            read.offset += len(line)
            read.bytes += len(line)
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                read.bad += 1
                continue
            if not _is_record(record):
                read.bad += 1
                continue
            read.records += 1
            yield record


def _is_record(record: Any) -> bool:
    return isinstance(record, dict) and isinstance(record.get("url"), str) and isinstance(record.get("body_text", ""), str)


def _nullable() -> frozenset[str]:
    """Fields the schema lets be null: an empty CSV cell is null there, "" elsewhere."""
    props, defs = schema()["properties"], schema()["$defs"]
    out = set()
    for name, prop in props.items():
        prop = defs[prop["$ref"].rsplit("/", 1)[1]] if "$ref" in prop else prop
        kind = prop.get("type")
        if isinstance(kind, list) and "null" in kind:
            out.add(name)
    return frozenset(out)


_NULLABLE = _nullable()
_LISTS = frozenset(n for n in FIELDS if schema()["properties"][n].get("type") == "array")
#: ``feeds.CSV_COLUMNS`` as a set (that module imports Scrapy: 60 MiB a build never needs).
_CSV_COLUMNS = frozenset(FIELDS) | {"image_count", "related_count"}
_INTS = frozenset(n for n in FIELDS if "integer" in str(schema()["properties"][n].get("type")))


def csv_record(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row (``scraper/feeds.py``'s columns) back as a record: lists from their JSON text,
    counts as ints, empty cells null where the field may be null; the count columns dropped."""
    record: dict[str, Any] = {}
    for name, cell in row.items():
        if name in ("image_count", "related_count") or name is None:
            continue
        if name in _LISTS:
            record[name] = orjson.loads(cell) if cell else []
        elif name in _INTS:
            record[name] = int(cell) if cell else None
        else:
            record[name] = None if cell == "" and name in _NULLABLE else cell
    return record


def _csv(path: Path, offset: int, read: Read) -> Iterator[dict[str, Any]]:
    with path.open("rb") as fh:
        header_line = fh.readline()
        if not header_line.endswith(b"\n"):
            return
        header = next(csv.reader(io.StringIO(header_line.decode("utf-8"))))
        if "url" not in header or not set(header) <= _CSV_COLUMNS:
            return  # not a feed of ours: nothing consumed, nothing counted
        if offset == 0:
            read.offset = read.bytes = len(header_line)
        fh.seek(max(offset, len(header_line)))
        pending = b""
        for line in fh:
            if not line.endswith(b"\n"):
                break
            pending += line
            if pending.count(b'"') % 2:  # a line break inside a quoted cell: the row goes on
                continue
            chunk, pending = pending, b""
            read.offset += len(chunk)
            read.bytes += len(chunk)
            try:
                cells = next(csv.reader(io.StringIO(chunk.decode("utf-8")), strict=True))
                if len(cells) != len(header):
                    raise ValueError("wrong number of cells")
                record = csv_record(dict(zip(header, cells, strict=True)))
            except (ValueError, csv.Error, StopIteration, orjson.JSONDecodeError):
                read.bad += 1
                continue
            read.records += 1
            yield record
