"""Settings layering: project → spider → -s, and the User-Agent built from the contact URL."""

from __future__ import annotations

import os

from scrapy.settings import Settings

from scraper.runner import REPLICA_SETTINGS
from scraper.spiders.base import extraction_workers
from scraper.spiders.laichau import LaichauSpider
from scraper.spiders.wayback import WaybackSpider


def _settings(**cmdline) -> Settings:
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    for key, value in cmdline.items():
        settings.set(key, value, priority="cmdline")
    return settings


def test_contact_url_reaches_the_user_agent() -> None:
    settings = _settings(CONTACT_URL="https://example.vn/lien-he")
    LaichauSpider.update_settings(settings)
    assert settings["USER_AGENT"] == "laichau-scraper/1.0 (+https://example.vn/lien-he; research news corpus)"


def test_an_explicit_user_agent_wins() -> None:
    settings = _settings(CONTACT_URL="https://example.vn/lien-he", USER_AGENT="mine/1")
    LaichauSpider.update_settings(settings)
    assert settings["USER_AGENT"] == "mine/1"


def test_spider_settings_sit_between_project_and_command_line() -> None:
    settings = _settings()
    WaybackSpider.update_settings(settings)
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1  # the archive's politeness
    settings = _settings(CONCURRENT_REQUESTS_PER_DOMAIN=8)
    WaybackSpider.update_settings(settings)
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 8
    assert "laichau-scraper" in settings["USER_AGENT"]


def test_distributed_switch_sets_the_scrapy_redis_preset() -> None:
    settings = _settings(DISTRIBUTED=True, CRAWL_ID="c1", WORKER_ID="w1")
    LaichauSpider.update_settings(settings)
    assert settings["SCHEDULER"] == "scrapy_redis.scheduler.Scheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings["SCHEDULER_QUEUE_KEY"] == "laichau:c1:requests"
    assert settings["STATE_BACKEND"] == "redis"
    assert settings["FEED_PATH"].endswith("-w1.jsonl")
    plain = _settings()
    LaichauSpider.update_settings(plain)
    assert plain["STATE_BACKEND"] == "sqlite" and "scrapy_redis" not in str(plain["SCHEDULER"])


def test_extraction_workers_auto_wherever_extraction_is_bounded(monkeypatch) -> None:
    """A bounded extraction (the defaults: EXTRACT_TIMEOUT, EXTRACT_WORKER_MEMORY_MB) needs a worker
    process, polite crawl or not, one core or two. Without bounds, the live site's polite defaults
    keep extraction in the crawl process, and a crawl set loose on a fast server gets one worker on
    a machine of two cores or more; a number is taken as given."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert extraction_workers(_settings()) == 1  # project defaults: 2 per host, delay, AutoThrottle
    assert extraction_workers(_settings(**REPLICA_SETTINGS)) == 1
    assert extraction_workers(_settings(**{**REPLICA_SETTINGS, "EXTRACT_WORKERS": "0"})) == 0
    assert extraction_workers(_settings(EXTRACT_WORKERS="3")) == 3
    unbounded = {"EXTRACT_TIMEOUT": "0", "EXTRACT_WORKER_MEMORY_MB": "0"}
    assert extraction_workers(_settings(**unbounded)) == 0
    assert extraction_workers(_settings(**REPLICA_SETTINGS, **unbounded)) == 1
    assert extraction_workers(_settings(**{**REPLICA_SETTINGS, "DOWNLOAD_DELAY": "0.5"}, **unbounded)) == 0
    assert extraction_workers(_settings(EXTRACT_TIMEOUT="1", EXTRACT_WORKER_MEMORY_MB="0")) == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert extraction_workers(_settings(**REPLICA_SETTINGS)) == 1
    assert extraction_workers(_settings(**REPLICA_SETTINGS, **unbounded)) == 0
    assert not WaybackSpider.uses_extraction_pool and LaichauSpider.uses_extraction_pool
