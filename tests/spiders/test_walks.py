"""Crash-proof incremental crawls: a category walk stops early only on what a completed walk proved.

Kills at many moments (while listings are read, and while articles are written), each followed by
a restart on the same state: in the end every article is written exactly once, and later runs keep
it so. The walk's marks are also held to their rules one by one.
"""

from __future__ import annotations

import collections
import json
import os
import signal
import time
from pathlib import Path

import pytest

from scraper.replica import ReplicaServer, Site
from scraper.replica.server import ActionResponse
from scraper.runner import REPLICA_SETTINGS, crawl_argv, start_crawl
from scraper.state import StateStore
from tests.spiders.conftest import crawl, records


def _lines(out: Path) -> int:
    return sum(len(p.read_bytes().splitlines()) for p in out.glob("articles-*.jsonl"))


def _ids(out: Path) -> collections.Counter[str]:
    return collections.Counter(r["article_id"] for r in records(out))


def _kill_when(replica: ReplicaServer, out: Path, settings: dict, ready) -> None:
    """Start a crawl and SIGKILL it as soon as ``ready()`` holds (or it ended by itself)."""
    proc = start_crawl(crawl_argv("laichau", {"base_url": replica.base_url}, settings), out / "killed.log")
    deadline = time.time() + 120
    while not ready() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.005)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.fixture
def deep_replica():
    """Ten listing pages per category: a walk that stops early can skip a lot."""
    with ReplicaServer(Site(n_articles=600, n_categories=3, seed=5)) as server:
        yield server


@pytest.mark.parametrize("workers", ["0", "1"])
def test_kills_at_many_points_then_every_article_exactly_once(deep_replica, tmp_path, workers) -> None:
    site = deep_replica.site
    expected = {str(i) for i in site.expected_ids()}
    settings = {**REPLICA_SETTINGS, "OUTPUT_DIR": str(tmp_path), "EXTRACT_WORKERS": workers}
    listings = lambda: sum("/page-" in path for _, path, _ in deep_replica.requests)  # noqa: E731

    # 1. while the listings are read, before any record; 2-5. after 20, 90, 60 and 150 more records
    deep_replica.reset_log()
    _kill_when(deep_replica, tmp_path, settings, lambda: listings() >= 6)
    for more in (20, 90, 60, 150):
        start = _lines(tmp_path)
        _kill_when(deep_replica, tmp_path, settings, lambda start=start, more=more: _lines(tmp_path) >= start + more)
        assert _lines(tmp_path) < len(expected), "the crawl ended before it could be killed"
    code, log = crawl(deep_replica.base_url, tmp_path, settings={"EXTRACT_WORKERS": workers})
    assert code == 0, log[-3000:]
    ids = _ids(tmp_path)
    assert set(ids) == expected, f"{len(expected - set(ids))} articles missing"
    assert max(ids.values()) == 1

    # and every run after it: nothing new, nothing twice, and the walks stop early again
    for _ in range(2):
        deep_replica.reset_log()
        code, log = crawl(deep_replica.base_url, tmp_path, settings={"EXTRACT_WORKERS": workers})
        assert code == 0, log[-3000:]
        assert _ids(tmp_path) == ids
    assert not any("/page-" in path for _, path, _ in deep_replica.requests)


def test_a_failed_article_keeps_its_walk_untrusted_until_it_is_captured(tmp_path) -> None:
    """An article deep in a category that fails in one run is fetched by a later one, though the
    pages before it are all captured: its walk did not complete, so nothing vouches for it."""
    site = Site(n_articles=120, n_categories=1, seed=8)
    # the oldest the portal serves: on the walk's last page
    victim = next(a for a in reversed(site.category_articles(site.categories[0].alias)) if a.id not in site.missing_ids)
    victim_path = site.article_url_path(victim)

    class FailOnce:
        def __init__(self) -> None:
            self.down = True

        def intercept(self, request, response):
            if self.down and request.target.split("?")[0] == victim_path:
                return ActionResponse(503, b"busy", delay=0)
            return None

    hook = FailOnce()
    with ReplicaServer(site, faults=hook) as server:
        code, log = crawl(server.base_url, tmp_path)
        assert str(victim.id) not in _ids(tmp_path)
        hook.down = False
        code, log = crawl(server.base_url, tmp_path)
        assert code == 0, log[-3000:]
        ids = _ids(tmp_path)
        assert str(victim.id) in ids and max(ids.values()) == 1
        # now proved complete: the next run reads page 1 only
        server.reset_log()
        code, log = crawl(server.base_url, tmp_path)
        assert not any("/page-" in path for _, path, _ in server.requests)


