"""The ``wayback`` spider against a replica of the CDX API and snapshot endpoint."""

from __future__ import annotations

import collections
import json

import pytest

from scraper.replica.wayback import WaybackReplica, WaybackServer
from tests.spiders.conftest import crawl, records


def wayback(archive: str, out, args: dict | None = None) -> None:
    code, log = crawl(archive, out, args=args, settings={"CDX_PAGE_SIZE": "7"}, spider="wayback")
    assert code == 0, log[-3000:]


@pytest.fixture(scope="module")
def archive():
    replica = WaybackReplica(legacy_articles=30, seed=4)
    with WaybackServer(replica, throttle=9) as server:  # every 9th request: 429 Retry-After: 1
        yield replica, server


def _latest_content_capture(replica, url: str) -> str:
    """collapse=digest keeps the first of a run of identical captures: the latest content's first capture."""
    caps = sorted((c for c in replica.captures_of(url) if c.statuscode == "200"), key=lambda c: c.timestamp)
    i = len(caps) - 1
    while i > 0 and caps[i - 1].digest == caps[i].digest:
        i -= 1
    return caps[i].timestamp


def test_every_archived_article_once_with_legacy_fields(archive, tmp_path) -> None:
    replica, server = archive
    wayback(server.base_url, tmp_path)
    recs = records(tmp_path)
    by_url = collections.Counter(r["url"] for r in recs)
    assert max(by_url.values()) == 1
    expected = replica.expected_articles()
    assert set(by_url) == set(expected)
    for rec in recs:
        exp = expected[rec["url"]]
        art = exp.article
        assert rec["layout"] == exp.layout
        ts = _latest_content_capture(replica, rec["url"])
        assert rec["archived_at"] == f"{ts[:4]}-{ts[4:6]}-{ts[6:8]}T{ts[8:10]}:{ts[10:12]}:{ts[12:14]}Z"
        assert rec["archive_url"].startswith(server.base_url + f"/web/{ts}id_/")
        assert rec["title"] == art.title
        if exp.layout == "legacy":
            assert rec["published_at"] == art.published.isoformat(timespec="seconds")
            assert rec["published_at_raw"] == art.published_raw
            assert rec["body_text"] == art.body_text
            assert [(i["url"], i["caption"]) for i in rec["images"]] == [(i.url, i.caption) for i in art.images]
            assert [(r["section"], r["title"], r["url"], r["published_at"]) for r in rec["related"]] == [
                (r.section, r.title, r.url, r.published.isoformat(timespec="seconds")) for r in art.related
            ]
            assert rec["category"] == art.category_name
        assert rec["warnings"] == []
    # the corrected article comes from its latest capture
    fixed = replica.corrected
    assert next(r for r in recs if r["url"] == fixed.url)["title"] == fixed.title
    # 12 SA / 12 CH hours are among the recovered times
    hours = {r["published_at"][11:13] for r in recs if r["layout"] == "legacy"}
    assert "00" in hours and "12" in hours

    report = json.loads(next(tmp_path.glob("report-*.json")).read_text())
    assert report["captures_skipped"]["not_an_article_address"] >= 2  # home, category pages
    assert report["records"] == len(expected)
    assert any(status == 429 for _, _, status in server.requests)  # throttled, retried, still complete


def test_all_captures_and_incremental_rerun(archive, tmp_path) -> None:
    replica, server = archive
    wayback(server.base_url, tmp_path / "all", args={"all_captures": "1"})
    recs = records(tmp_path / "all")
    per_url = collections.Counter(r["url"] for r in recs)
    assert per_url[replica.corrected.url] == 2
    assert sum(per_url.values()) > len(replica.expected_articles())

    server.reset_log()
    wayback(server.base_url, tmp_path / "all", args={"all_captures": "1"})
    snapshot_requests = [t for _, t, _ in server.requests if t.startswith("/web/")]
    assert snapshot_requests == []
    assert len(records(tmp_path / "all")) == len(recs)


def test_year_range_limits_the_captures(archive, tmp_path) -> None:
    replica, server = archive
    wayback(server.base_url, tmp_path, args={"from": "2021", "to": "2021"})
    recs = records(tmp_path)
    assert recs and all(r["layout"] == "legacy" and r["archived_at"].startswith("2021") for r in recs)
