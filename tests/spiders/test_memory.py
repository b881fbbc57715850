"""A crawl's memory does not grow with the articles it found: they wait in the state's found table,
and the scheduler holds a bounded batch of article requests, never every article at once."""

from __future__ import annotations

import collections
import json
import re
from pathlib import Path

from scrapy import signals
from scrapy.settings import Settings

from scraper.replica import ReplicaServer, Site
from tests.spiders.conftest import crawl, records


class SchedulerProbe:
    """A test extension: the most requests Scrapy's scheduler held at any response, written to
    ``SCHEDULER_PROBE_FILE`` at the end; measured by Scrapy's own queue, not by the spider."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.most = 0
        crawler.signals.connect(self.sample, signal=signals.response_received)
        crawler.signals.connect(self.sample, signal=signals.request_reached_downloader)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def sample(self) -> None:
        self.most = max(self.most, len(self.crawler.engine._slot.scheduler))

    def closed(self) -> None:
        Path(self.crawler.settings.get("SCHEDULER_PROBE_FILE")).write_text(str(self.most))


def _stats(log: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"'(crawl/[a-z_]+)': (\d+)", log)}


def test_the_scheduler_holds_a_batch_of_articles_not_every_article_found(tmp_path) -> None:
    site = Site(n_articles=600, n_categories=3, seed=5)
    project = Settings()
    project.setmodule("scraper.settings", priority="project")
    extensions = {**project.getdict("EXTENSIONS"), "tests.spiders.test_memory.SchedulerProbe": 900}
    probe = tmp_path / "scheduler.txt"
    with ReplicaServer(site) as server:
        code, log = crawl(server.base_url, tmp_path, settings={
            "CONCURRENT_REQUESTS": "8", "EXTENSIONS": json.dumps(extensions), "SCHEDULER_PROBE_FILE": str(probe),
        })
    assert code == 0, log[-3000:]
    assert f"listings read: requesting {len(site.articles)} articles" in log
    ids = collections.Counter(r["article_id"] for r in records(tmp_path))
    assert set(ids) == {str(i) for i in site.expected_ids()} and max(ids.values()) == 1
    batch = 4 * 8  # ARTICLE_BATCH_FACTOR × CONCURRENT_REQUESTS
    stats = _stats(log)
    assert batch // 2 <= stats["crawl/articles_out_max"] <= batch, stats
    assert 0 < stats["crawl/scheduler_max"] <= batch, stats
    most = int(probe.read_text())
    assert 0 < most <= batch, f"the scheduler held {most} requests at once (600 articles found; batch {batch})"


def test_address_caches_hold_what_recurs_not_every_article() -> None:
    """Each article address is read a few times (listing, request, record) and never again: the
    caches of address readings keep a bounded number, however many articles a crawl meets."""
    import functools
    import gc

    from scraper import urls
    from scraper.sites import addresses

    cached = [f for f in gc.get_objects() if isinstance(f, functools._lru_cache_wrapper)
              and getattr(f, "__module__", "") in ("scraper.urls", "scraper.sites.addresses")]
    assert {f.__name__ for f in cached} >= {"_parse_default", "site_of", "is_article_url", "canonical_article_url", "article_key"}
    profile = addresses.SiteProfile(news_modules=frozenset({"tin-tuc"}), language="vi", lang_in_path=True)
    for i in range(3 * addresses.CACHED_ADDRESSES):
        for url, prof in ((f"https://a.example.vn/thoi-su/bai-{i}-{i}.html", None),
                          (f"https://b.example.vn/vi/tin-tuc/thoi-su/bai-{i}-{i}.html", profile)):
            urls.site_key(url, prof)
            urls.is_article_url(url, prof)
            urls.canonical_article_url(url, prof)
    for f in cached:
        info = f.cache_info()
        assert info.maxsize is not None and info.currsize <= addresses.CACHED_ADDRESSES, (f.__name__, info)
