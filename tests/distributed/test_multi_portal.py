"""Two worker processes on one real Redis crawl two NukeViet portals of different address schemes
in one run: every article of each exactly once, keyed per site, and no document of a module that
is not news asked for, whichever worker ran a portal's discovery."""

from __future__ import annotations

import collections
import json

from scraper.replica import Portal, ReplicaServer, Site
from scraper.runner import REPLICA_SETTINGS, crawl_argv, start_crawl
from tests.distributed.test_redis_workers import redis_url  # noqa: F401 - the fixture


def test_two_workers_crawl_two_portals_once_each(redis_url, tmp_path) -> None:  # noqa: F811 - the fixture
    other = Portal(n_articles=50, per_page=10, seed=6, scheme="lang-module")
    today = Site(n_articles=50, n_categories=2, seed=6)
    with ReplicaServer(other) as one, ReplicaServer(today, host="127.0.0.2") as two:
        workers = []
        for name in ("a", "b"):
            settings = {
                **REPLICA_SETTINGS, "DISTRIBUTED": "True", "REDIS_URL": redis_url, "CRAWL_ID": "multi",
                "WORKER_ID": name, "OUTPUT_DIR": str(tmp_path / name), "DISTRIBUTED_IDLE_GRACE": "6",
                "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "DOWNLOAD_DELAY": "0.05", "LOG_FILE": str(tmp_path / f"{name}.log"),
            }
            workers.append(start_crawl(crawl_argv("nukeviet", {"base_url": f"{one.base_url},{two.base_url}"}, settings)))
        for proc in workers:
            assert proc.wait(timeout=300) == 0
        asked = {path for _, path, _ in one.requests}
    recs = [json.loads(line) for name in ("a", "b") for feed in (tmp_path / name).glob("articles-*.jsonl")
            for line in feed.read_text("utf-8").splitlines()]
    per_site = collections.Counter(r["site"] for r in recs)
    assert per_site == {"127.0.0.1": len(other.expected_articles()), "127.0.0.2": len(today.expected_ids())}
    urls = collections.Counter(r["url"] for r in recs)
    assert max(urls.values()) == 1
    assert {r["url"] for r in recs if r["site"] == "127.0.0.1"} == {one.base_url + a.path for a in other.expected_articles()}
    assert not asked & other.document_paths()
