"""Bounded extraction: the nesting guard, the workers' time and memory limits, the crawl's handling
of a page past one, and the ``extract`` command's (the crawl itself: tests/spiders/test_bounded.py).

lexbor's parse is quadratic in unclosed elements (200,000 unclosed ``<div>``: 106 s) and runs in C,
where no signal reaches it: a page must never hold the crawl, only a worker that can be killed.
"""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
import time

import pytest

from scraper.pages import ExtractionLimit, NestingTooDeep, extract_article
from scraper.pages.dom import NESTING_WORK_LIMIT, nesting_work
from scraper.pipelines import build_record
from scraper.workers import ExtractionMemory, ExtractionPool, ExtractionTimeout
from tests.conftest import ARTICLES, ROOT

URL = "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-viet-1.html"
PAGE = (ARTICLES / "nukeviet-default.html").read_bytes()
BODY = b'<div id="news-bodyhtml" class="bodytext margin-bottom-lg">'


def in_body(markup: bytes) -> bytes:
    """The fixture page with ``markup`` at the start of its NukeViet body."""
    assert BODY in PAGE
    return PAGE.replace(BODY, BODY + markup, 1)


#: 200,000 unclosed <div> in the article body (1 MB): 106 s of lexbor's parse.
DEEP = in_body(b"<div>" * 200_000)
#: Dense line breaks (2 MB): linear, but some 280 MiB to extract.
DENSE = in_body(b"x<br>" * 400_000)


def pool_run(coro_fn, **limits):
    """``coro_fn(pool)`` on a fresh event loop with a one-worker pool, closed after."""
    pool = ExtractionPool(1, **limits)
    try:
        return asyncio.run(coro_fn(pool))
    finally:
        pool.close()
        assert all(w.process.poll() is not None for w in pool.workers)


# -- the nesting guard ---------------------------------------------------------------------------


def test_the_guard_refuses_deep_nesting_at_once() -> None:
    start = time.monotonic()
    with pytest.raises(NestingTooDeep):
        extract_article(DEEP, URL)
    assert time.monotonic() - start < 1.0
    assert issubclass(NestingTooDeep, ExtractionLimit)


def test_the_guard_lets_ordinary_and_merely_big_pages_through() -> None:
    """Every fixture scores nothing (too small to add up to the limit); big pages of ordinary
    markup, and the unclosed elements HTML closes itself (paragraphs, list items, cells, forms),
    score far below the limit: lexbor parses those in linear time."""
    for path in sorted(ARTICLES.glob("*.html")):
        assert nesting_work(path.read_bytes()) == 0, path.name
    big = PAGE * 150  # 1.7 MB, 40,000 tags, balanced
    assert 0 < nesting_work(big) < NESTING_WORK_LIMIT // 100
    for markup in (b"<p>x" * 12_000, b"<ul>" + b"<li>x" * 12_000, b"<table>" + b"<tr><td>x" * 12_000,
                   b"<form>" * 12_000, b"<span>x</span>" * 12_000, b"x<br>" * 12_000):
        page = in_body(markup)
        assert 0 < nesting_work(page) < NESTING_WORK_LIMIT // 10, markup[:20]  # scanned, and let through
        assert build_record(extract_article(page, URL)).title


@pytest.mark.parametrize("markup", [
    b"<div>" * 12_000,  # 60 KB: just past the limit (0.2-0.3 s of parse)
    b"<section>" * 20_000,
    b"<div></span>" * 20_000,  # stray end tags do not close what they do not name
    b"<div>" * 20_000 + b"</div>" * 20_000,  # closed at last: the depth on the way is what costs
    b"<span>" * 20_000 + b"<p>x</p>" * 20_000,  # inline nesting, then blocks that search past it
    b"<DIV>" * 20_000,
], ids=["div", "section", "stray-ends", "closed-late", "inline-then-blocks", "upper-case"])
def test_the_guard_sees_through_variants_of_deep_nesting(markup: bytes) -> None:
    assert nesting_work(in_body(markup)) > NESTING_WORK_LIMIT


