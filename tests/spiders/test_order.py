"""A record is the same whatever order its article and listing pages arrive in, and the same again
when re-extracted from the crawl's WARC."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from scraper.extract import run as extract
from scraper.replica import ReplicaServer, Site
from scraper.replica.server import ActionResponse
from tests.spiders.conftest import crawl, records


class Slow:
    """Delays every category page or every article page; the home page, as many themes have it,
    shows its articles without their view counts (only the category pages show them)."""

    def __init__(self, what: str) -> None:
        self.what = what

    def intercept(self, request, response):
        path = request.target.split("?")[0]
        body = re.sub(rb"\xc4\x90\xc3\xa3 xem: [\d.]+", b"", response.body) if path == "/" else response.body
        article = path.endswith(".html")
        slow = path != "/" and not path.startswith("/robots") and (self.what == "articles") == article
        return ActionResponse(response.status, body, response.content_type, dict(response.headers), delay=0.05 if slow else 0)


def _without_fetch_time(recs: list[dict]) -> dict[str, dict]:
    return {r["article_id"]: {k: v for k, v in r.items() if k != "fetched_at"} for r in recs}


@pytest.fixture
def server():
    with ReplicaServer(Site(n_articles=60, n_categories=3, per_page=10, seed=4), faults=Slow("listings")) as srv:
        yield srv


def _crawl(server: ReplicaServer, slow: str, out: Path) -> dict[str, dict]:
    server.faults.what = slow
    code, log = crawl(server.base_url, out, settings={"WARC_DIR": str(out / "warc")})
    assert code == 0, log[-3000:]
    return _without_fetch_time(records(out))


def test_same_records_whatever_order_pages_arrive(server, tmp_path) -> None:
    slow_listings = _crawl(server, "listings", tmp_path / "a")
    slow_articles = _crawl(server, "articles", tmp_path / "b")
    assert set(slow_listings) == {str(i) for i in server.site.expected_ids()}
    assert sum(r["views"] is not None for r in slow_listings.values()) == len(slow_listings)
    differ = [k for k in slow_listings if slow_listings[k] != slow_articles.get(k)]
    assert not differ, f"{len(differ)} records differ with the order of fetching"

    for name, crawled in (("a", slow_listings), ("b", slow_articles)):
        out, err = io.StringIO(), io.StringIO()
        assert extract(sorted((tmp_path / name / "warc").glob("*.warc.gz")), None, out, err) == 0, err.getvalue()
        again = _without_fetch_time([json.loads(line) for line in out.getvalue().splitlines()])
        differ = [k for k in crawled if crawled[k] != again.get(k)]
        assert not differ, f"{name}: {len(differ)} records differ between the crawl and its WARC"
