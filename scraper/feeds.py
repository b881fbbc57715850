"""The crash-safe JSON Lines feed: every record is one ``write`` of one whole line.

Scrapy's feed exporters buffer and may leave a half line on a kill; here each line goes
out in one append, and the state journal (``state.py``) brackets it, so a SIGKILL costs
at most the line being written, which the next run's recovery removes.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from .items import ArticleItem
from .pipelines import record_dict
from .state import StateStore, record_key

logger = logging.getLogger(__name__)


def default_feed_path(output_dir: str | os.PathLike[str]) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(output_dir) / f"articles-{stamp}.jsonl"


class JsonLinesWriter:
    """Append whole lines to one file, never truncating what is there."""

    def __init__(self, path: str | os.PathLike[str], fsync: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.fsync = fsync
        self.lines = 0

    def offset(self) -> int:
        return os.fstat(self.fd).st_size

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]
        if self.fsync:
            os.fsync(self.fd)
        self.lines += 1

    def close(self) -> None:
        os.close(self.fd)


class JsonLinesFeedPipeline:
    """Write each record to ``FEED_PATH`` (default ``output/articles-<UTC>.jsonl``) and mark it done."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.path = Path(settings.get("FEED_PATH") or default_feed_path(settings.get("OUTPUT_DIR", "output")))
        self.fsync = settings.getbool("FEED_FSYNC", False)
        self.writer: JsonLinesWriter | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def state(self) -> StateStore | None:
        return getattr(self.crawler.spider, "state", None)

    def open_spider(self) -> None:
        if self.state is not None:
            self.state.recover()
        self.writer = JsonLinesWriter(self.path, fsync=self.fsync)
        logger.info("writing records to %s", self.path)
        self.crawler.stats.set_value("feed/path", str(self.path))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        record = record_dict(item)
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        key = record_key(record)
        state = self.state
        if state is not None:
            state.begin(key, record["url"], str(self.path), self.writer.offset())
        self.writer.write(line)
        if state is not None:
            state.done(key, record["url"], record["content_hash"], str(self.path))
        self.crawler.stats.inc_value("feed/records")
        return item

    def close_spider(self) -> None:
        if self.writer is not None:
            self.writer.close()
            logger.info("wrote %d records to %s", self.writer.lines, self.path)
