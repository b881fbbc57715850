"""End to end over HTTP: the real spider against the replica portal on 127.0.0.1."""

from __future__ import annotations

import collections
import json
import os
import signal
import time
from pathlib import Path

import pytest

from scraper.replica.render import visible_date
from scraper.runner import REPLICA_SETTINGS, crawl_argv, start_crawl
from tests.spiders.conftest import crawl, records


def _by_id(recs: list[dict]) -> dict[str, dict]:
    counts = collections.Counter(r["article_id"] for r in recs)
    assert all(n == 1 for n in counts.values()), [k for k, n in counts.items() if n > 1]
    return {r["article_id"]: r for r in recs}


def test_full_crawl_then_incremental_reruns(replica, tmp_path) -> None:
    site = replica.site
    code, log = crawl(replica.base_url, tmp_path)
    assert code == 0, log[-3000:]
    got = _by_id(records(tmp_path))
    expected = {str(i) for i in site.expected_ids()}
    assert set(got) == expected

    # fields match the site model
    for art in site.articles:
        if str(art.id) not in got:
            continue
        rec = got[str(art.id)]
        assert rec["url"] == replica.base_url + site.article_url_path(art)
        assert rec["title"] == art.title
        assert rec["published_at_raw"] == visible_date(art)
        assert rec["published_at"] == art.published.strftime("%Y-%m-%dT%H:%M:00+07:00")
        assert rec["category"] == art.category.name
        assert rec["views"] == art.views  # from the listing: the article page shows none
        assert rec["body_text"] == art.body_text
        assert rec["warnings"] == []

    # a re-run against the unchanged replica: home, robots and page 1 of each category only
    replica.reset_log()
    code, log = crawl(replica.base_url, tmp_path)
    assert code == 0, log[-3000:]
    paths = [path for _, path, _ in replica.requests]
    assert len(paths) <= len(site.categories) + 2, paths
    assert set(paths) <= {"/", "/robots.txt"} | {f"/{c.alias}/" for c in site.categories}
    assert len(records(tmp_path)) == len(expected)  # nothing new written

    # three new articles: the next run writes exactly those
    new = site.add_articles(3)
    code, log = crawl(replica.base_url, tmp_path)
    assert code == 0, log[-3000:]
    after = _by_id(records(tmp_path))
    added = set(after) - set(got)
    assert added == {str(a.id) for a in new if a.id not in site.missing_ids}


def test_print_index_php_and_wrong_slug_collapse_to_one_record(replica, tmp_path) -> None:
    site = replica.site
    code, log = crawl(replica.base_url, tmp_path)
    assert code == 0, log[-3000:]
    got = _by_id(records(tmp_path))
    for art_id in site.wrong_slug_ids:
        rec = got[str(art_id)]
        assert rec["url"] == replica.base_url + site.article_url_path(site.article(art_id))


def test_latest_mode_and_since(replica, tmp_path) -> None:
    site = replica.site
    code, log = crawl(replica.base_url, tmp_path / "latest", args={"mode": "latest"})
    assert code == 0, log[-3000:]
    paths = {path for _, path, _ in replica.requests}
    assert "/sitemap.xml" in paths and "/rss/" in paths
    assert not any("/page-" in p for p in paths)  # only the first page of each category
    latest = _by_id(records(tmp_path / "latest"))
    assert {str(a.id) for a in site.latest(30) if a.id not in site.missing_ids} <= set(latest)

    newest = max(a.published for a in site.articles)
    since = newest.date().replace(day=1)
    replica.reset_log()
    code, log = crawl(replica.base_url, tmp_path / "since", args={"since": since.isoformat()})
    assert code == 0, log[-3000:]
    recent = _by_id(records(tmp_path / "since"))
    wanted = {str(a.id) for a in site.articles if a.published.date() >= since and a.id not in site.missing_ids}
    assert wanted <= set(recent)
    assert len(recent) < len(site.expected_ids())


