"""Offline extraction: saved pages in, JSON Lines records out, through the crawl's own chain."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from .items import ArticleItem
from .pages import NotAnArticle, extract_article
from .pipelines import build_record, record_dict


class ExtractError(Exception):
    """One input could not give a record; the others still do."""


def extract_file(path: Path, url: str | None = None) -> ArticleItem:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    address = url or path.resolve().as_uri()
    try:
        return build_record(extract_article(data, address))
    except NotAnArticle as exc:
        raise ExtractError(f"{path}: not an article page: {exc}") from exc


def iter_records(paths: Iterable[Path], url: str | None, errors: list[str]) -> Iterator[ArticleItem]:
    for path in paths:
        try:
            yield extract_file(path, url)
        except ExtractError as exc:
            errors.append(str(exc))
        except Exception as exc:  # a bug must not cost the other files their records
            errors.append(f"{path}: extraction failed: {type(exc).__name__}: {exc}")


def run(paths: list[Path], url: str | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Print one JSON record per page; 1 when any input failed, after processing all."""
    errors: list[str] = []
    failed = 0
    for record in iter_records(paths, url, errors):
        out.write(json.dumps(record_dict(record), ensure_ascii=False) + "\n")
        out.flush()
    for line in errors:
        err.write(f"error: {line}\n")
        failed += 1
    return 1 if failed else 0