def test_markup_in_comments_and_scripts_is_no_markup_and_their_openers_cost_linear_time() -> None:
    hidden = in_body(b"<!--" + b"<div>" * 20_000 + b"-->" + b"<script>" + b"<div>" * 20_000 + b"</script>x")
    assert nesting_work(hidden) < NESTING_WORK_LIMIT // 10
    start = time.monotonic()
    for opener in (b"<!--", b"<script>", b"<SCRIPT>"):  # never closed: each would scan to the end
        assert nesting_work(in_body(b"<p>x</p>" * 5_000 + opener * 100_000)) < NESTING_WORK_LIMIT
    assert time.monotonic() - start < 2.0


# -- the workers' limits -------------------------------------------------------------------------


def test_a_deep_page_in_a_worker_is_refused_by_the_guard_without_costing_the_worker() -> None:
    async def run(pool):
        await pool.build(PAGE, URL, None)  # the worker is up
        start = time.monotonic()
        with pytest.raises(NestingTooDeep):
            await pool.build(DEEP, URL, None, "text/html; charset=utf-8")
        return time.monotonic() - start, pool.replaced

    elapsed, replaced = pool_run(run, timeout=5)
    assert elapsed < 1.0 and replaced == 0


def test_a_job_past_the_time_limit_stops_its_worker_and_the_next_pages_are_served() -> None:
    """The deep page parsed without the guard (lexbor alone, 106 s): a timeout after 0.5 s; the
    pages queued behind it are extracted by the worker started in its place."""
    from selectolax.lexbor import LexborHTMLParser

    want = build_record(extract_article(PAGE, URL))

    async def run(pool):
        await pool.build(PAGE, URL, None)
        stuck = pool.workers[0].process
        start = time.monotonic()
        got = await asyncio.gather(
            pool.call(LexborHTMLParser, DEEP), pool.build(PAGE, URL, None), pool.build(PAGE, URL, None),
            return_exceptions=True,
        )
        return got, time.monotonic() - start, stuck, pool

    (timed_out, *after), elapsed, stuck, pool = pool_run(run, timeout=0.5)
    assert isinstance(timed_out, ExtractionTimeout) and isinstance(timed_out, ExtractionLimit)
    assert [item.title for item in after] == [want.title] * 2
    assert 0.5 <= elapsed < 10.0
    assert stuck.poll() is not None and pool.replaced == 1 and pool.workers[0].process is not stuck


def test_the_time_limit_runs_from_the_workers_start_not_its_imports() -> None:
    """A fresh worker takes 0.3-1 s to import the page objects: the first page is not timed from
    the moment it was sent."""

    async def run(pool):
        return await asyncio.gather(*(pool.build(PAGE, URL, None, "text/html; charset=utf-8") for _ in range(3)))

    assert len(pool_run(run, timeout=0.1)) == 3


def test_a_page_over_the_memory_limit_fails_and_its_worker_is_replaced() -> None:
    async def run(pool):
        with pytest.raises(ExtractionMemory):
            await pool.build(DENSE, URL, None)
        return await pool.build(PAGE, URL, None), pool.replaced

    item, replaced = pool_run(run, memory_mb=200)
    assert item.title and replaced == 1


def test_a_page_past_a_bound_is_a_reported_failure_never_extracted_in_the_crawl_process(tmp_path) -> None:
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    import scraper.settings as project
    from scraper.report import download_failed
    from scraper.spiders.laichau import LaichauSpider

    settings = {k: v for k, v in vars(project).items() if k.isupper()}
    crawler = get_crawler(LaichauSpider, {**settings, "EXTRACT_WORKERS": "0", "OUTPUT_DIR": str(tmp_path)})
    spider = LaichauSpider.from_crawler(crawler, base_url="http://127.0.0.1:9")
    reported: list[tuple[str, str]] = []
    crawler.signals.connect(lambda url, reason: reported.append((url, reason)), signal=download_failed, weak=False)
    here_calls: list[str] = []

    class Pool:
        def backlog(self) -> int:
            return 0

    async def in_worker(pool):
        raise ExtractionTimeout("extraction took over 1 s")

    def here():
        here_calls.append("here")
        return "record"

    spider.extraction_pool = Pool()  # type: ignore[assignment]
    try:
        response = HtmlResponse(URL, body=b"<html></html>")
        assert asyncio.run(spider.extracted(response, in_worker, here)) is None
        spider.extraction_pool = None  # no worker: the guard's refusal in this process, reported alike
        deep = HtmlResponse(URL.replace("-1.", "-2."), body=DEEP, encoding="utf-8")
        assert asyncio.run(spider.extracted(deep, in_worker, lambda: extract_article(deep.body, deep.url))) is None
    finally:
        spider.extraction_pool = None
        spider.close_state()
    assert here_calls == []
    assert reported == [(URL, "ExtractionTimeout"), (URL.replace("-1.", "-2."), "NestingTooDeep")]
    assert crawler.stats.get_value("failures/ExtractionTimeout") == 1
    assert crawler.stats.get_value("failures/NestingTooDeep") == 1