def test_walk_marks_in_the_state(tmp_path) -> None:
    state = StateStore(tmp_path / "state.sqlite")
    assert state.open_walk("h/a") is None
    state.complete_walks([("h/a", "2026-01-02T03:04:05Z")])
    state.close()
    state = StateStore(tmp_path / "state.sqlite")
    assert state.open_walk("h/a") == "2026-01-02T03:04:05Z"
    assert state.open_walk("h/a") is None  # opening a walk removes its mark: a kill leaves none
    state.stage("k1", "u1", None, None)
    state.checkpoint(None)
    first_seen = state.db.execute("SELECT first_seen FROM articles").fetchone()[0]
    assert state.captured_before(["k1", "k2"], "9999-01-01T00:00:00Z")
    assert not state.captured_before(["k1"], first_seen)  # strictly before
    assert not state.captured_before(["k2"], "9999-01-01T00:00:00Z")
    state.close()


def test_an_article_request_the_shared_dupefilter_refuses_leaves_its_walk_complete(tmp_path) -> None:
    """Two workers found one article (a home page without a walk, a category with one): the
    request that lost the race to Redis's dupefilter is answered by the other, not owed forever."""
    from scrapy import Request, signals
    from scrapy.utils.test import get_crawler

    from scraper.spiders.laichau import LaichauSpider
    from tests.spiders.test_base import PROJECT

    crawler = get_crawler(LaichauSpider, {**PROJECT, "STATE_PATH": str(tmp_path / "state.sqlite"), "EXTRACT_WORKERS": "0"})
    spider = LaichauSpider.from_crawler(crawler, base_url="http://127.0.0.1:9")
    try:
        spider.walks.open("h/a", None)
        spider.walks.requested("h/a")
        spider.walks.end("h/a")
        assert spider.walks.completed() == []
        crawler.signals.send_catch_log(  # what Scrapy's engine sends when the scheduler refuses a request
            signal=signals.request_dropped,
            request=Request("http://127.0.0.1:9/a/x-1.html", meta={"article": True}, cb_kwargs={"walk": "h/a"}),
            spider=spider,
        )
        assert [name for name, _ in spider.walks.completed()] == ["h/a"]
        spider.walks.open("h/b", None)  # a listing request dropped is not an article answered
        spider.walks.requested("h/b")
        spider.walks.end("h/b")
        crawler.signals.send_catch_log(signal=signals.request_dropped,
                                       request=Request("http://127.0.0.1:9/b/", cb_kwargs={"walk": "h/b"}), spider=spider)
        assert [name for name, _ in spider.walks.completed()] == ["h/a"]
    finally:
        spider.close_state("finished")


def test_the_two_phases_are_logged(deep_replica, tmp_path) -> None:
    code, log = crawl(deep_replica.base_url, tmp_path)
    assert code == 0, log[-3000:]
    assert f"listings read: requesting {len(deep_replica.site.articles)} articles" in log
    assert "category walks complete: 3 of 3" in log
    # every listing page was read before the first article was asked for
    paths = [path for _, path, _ in deep_replica.requests]
    first_article = min(i for i, path in enumerate(paths) if path.endswith(".html"))
    assert sum("/page-" in path for path in paths[first_article:]) == 0
    report = json.loads(next(tmp_path.glob("report-*.json")).read_text())
    assert report["records"] == 594
