"""Feeds for the corpus tests, made from the golden records (real portal text, twelve articles)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from scraper.items import FIELDS
from scraper.runner import ROOT, crawl_env
from scraper.urls import site_of
from tests.conftest import golden_cases, load_golden


def complete(record: dict[str, Any], fetched_at: str = "2025-01-10T19:15:00Z") -> dict[str, Any]:
    """A golden record with the fields a crawl adds (``site`` from its address, as the crawl sets
    it), valid against the schema, in schema order."""
    r = {**record}
    r.setdefault("body_html", "".join(f"<p>{p}</p>" for p in r["body_text"].split("\n\n")))
    r["word_count"] = len(r["body_text"].split())
    r["content_hash"] = hashlib.sha256(r["body_text"].encode("utf-8")).hexdigest()
    r["fetched_at"] = fetched_at
    r["site"] = site_of(r["url"]) or None
    return {name: r.get(name) for name in FIELDS}


def without_site(record: dict[str, Any]) -> dict[str, Any]:
    """The record as feeds were written before records carried ``site``."""
    return {k: v for k, v in record.items() if k != "site"}


def edited(record: dict[str, Any], body: str, fetched_at: str) -> dict[str, Any]:
    """The same article fetched later with another body."""
    return complete({**record, "body_text": body}, fetched_at)


@pytest.fixture(scope="session")
def goldens() -> list[dict[str, Any]]:
    return [complete(load_golden(p)) for p in golden_cases()]


def write_feed(path: Path, records: list[dict[str, Any]], mode: str = "wb") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open(mode) as fh:
        for r in records:
            fh.write(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE))
    return path


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def articles_of(dest: Path) -> list[dict[str, Any]]:
    """Every row of the corpus's JSON Lines, month after month."""
    return [row for path in sorted((dest / "jsonl" / "articles").glob("*.jsonl")) for row in lines(path)]


def revisions_of(dest: Path) -> list[dict[str, Any]]:
    return [row for path in sorted((dest / "jsonl" / "revisions").glob("*.jsonl")) for row in lines(path)]


def data_files(dest: Path) -> dict[str, bytes]:
    """The JSON Lines files by their path in DEST (the Parquet files are compared as tables)."""
    return {p.relative_to(dest).as_posix(): p.read_bytes() for p in sorted((dest / "jsonl").rglob("*.jsonl"))}


def parquet_rows(dest: Path) -> dict[str, list[dict[str, Any]]]:
    import pyarrow.parquet as pq

    return {p.name: pq.read_table(p).to_pylist() for p in sorted((dest / "articles").glob("*.parquet"))}


def snapshot(dest: Path) -> dict[str, str]:
    """A hash of every file a reader reads in DEST: all but the database (runs update it in place)
    and a build's hidden temporary files."""
    return {
        rel.as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(dest.rglob("*"))
        if p.is_file() and not (rel := p.relative_to(dest)).name.startswith("corpus.sqlite")
        and not any(part.startswith(".") for part in rel.parts)
    }


def corpus_cli(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scraper", "corpus", *map(str, args)], cwd=ROOT, env=crawl_env(),
                          capture_output=True, text=True, timeout=timeout)
