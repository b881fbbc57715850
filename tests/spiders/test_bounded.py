"""A crawl with pathological article pages: each becomes a failure in the run report, with its
address, and every other article is written; the crawl is never held by one page."""

from __future__ import annotations

import json
import time

from scraper.replica import ReplicaServer, Site
from scraper.replica.routes import Response
from tests.spiders.conftest import crawl, records

BODY = b'<div id="news-bodyhtml" class="bodytext margin-bottom-lg">'


class Pathological:
    """Serves two articles with a body no page of the portal has: 200,000 unclosed ``<div>``
    (1 MB: 106 s of lexbor's parse) and 375,000 paragraphs (3 MB: linear, about 2.5 s)."""

    def __init__(self, deep: str, big: str) -> None:
        self.bodies = {deep: b"<div>" * 200_000, big: b"<p>x</p>" * 375_000}

    def intercept(self, request, response):
        extra = self.bodies.get(request.target)
        if extra is None or BODY not in response.body:
            return None
        return Response(response.status, response.body.replace(BODY, BODY + extra, 1), response.content_type,
                        dict(response.headers))


def test_pathological_articles_are_reported_failures_and_the_rest_is_written(tmp_path) -> None:
    site = Site(n_articles=30, n_categories=2, missing_rate=0.0, seed=5)
    deep, big = (site.article_url_path(a) for a in site.articles[3:5])
    with ReplicaServer(site, faults=Pathological(deep, big)) as server:
        start = time.monotonic()
        code, log = crawl(server.base_url, tmp_path, timeout=90, settings={"EXTRACT_TIMEOUT": "0.5"})
        elapsed = time.monotonic() - start
    assert code == 0, log[-3000:]
    assert elapsed < 60
    got = {r["article_id"] for r in records(tmp_path)}
    bad = {str(a.id) for a in site.articles[3:5]}
    assert got == {str(i) for i in site.expected_ids()} - bad
    report = json.loads(next(tmp_path.glob("report-*.json")).read_text("utf-8"))
    assert report["download_failures"] == {"NestingTooDeep": 1, "ExtractionTimeout": 1}
    assert sorted(report["download_failure_addresses"]) == sorted(
        [f"{server.base_url}{deep} (NestingTooDeep)", f"{server.base_url}{big} (ExtractionTimeout)"]
    )
    assert "extracting it in the crawl process" not in log  # a page past a bound is not tried again here
