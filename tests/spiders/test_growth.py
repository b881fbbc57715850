"""New articles on the portal: the replica grown from N to N+k articles (same seed, same address)
is the old portal plus k newer articles, and the next incremental run fetches and writes those k only."""

from __future__ import annotations

import json
import re

from scraper.replica import ReplicaServer, Site
from tests.spiders.conftest import crawl, records

ARTICLE = re.compile(r"^/[^/]+/[^/]+-\d+\.html$")


def _site(n: int) -> Site:
    # no 404s or stale slugs: each article is one request, so "exactly k" is exact
    return Site(n_articles=n, n_categories=3, per_page=10, seed=9, missing_rate=0.0, wrong_slug_rate=0.0)


def test_the_next_run_fetches_exactly_the_articles_the_grown_replica_added(tmp_path) -> None:
    n, k = 100, 20
    small, grown = _site(n), _site(n + k)
    new = grown.articles[n:]
    # the grown portal keeps every article where it was, and its k new ones are the newest
    assert [(a.id, small.article_url_path(a)) for a in small.articles] == [(a.id, grown.article_url_path(a)) for a in grown.articles[:n]]
    assert grown.latest(k) == new[::-1]

    with ReplicaServer(small) as first:
        code, log = crawl(first.base_url, tmp_path, settings={"REPORT_PATH": str(tmp_path / "first.json")})
        port = first.port
    assert code == 0, log[-3000:]
    before = {r["article_id"] for r in records(tmp_path)}
    assert before == {str(a.id) for a in small.articles}

    with ReplicaServer(grown, port=port) as second:  # the same address, as a restarted --articles 120
        code, log = crawl(second.base_url, tmp_path, settings={"REPORT_PATH": str(tmp_path / "second.json")})
        fetched = [path for _, path, _ in second.requests if ARTICLE.match(path)]
    assert code == 0, log[-3000:]
    assert sorted(fetched) == sorted(grown.article_url_path(a) for a in new)  # each new page once, no old one
    after = records(tmp_path)
    assert len(after) == n + k and {r["article_id"] for r in after} - before == {str(a.id) for a in new}
    assert json.loads((tmp_path / "second.json").read_text("utf-8"))["records"] == k