# -- the extract command -------------------------------------------------------------------------


def test_extract_names_a_page_past_a_bound_and_goes_on(tmp_path) -> None:
    deep = tmp_path / "deep.html"
    deep.write_bytes(DEEP)
    dense = tmp_path / "dense.html"
    dense.write_bytes(DENSE)
    seed = ARTICLES / "legacy-seed.html"
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "scraper", "extract", str(deep), str(seed), str(dense), "--timeout", "5", "--memory-mb", "200"],
        capture_output=True, cwd=ROOT, timeout=60,
    )
    assert time.monotonic() - start < 30
    assert proc.returncode == 1, proc.stderr.decode()
    assert [json.loads(line)["layout"] for line in proc.stdout.decode().splitlines()] == ["legacy"]
    errors = [line for line in proc.stderr.decode().splitlines() if line.startswith("error: ")]
    assert len(errors) == 2
    assert "deep.html" in errors[0] and "NestingTooDeep" in errors[0]
    assert "dense.html" in errors[1] and "ExtractionMemory" in errors[1]


def stuck(data: bytes, address: str) -> None:
    """A page's job that never ends (the worker imports it from this module)."""
    time.sleep(60)


def test_extract_stops_a_page_past_its_time_limit(tmp_path, monkeypatch) -> None:
    """The time limit, on a page the guard cannot refuse: a job the worker never finishes."""
    import scraper.extract as extract

    monkeypatch.setattr(extract, "file_record", stuck)
    slow = tmp_path / "slow.html"
    slow.write_bytes(PAGE)
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    code = extract.run([slow], URL, out, err, timeout=0.3, memory_mb=0)
    assert time.monotonic() - start < 10
    assert code == 1 and out.getvalue() == ""
    assert "slow.html" in err.getvalue() and "ExtractionTimeout" in err.getvalue()


def test_extract_warc_names_the_capture_past_a_bound(tmp_path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "capture.warc.gz"
    good = "https://congan.laichau.gov.vn/an-ninh-trat-tu/tin-tot-5427.html"
    bad = "https://congan.laichau.gov.vn/an-ninh-trat-tu/tin-sau-5428.html"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, body in ((bad, DEEP), (good, PAGE)):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
    out, err = io.StringIO(), io.StringIO()
    from scraper.extract import run

    assert run([path], None, out, err, timeout=5, memory_mb=0) == 1
    assert len(out.getvalue().splitlines()) == 1
    errors = [line for line in err.getvalue().splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and str(path) in errors[0] and bad in errors[0] and "NestingTooDeep" in errors[0]


def test_extract_output_is_the_same_through_its_worker(tmp_path) -> None:
    """Every fixture gives the record the page objects give in this process."""
    from scraper.extract import run
    from scraper.pipelines import record_fields, record_line

    pages = sorted(ARTICLES.glob("*.html"))
    bounded, here = io.StringIO(), io.StringIO()
    assert run(pages, URL, bounded, io.StringIO()) == 0
    assert run(pages, URL, here, io.StringIO(), timeout=0, memory_mb=0) == 0
    assert [json.loads(x) | {"fetched_at": None} for x in bounded.getvalue().splitlines()] == [
        json.loads(x) | {"fetched_at": None} for x in here.getvalue().splitlines()
    ]  # the same records; the fetch time is the clock's (a second may turn between the runs)
    want = "".join(record_line(record_fields(build_record(extract_article(p.read_bytes(), URL)))).decode() for p in pages)
    assert [json.loads(x) | {"fetched_at": None} for x in bounded.getvalue().splitlines()] == [
        json.loads(x) | {"fetched_at": None} for x in want.splitlines()
    ]

