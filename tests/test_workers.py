"""Extraction workers decode the raw body as Scrapy would: the header's charset first."""

from __future__ import annotations

import dataclasses

import orjson

from scraper.pages import extract_article
from scraper.pipelines import build_record, record_dict
from scraper.sealed import SealedItem
from scraper.workers import build_article

URL = "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-viet-1.html"


def test_worker_decodes_the_body_by_the_content_type_header(fixtures_dir) -> None:
    page = (fixtures_dir / "articles" / "nukeviet-plain.html").read_text("utf-8")
    mislabelled = page.replace("<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">', 1)
    body = mislabelled.encode("utf-8")
    by_header = build_article(body, URL, None, "text/html; charset=utf-8")
    from_text = build_record(extract_article(page, URL))
    assert by_header.built is True
    assert by_header.title == from_text.title and by_header.body_text == from_text.body_text
    assert "ệ" in by_header.body_text or "ư" in by_header.body_text
    by_meta = build_article(body, URL, None, None)  # no header: the page's (wrong) declaration wins
    assert by_meta.title != from_text.title


def _pool_run(coro_fn, nice: int = 0):
    """Run ``coro_fn(pool)`` on a fresh event loop with a one-worker pool, closing the pool after."""
    import asyncio

    from scraper.workers import ExtractionPool

    pool = ExtractionPool(1, nice)
    try:
        return asyncio.run(coro_fn(pool))
    finally:
        pool.close()
        assert all(w.process.poll() is not None for w in pool.workers)


def test_pool_gives_the_records_the_crawl_process_would(fixtures_dir) -> None:
    import asyncio

    pages = {p.stem: p.read_bytes() for p in sorted((fixtures_dir / "articles").glob("*.html"))}

    async def run(pool):
        return await asyncio.gather(*(pool.build(data, URL, None, "text/html; charset=utf-8") for data in pages.values()))

    pooled = _pool_run(run)
    assert len(pooled) == len(pages) >= 8
    for got, data in zip(pooled, pages.values(), strict=True):
        want = build_record(extract_article(data, URL))
        assert type(got) is SealedItem and got.built is True
        line = got.sealed_line()  # read before any lazy field: reading one unseals it
        assert line is not None
        assert {k: v for k, v in orjson.loads(line).items() if k != "fetched_at"} == {
            k: v for k, v in record_dict(want).items() if k != "fetched_at"
        }
        assert got == dataclasses.replace(want, fetched_at=got.fetched_at)
        assert got.sealed_line() is None  # compared field by field: the lists were handed out


def test_pool_carries_big_pages_and_raises_the_workers_exceptions(fixtures_dir) -> None:
    """A page far over a socket buffer (3 MB) goes through; NotAnArticle comes back as itself."""
    import pytest

    from scraper.pages import NotAnArticle

    page = (fixtures_dir / "articles" / "nukeviet-default.html").read_text("utf-8")
    padding = "<p>" + "Đoạn văn dài để thử một trang rất lớn. " * 40 + "</p>\n"
    big = page.replace('<div id="news-bodyhtml"', '<div id="padding">' + padding * 1400 + '</div><div id="news-bodyhtml"', 1)
    assert len(big.encode()) > 3_000_000

    async def run(pool):
        item = await pool.build(big.encode(), URL, None)
        with pytest.raises(NotAnArticle):
            await pool.build(b"<html><body><p>nothing here</p></body></html>", URL, None)
        return item

    assert _pool_run(run).title == build_record(extract_article(page, URL)).title


def test_a_dead_worker_fails_its_jobs_with_worker_lost(fixtures_dir) -> None:
    import asyncio
    import os
    import signal

    import pytest

    from scraper.workers import WorkerLost

    page = (fixtures_dir / "articles" / "nukeviet-plain.html").read_bytes()

    async def run(pool):
        await pool.build(page, URL, None)  # the worker is up
        os.kill(pool.workers[0].process.pid, signal.SIGKILL)
        with pytest.raises(WorkerLost):
            await asyncio.wait_for(pool.build(page, URL, None), 20)
        with pytest.raises(WorkerLost):  # and every later call, at once
            await asyncio.wait_for(pool.build(page, URL, None), 5)

    _pool_run(run)


def test_workers_run_at_the_niceness_they_are_given(fixtures_dir) -> None:
    """EXTRACT_WORKER_NICE: the crawl's event loop keeps its priority, the worker yields."""
    import os

    page = (fixtures_dir / "articles" / "nukeviet-plain.html").read_bytes()
    mine = os.getpriority(os.PRIO_PROCESS, 0)

    async def run(pool):
        await pool.build(page, URL, None, "text/html; charset=utf-8")  # the worker is up and serving
        return os.getpriority(os.PRIO_PROCESS, pool.workers[0].process.pid)

    assert _pool_run(run, nice=7) == min(19, mine + 7)
    assert _pool_run(run) == mine


def test_a_pool_that_cannot_start_leaves_extraction_in_the_crawl_process(monkeypatch, tmp_path) -> None:
    """No worker process to be had (a process limit, say): the crawl goes on without a pool, says
    so, and the workers already started are not left behind."""
    import subprocess

    from scrapy.utils.test import get_crawler

    import scraper.workers as workers
    from scraper.spiders.laichau import LaichauSpider

    started: list[subprocess.Popen] = []
    real = workers._start_worker

    def second_fails(sock, *args):
        if started:
            raise OSError(11, "Resource temporarily unavailable")
        started.append(real(sock, *args))
        return started[-1]

    monkeypatch.setattr(workers, "_start_worker", second_fails)
    import scraper.settings as project

    settings = {k: v for k, v in vars(project).items() if k.isupper()}
    crawler = get_crawler(LaichauSpider, {**settings, "EXTRACT_WORKERS": "2", "OUTPUT_DIR": str(tmp_path)})
    spider = LaichauSpider.from_crawler(crawler, base_url="http://127.0.0.1:9")
    try:
        assert spider.extraction_pool is None
        assert crawler.stats.get_value("crawl/workers_not_started") == 1
        assert started and started[0].wait(timeout=10) is not None  # the first worker was closed
    finally:
        spider.close_state()


def test_a_finished_page_is_not_held_back_by_pages_still_waiting_to_be_sent() -> None:
    """A worker stuck on one slow job while big jobs queue behind it: those answered before it
    come back at once. (With asyncio's 64 KiB write buffer, every sender waited in ``drain`` until
    the queue was nearly sent, long after its own reply had come.)"""
    import asyncio
    import time

    big = b"x" * (1 << 20)  # each job far over the socket's buffer

    async def run(pool):
        done: dict[str, float] = {}

        async def job(name, fn, *args):
            await pool.call(fn, *args)
            done[name] = time.monotonic()

        await asyncio.gather(
            *(job(f"before {i}", len, big) for i in range(4)),
            job("slow", time.sleep, 1.0),
            *(job(f"after {i}", len, big) for i in range(4)),
        )
        return done

    done = _pool_run(run)
    assert all(done["slow"] - done[f"before {i}"] > 0.5 for i in range(4))  # not when the queue drained
    assert all(done[f"after {i}"] >= done["slow"] for i in range(4))


def test_pages_past_the_workers_backlog_are_extracted_in_the_crawl_process(tmp_path) -> None:
    import asyncio

    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    import scraper.settings as project
    from scraper.spiders.laichau import LaichauSpider

    class Pool:
        waiting = 0

        def backlog(self) -> int:
            return self.waiting

    settings = {k: v for k, v in vars(project).items() if k.isupper()}
    bounded = get_crawler(LaichauSpider, {**settings, "EXTRACT_WORKERS": "0", "EXTRACT_LOCAL_BACKLOG": "3", "OUTPUT_DIR": str(tmp_path)})
    spider = LaichauSpider.from_crawler(bounded, base_url="http://127.0.0.1:9")
    assert spider.local_backlog == 0  # EXTRACT_TIMEOUT: nothing is extracted here while a worker can be had
    spider.close_state()
    unbounded = {"EXTRACT_TIMEOUT": "0", "EXTRACT_WORKER_MEMORY_MB": "0"}
    crawler = get_crawler(LaichauSpider, {
        **settings, **unbounded, "EXTRACT_WORKERS": "0", "EXTRACT_LOCAL_BACKLOG": "3", "OUTPUT_DIR": str(tmp_path),
    })
    spider = LaichauSpider.from_crawler(crawler, base_url="http://127.0.0.1:9")
    spider.extraction_pool = pool = Pool()  # type: ignore[assignment]
    response = HtmlResponse(URL, body=b"<html></html>")

    async def in_worker(p):
        return "worker"

    def extract(waiting: int) -> str:
        pool.waiting = waiting
        return asyncio.run(spider.extracted(response, in_worker, lambda: "here"))

    try:
        assert [extract(n) for n in (0, 2, 3, 7)] == ["worker", "worker", "here", "here"]
        assert crawler.stats.get_value("crawl/extracted_locally") == 2
        spider.local_backlog = 0  # EXTRACT_LOCAL_BACKLOG=0: always the workers
        assert extract(50) == "worker"
    finally:
        spider.extraction_pool = None
        spider.close_state()
