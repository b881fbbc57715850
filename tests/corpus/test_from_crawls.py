"""Real crawls of the replica: every crawl writes ``report-<UTC>.html`` beside its JSON report, and
the corpus of a crawl and its refresh holds each article once (the issue's 396 rows for 198)."""

from __future__ import annotations

import json

import pytest

from scraper.corpus.html_report import PALETTE
from scraper.replica import ReplicaServer, Site
from tests.corpus.conftest import articles_of, corpus_cli, lines
from tests.corpus.test_reports import assert_drawn, assert_self_contained
from tests.spiders.conftest import crawl


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    out = tmp_path_factory.mktemp("crawls") / "output"
    site = Site(n_articles=60, n_categories=3, seed=11, missing_rate=0.05)
    with ReplicaServer(site) as server:
        for stamp, args in (("20250110T191500Z", {}), ("20250111T191500Z", {"refresh": "1"})):
            code, log = crawl(server.base_url, out, args=args, settings={"RUN_STAMP": stamp})
            assert code == 0, log[-3000:]
    return out, site


def test_every_crawl_writes_its_html_report_beside_the_json_one(crawled, tmp_path) -> None:
    out, site = crawled
    reports = sorted(out.glob("report-*.json"))
    assert [p.stem for p in reports] == ["report-20250110T191500Z", "report-20250111T191500Z"]
    for path in reports:
        report = json.loads(path.read_text("utf-8"))
        page_file = path.with_suffix(".html")
        page = page_file.read_text("utf-8")
        assert_self_contained(page)
        months = report["articles_by_month_category"]
        assert sum(n for cats in months.values() for n in cats.values()) == report["records"] == len(site.expected_ids())
        assert set(months) == {a.published.strftime("%Y-%m") for a in site.articles if a.id in site.expected_ids()}
        assert report["http_error_addresses"]["404"] and all(f"<code>{u}</code>" in page for u in report["http_error_addresses"]["404"])
        assert f"<h3>HTTP 404: {report['http_errors_by_status']['404']}</h3>" in page
        assert f"{report['requests']:,} / {report['responses']:,}" in page and f"{report['duration_seconds']:,.1f} s" in page
    assert_drawn(reports[0].with_suffix(".html"), tmp_path, min_bar_pixels=100)
    assert PALETTE[0] in reports[0].with_suffix(".html").read_text("utf-8")


def test_a_crawl_and_its_refresh_make_one_row_per_article(crawled, tmp_path) -> None:
    out, site = crawled
    feeds = sorted(out.glob("articles-*.jsonl"))
    assert sum(len(p.read_text("utf-8").splitlines()) for p in feeds) == 2 * len(site.expected_ids())
    done = corpus_cli(out, "--to", out / "corpus")  # the corpus may live among the feeds it is made of
    assert done.returncode == 0, done.stderr
    rows = articles_of(out / "corpus")
    assert sorted(int(r["article_id"]) for r in rows) == sorted(site.expected_ids())
    first, refresh = ({r["url"]: r["fetched_at"] for r in lines(p)} for p in feeds)
    assert all(r["revision_count"] == 1 for r in rows)
    assert {r["url"]: (r["first_seen_at"], r["fetched_at"]) for r in rows} == {u: (first[u], refresh[u]) for u in first}
    assert list((out / "corpus" / "jsonl" / "revisions").iterdir()) == []
    again = corpus_cli(out, "--to", out / "corpus")  # its own JSON Lines are no feeds
    assert "is up to date" in again.stdout and f"nothing new in {len(feeds)} feed file(s)" in again.stdout
