"""What every spider shares: a state that breaks under the crawl stops it, named as such."""

from __future__ import annotations

import logging
import sqlite3

from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from scraper import settings as project_settings
from scraper.spiders.laichau import LaichauSpider

PROJECT = {name: value for name, value in vars(project_settings).items() if name.isupper()}


class _Engine:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    def close_spider_async(self, *, reason: str = "cancelled") -> None:  # the engine's is a coroutine
        self.reasons.append(reason)


def _failure(exc: Exception) -> Failure:
    try:
        raise exc
    except Exception:
        return Failure()


def test_a_database_error_under_the_crawl_stops_it_as_state_damaged(tmp_path, caplog) -> None:
    crawler = get_crawler(LaichauSpider, {**PROJECT, "STATE_PATH": str(tmp_path / "state.sqlite"), "EXTRACT_WORKERS": "0"})
    spider = LaichauSpider.from_crawler(crawler, base_url="http://127.0.0.1:9")
    crawler.engine = _Engine()
    crawler.stats.open_spider()
    try:
        spider.state_failed(_failure(ValueError("a bug, not the state")))
        assert crawler.engine.reasons == []
        with caplog.at_level(logging.ERROR):
            spider.state_failed(_failure(sqlite3.DatabaseError("database disk image is malformed")))
            spider.state_failed(_failure(sqlite3.DatabaseError("again")))  # said once
        assert crawler.engine.reasons == ["state_damaged"]
        said = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert len(said) == 1 and str(tmp_path / "state.sqlite") in said[0] and "malformed" in said[0]
        assert "state rebuild" in crawler.stats.get_value("state/error")
    finally:
        spider.close_state("state_damaged")
