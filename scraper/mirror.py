"""A raw mirror of the pages fetched: ``-s MIRROR_DIR=PATH``, one file per address.

The file's path is derived from the address, and no address can place a file outside
PATH: ``..`` and ``.`` segments (raw or percent-encoded), backslashes, absolute paths,
NUL bytes and odd characters are neutralised before the result is checked once more.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

logger = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^\w.\-~]+", re.UNICODE)
_MAX_SEGMENT = 120


def _segment(raw: str) -> str | None:
    seg = _UNSAFE.sub("_", raw).strip()
    if seg in ("", ".", "..") or set(seg) == {"."}:
        return None
    if len(seg) > _MAX_SEGMENT:
        digest = hashlib.sha1(seg.encode()).hexdigest()[:12]
        seg = f"{seg[:_MAX_SEGMENT - 13]}_{digest}"
    return seg


def mirror_path(root: Path, url: str) -> Path:
    """Where ``url`` is saved under ``root``; ValueError if it could only land outside."""
    parts = urlsplit(url)
    host = _segment((parts.hostname or "nohost") + (f"_{parts.port}" if parts.port else "")) or "nohost"
    path = parts.path
    for _ in range(3):  # %252e%252e decodes in steps: decode until stable
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    pieces = [s for s in (_segment(p) for p in re.split(r"[/\\\x00]+", path)) if s]
    if not pieces or path.endswith(("/", "\\")):
        pieces.append("index.html")
    if parts.query:
        stem, dot, ext = pieces[-1].rpartition(".")
        tag = hashlib.sha1(parts.query.encode()).hexdigest()[:12]
        pieces[-1] = f"{stem}__{tag}.{ext}" if dot else f"{ext}__{tag}"
    base = root.resolve()
    target = (base / host).joinpath(*pieces).resolve()
    if not target.is_relative_to(base) or target == base:
        raise ValueError(f"refusing to mirror {url!r} outside {root}")
    return target


class MirrorMiddleware:
    """Downloader middleware: saves each successful page, decompressed, after redirects."""

    def __init__(self, crawler) -> None:
        directory = crawler.settings.get("MIRROR_DIR")
        if not directory:
            raise NotConfigured
        self.root = Path(directory)
        self.root.mkdir(parents=True, exist_ok=True)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status != 200:
            return response
        try:
            target = mirror_path(self.root, response.url)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".part")
            tmp.write_bytes(response.body)
            os.replace(tmp, target)
            self.crawler.stats.inc_value("mirror/files")
        except (ValueError, OSError) as exc:
            logger.warning("mirror: %s not saved: %s", response.url, exc)
            self.crawler.stats.inc_value("mirror/refused")
        return response