def _multiprocessing_pids() -> set[int]:
    """Extraction workers and processes of Python's multiprocessing (resource tracker, forkserver)
    now alive."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"multiprocessing" in cmdline or b"scraper.workers" in cmdline:
                pids.add(int(entry.name))
    return pids


def _lines(out: Path) -> int:
    return sum(len(p.read_bytes().splitlines()) for p in out.glob("articles-*.jsonl"))


def _wait_for_lines(out: Path, n: int, timeout: float = 120) -> None:
    """Until a running crawl has written ``n`` records into ``out``."""
    deadline = time.time() + timeout
    while _lines(out) < n and time.time() < deadline:
        time.sleep(0.05)


@pytest.mark.parametrize("workers", ["0", "1"])
def test_sigkill_mid_crawl_then_restart_gives_every_article_once(replica, tmp_path, workers) -> None:
    """A kill between state checkpoints, with extraction in the crawl or in a worker process:
    the restart settles the feed, finishes the crawl, and a killed crawl leaves no worker behind."""
    site = replica.site
    settings = {**REPLICA_SETTINGS, "OUTPUT_DIR": str(tmp_path), "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
                "DOWNLOAD_DELAY": "0.01", "EXTRACT_WORKERS": workers}
    argv = crawl_argv("laichau", {"base_url": replica.base_url}, settings)
    already = _multiprocessing_pids()
    proc = start_crawl(argv, tmp_path / "killed.log")
    _wait_for_lines(tmp_path, 40)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    before = _lines(tmp_path)
    assert 40 <= before < len(site.expected_ids())
    deadline = time.time() + 15  # orphaned workers see their pipes close and exit
    while _multiprocessing_pids() - already and time.time() < deadline:
        time.sleep(0.1)
    assert not _multiprocessing_pids() - already

    code, log = crawl(replica.base_url, tmp_path)
    assert code == 0, log[-3000:]
    for path in tmp_path.glob("articles-*.jsonl"):  # every line of every file parses
        for line in path.read_bytes().splitlines():
            json.loads(line)
    got = _by_id(records(tmp_path))
    assert set(got) == {str(i) for i in site.expected_ids()}


def test_categories_argument_narrows_the_crawl(replica, tmp_path) -> None:
    site = replica.site
    wanted = site.categories[1]
    code, log = crawl(replica.base_url, tmp_path, args={"categories": wanted.alias})
    assert code == 0, log[-3000:]
    recs = records(tmp_path)
    expected = {str(a.id) for a in site.category_articles(wanted.alias) if a.id not in site.missing_ids}
    assert {r["article_id"] for r in recs} == expected
    assert {r["category"] for r in recs} == {wanted.name}
    other = {f"/{c.alias}/" for c in site.categories if c is not wanted}
    assert not other & {path for _, path, _ in replica.requests}


def test_extraction_workers_give_the_same_records(replica, tmp_path) -> None:
    code, log = crawl(replica.base_url, tmp_path / "inline", settings={"EXTRACT_WORKERS": "0"})
    assert code == 0, log[-3000:]
    code, log = crawl(replica.base_url, tmp_path / "pool", settings={"EXTRACT_WORKERS": "2"})
    assert code == 0, log[-3000:]
    inline = {r["article_id"]: r for r in records(tmp_path / "inline")}
    pooled = {r["article_id"]: r for r in records(tmp_path / "pool")}
    assert set(inline) == set(pooled) == {str(i) for i in replica.site.expected_ids()}
    for key, rec in inline.items():
        assert {k: v for k, v in pooled[key].items() if k != "fetched_at"} == {k: v for k, v in rec.items() if k != "fetched_at"}
    report = json.loads(next((tmp_path / "pool").glob("report-*.json")).read_text())
    assert report["records"] == len(pooled)
    # the sealed records' coverage, read without unsealing them, is the in-process records'
    inline_report = json.loads(next((tmp_path / "inline").glob("report-*.json")).read_text())
    assert report["coverage"] == inline_report["coverage"]
    assert 0 < report["coverage"]["images"] < 1 and 0 < report["coverage"]["tags"] < 1  # lazy fields, partly filled


def test_a_worker_killed_mid_crawl_costs_nothing(replica, tmp_path) -> None:
    """The extraction worker dies under the crawl: its pages are extracted in the crawl process,
    the crawl finishes with every article once, and the loss is logged as an error."""
    site = replica.site
    settings = {**REPLICA_SETTINGS, "OUTPUT_DIR": str(tmp_path), "LOG_FILE": str(tmp_path / "crawl.log"),
                "CONCURRENT_REQUESTS_PER_DOMAIN": "2", "DOWNLOAD_DELAY": "0.01", "EXTRACT_WORKERS": "1"}
    already = _multiprocessing_pids()
    proc = start_crawl(crawl_argv("laichau", {"base_url": replica.base_url}, settings))
    _wait_for_lines(tmp_path, 20)
    workers = _multiprocessing_pids() - already
    assert workers, "no extraction worker found"
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    assert proc.wait(timeout=240) == 0
    log = (tmp_path / "crawl.log").read_text("utf-8")
    assert "extracting it in the crawl process" in log
    got = _by_id(records(tmp_path))
    assert set(got) == {str(i) for i in site.expected_ids()}
