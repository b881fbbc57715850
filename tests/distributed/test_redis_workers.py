"""Two worker processes on one real Redis share one crawl: every article exactly once, each wrote some."""

from __future__ import annotations

import collections
import json
import shutil
import socket
import subprocess
import time

import pytest

from scraper.replica import ReplicaServer, Site
from scraper.runner import REPLICA_SETTINGS, crawl_argv, start_crawl


@pytest.fixture
def redis_url(tmp_path):
    """The Redis CI started (TEST_REDIS_URL, a database of its own, emptied first), else a private
    redis-server on a free port (the README's install command installs it from Debian's packages)."""
    import os

    import redis

    given = os.environ.get("TEST_REDIS_URL")
    if given:
        client = redis.Redis.from_url(given)
        client.ping()
        client.flushdb()
        yield given
        client.flushdb()
        return
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed: .ci/run installs it (apt-get install redis-server)"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_two_workers_write_every_article_exactly_once(redis_url, tmp_path) -> None:
    site = Site(n_articles=150, n_categories=4, seed=11)
    with ReplicaServer(site) as server:
        workers = []
        for name in ("a", "b"):
            settings = {
                **REPLICA_SETTINGS, "DISTRIBUTED": "True", "REDIS_URL": redis_url, "CRAWL_ID": "test",
                "WORKER_ID": name, "OUTPUT_DIR": str(tmp_path / name), "DISTRIBUTED_IDLE_GRACE": "6",
                "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "DOWNLOAD_DELAY": "0.05", "LOG_FILE": str(tmp_path / f"{name}.log"),
            }
            workers.append(start_crawl(crawl_argv("laichau", {"base_url": server.base_url}, settings)))
        for proc in workers:
            assert proc.wait(timeout=240) == 0
    per_worker = {}
    for name in ("a", "b"):
        feeds = list((tmp_path / name).glob("articles-*-" + name + ".jsonl"))
        assert len(feeds) == 1
        per_worker[name] = [json.loads(line) for line in feeds[0].read_text("utf-8").splitlines()]
    assert all(per_worker.values()), {k: len(v) for k, v in per_worker.items()}  # each wrote some
    ids = collections.Counter(r["article_id"] for recs in per_worker.values() for r in recs)
    assert max(ids.values()) == 1
    assert set(ids) == {str(i) for i in site.expected_ids()}
    assert all(r["views"] is not None for recs in per_worker.values() for r in recs)  # listing data crossed workers

    # a second distributed run of a new crawl id finds everything known in the shared state
    settings = {**REPLICA_SETTINGS, "DISTRIBUTED": "True", "REDIS_URL": redis_url, "CRAWL_ID": "test-2",
                "WORKER_ID": "c", "OUTPUT_DIR": str(tmp_path / "c"), "DISTRIBUTED_IDLE_GRACE": "1"}
    with ReplicaServer(site) as server:
        proc = start_crawl(crawl_argv("laichau", {"base_url": server.base_url}, settings))
        assert proc.wait(timeout=120) == 0
        assert len(server.requests) <= len(site.categories) + 2
    again = [p for p in (tmp_path / "c").glob("articles-*.jsonl") if p.read_text()]
    assert again == []


def test_a_dead_workers_unconfirmed_writes_are_settled_from_its_feed(redis_url, tmp_path) -> None:
    """A worker killed between checkpoints: its whole lines count as done, its half line is cut."""
    import os

    from scraper.feeds import AppendFile
    from scraper.redis_state import RedisStateStore

    dead = RedisStateStore(redis_url, worker=f"{socket.gethostname()}-999999999")  # no such pid
    feed = AppendFile(tmp_path / "w.jsonl", "jsonl")
    dead.checkpoint([(str(feed.path), "jsonl", feed.offset())])
    record = {"url": "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-{}.html", "archived_at": None}
    for n in (1, 2):
        feed.write(record | {"url": record["url"].format(n)})
    data = feed.encode(record | {"url": record["url"].format(3)})
    os.write(feed.fd, data[:20])
    dead.db.close()

    alive = RedisStateStore(redis_url)
    assert alive.recover() == (2, 1)
    assert alive.known(["congan.laichau.gov.vn id:1", "congan.laichau.gov.vn id:2", "congan.laichau.gov.vn id:3"]) == {"congan.laichau.gov.vn id:1", "congan.laichau.gov.vn id:2"}
    assert [json.loads(line)["url"][-7:] for line in feed.path.read_text("utf-8").splitlines()] == ["-1.html", "-2.html"]
    assert alive.recover() == (0, 0)


def test_a_workers_run_tables_are_its_own_and_leave_nothing_behind(redis_url) -> None:
    """What a worker's listings found and what it wrote: in a private SQLite beside the Redis state,
    not in Redis (each worker requests what its own listings found) and not in the worker's heap."""
    import redis

    from scraper.pages.listing import ListingEntry
    from scraper.redis_state import RedisStateStore

    a, b = RedisStateStore(redis_url, worker="a", crawl="t"), RedisStateStore(redis_url, worker="b", crawl="t")
    a.found.add([("h id:1", ListingEntry("http://h/c/x-1.html", "T", None, "3"))], "h/c")
    a.found.add([("h id:1", ListingEntry("http://h/c/x-1.html", None, "01/02/2024 10:00", None))], None)
    assert b.found.waiting() == 0 and "h id:1" not in b.found
    [(key, entry, walk)] = a.found.take(10)
    assert (key, entry.title, entry.published_raw, entry.views_raw, walk) == ("h id:1", "T", "01/02/2024 10:00", "3", "h/c")
    assert a.written.first("h id:1") and not a.written.first("h id:1") and b.written.first("h id:1")
    assert redis.Redis.from_url(redis_url).keys("*found*") == []
    a.close()
    b.close()


def test_a_redis_state_from_before_keys_named_their_site_is_adopted_once(redis_url, tmp_path) -> None:
    """The one-portal spider's Redis state kept bare keys ("id:5"): a crawl of one portal gives them
    its site, so nothing captured is fetched again; a second crawl finds it done."""
    import redis

    from scraper.redis_state import RedisStateStore

    site = Site(n_articles=40, n_categories=2, seed=3)
    db = redis.Redis.from_url(redis_url, decode_responses=True)
    db.sadd("laichau:state:articles", *(f"id:{i}" for i in site.expected_ids()), "127.0.0.1 id:999999")
    db.hset("laichau:state:gone", "id:888888", "1e12")
    settings = {**REPLICA_SETTINGS, "DISTRIBUTED": "True", "REDIS_URL": redis_url, "CRAWL_ID": "adopt",
                "WORKER_ID": "a", "OUTPUT_DIR": str(tmp_path), "DISTRIBUTED_IDLE_GRACE": "1"}
    with ReplicaServer(site) as server:
        proc = start_crawl(crawl_argv("laichau", {"base_url": server.base_url}, settings), tmp_path / "a.log")
        assert proc.wait(timeout=120) == 0
        articles = [path for _, path, _ in server.requests if path.endswith(".html")]
    assert articles == []  # every article was captured before: none is fetched
    log = (tmp_path / "a.log").read_text("utf-8")
    assert f"state: {len(site.expected_ids()) + 1} keys from before keys named their site given 127.0.0.1" in log
    members = db.smembers("laichau:state:articles")
    assert members == {f"127.0.0.1 id:{i}" for i in site.expected_ids()} | {"127.0.0.1 id:999999"}
    assert db.hgetall("laichau:state:gone") == {"127.0.0.1 id:888888": "1e12"}
    assert RedisStateStore(redis_url).adopt_unsited("127.0.0.1") == -1  # once
