"""The corpus's columns: the record's fields, then what merging adds, each with its Arrow type and
meaning. One list, read by the Parquet writer and by the dataset card's schema table."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import pyarrow as pa

from ..items import FIELDS

#: Fields merging adds to each article's latest record, with their meaning.
ADDED: dict[str, str] = {
    "site": "The portal the article is from: the host of its address, without `www.` (derived for feeds written before records carried it).",
    "revision_count": "How many distinct bodies (`content_hash`) the article has been seen with, 1 or more; the earlier ones are in `jsonl/revisions/`.",
    "first_seen_at": "UTC time of the article's earliest capture (a web archive's capture time for a recovered page, else the fetch).",
    "near_duplicate_of": "Address of the earliest article whose body this one nearly copies (MinHash, see How it was made), or null.",
}

_TEXT = pa.string()
_SENTENCE_END = re.compile(r"\.\s+(?=[A-ZĐ])")
#: The portal's times keep their +07:00; fetch and capture times are UTC, as in the records.
LOCAL_TIME = pa.timestamp("us", tz="+07:00")
UTC_TIME = pa.timestamp("us", tz="UTC")
TIMES_LOCAL = frozenset({"published_at"})
TIMES_UTC = frozenset({"fetched_at", "archived_at", "first_seen_at"})

_TYPES: dict[str, pa.DataType] = {
    "published_at": LOCAL_TIME,
    "fetched_at": UTC_TIME,
    "archived_at": UTC_TIME,
    "first_seen_at": UTC_TIME,
    "breadcrumbs": pa.list_(pa.struct([("name", _TEXT), ("url", _TEXT)])),
    "images": pa.list_(pa.struct([("url", _TEXT), ("caption", _TEXT), ("alt", _TEXT)])),
    "related": pa.list_(pa.struct([
        ("section", _TEXT), ("title", _TEXT), ("url", _TEXT), ("published_at", LOCAL_TIME), ("published_at_raw", _TEXT),
    ])),
    "tags": pa.list_(_TEXT),
    "warnings": pa.list_(_TEXT),
    "views": pa.int64(),
    "word_count": pa.int64(),
    "revision_count": pa.int64(),
}


def names() -> tuple[str, ...]:
    """Every column in order: the record's fields (``site`` among them once feeds carry it), then
    the added ones."""
    return FIELDS + tuple(n for n in ADDED if n not in FIELDS)


@cache
def arrow_schema() -> pa.Schema:
    return pa.schema([pa.field(n, _TYPES.get(n, _TEXT)) for n in names()])


@cache
def meanings() -> dict[str, str]:
    """Each column's meaning: the first sentence of its rule in ``schema/RECORD.md``, or ``ADDED``."""
    text = resources.files("scraper.schema").joinpath("RECORD.md").read_text("utf-8")
    found: dict[str, str] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`") and cells[0].endswith("`"):
            rule = "|".join(cells[2:]).strip()
            found[cells[0].strip("`")] = _SENTENCE_END.split(rule, 1)[0].rstrip(".") + "."
    return {n: found.get(n) or ADDED.get(n, "") for n in names()}
