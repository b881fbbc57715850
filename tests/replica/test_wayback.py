"""The Wayback replica behaves like archive.org's CDX API and ``id_`` replay, over real HTTP.

The archive crawler is tested against this replica, so its own CDX semantics (header row,
regex filters, adjacent-digest collapse, resume keys, nearest-capture redirects) are pinned
here against the capture list it was built from.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from scraper.replica.legacy import LegacySite, format_legacy_datetime, render_legacy_article
from scraper.replica.wayback import CDX_FIELDS, Capture, WaybackReplica, WaybackServer, surt

HOST = "congan.laichau.gov.vn"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and raw body, without following redirects."""
    try:
        with _OPENER.open(url, timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.fixture(scope="module")
def wb() -> Iterator[tuple[WaybackReplica, WaybackServer]]:
    replica = WaybackReplica(seed=0)
    with WaybackServer(replica) as srv:
        yield replica, srv


def cdx(srv: WaybackServer, params: list[tuple[str, str]], raw_tail: str = "") -> list[list[str]]:
    status, _, body = fetch(f"{srv.base_url}/cdx/search/cdx?{urllib.parse.urlencode(params)}{raw_tail}")
    assert status == 200, body
    return json.loads(body)


BASE = [("url", f"{HOST}/*"), ("output", "json")]


def adjacent_distinct(caps: list[Capture]) -> list[Capture]:
    out: list[Capture] = []
    for c in caps:
        if not out or out[-1].digest != c.digest:
            out.append(c)
    return out


def test_header_row_default_fields_and_sort_order(wb: tuple[WaybackReplica, WaybackServer]) -> None:
    replica, srv = wb
    rows = cdx(srv, BASE)
    assert rows[0] == list(CDX_FIELDS)
    assert all(isinstance(v, str) for r in rows[1:] for v in r)
    assert [(r[0], r[1]) for r in rows[1:]] == [(c.urlkey, c.timestamp) for c in replica.captures]
    assert rows[1:] == sorted(rows[1:], key=lambda r: (r[0], r[1]))
    assert surt(f"http://{HOST}/ChiTietTin.aspx?ID=1893") == "vn,gov,laichau,congan)/chitiettin.aspx?id=1893"
    fl = cdx(srv, [*BASE, ("fl", "original,timestamp"), ("limit", "3")])
    assert fl[0] == ["original", "timestamp"] and len(fl) == 4
    assert fetch(f"{srv.base_url}/cdx/search/cdx?output=json")[0] == 400  # url is required


def test_filters_by_regex_and_negation(wb: tuple[WaybackReplica, WaybackServer]) -> None:
    replica, srv = wb
    rows = cdx(srv, [*BASE, ("filter", "statuscode:200"), ("filter", "mimetype:text/html"), ("fl", "statuscode,mimetype")])
    want = [c for c in replica.captures if c.statuscode == "200" and c.mimetype == "text/html"]
    assert len(rows) - 1 == len(want) < len(replica.captures)
    assert {tuple(r) for r in rows[1:]} == {("200", "text/html")}
    others = cdx(srv, [*BASE, ("filter", "!mimetype:text/html"), ("fl", "mimetype")])
    assert sorted(r[0] for r in others[1:]) == ["image/jpeg", "text/plain"]
    bad = cdx(srv, [*BASE, ("filter", "!statuscode:200"), ("fl", "statuscode")])
    assert sorted(r[0] for r in bad[1:]) == ["302", "404"]
    # Regexes match the whole field, as on the real server: "text" alone matches nothing.
    assert cdx(srv, [*BASE, ("filter", "mimetype:text")]) == []
    assert fetch(f"{srv.base_url}/cdx/search/cdx?url={HOST}/*&filter=nosuch:1")[0] == 400


def test_collapse_digest_drops_only_adjacent_duplicates(wb: tuple[WaybackReplica, WaybackServer]) -> None:
    replica, srv = wb
    rows = cdx(srv, [*BASE, ("collapse", "digest")])
    assert [(r[0], r[1]) for r in rows[1:]] == [(c.urlkey, c.timestamp) for c in adjacent_distinct(replica.captures)]
    # Identical repeated captures collapse to their first one.
    repeated = [u for u in replica.expected_articles() if len({c.digest for c in replica.captures_of(u)}) == 1
                and len(replica.captures_of(u)) > 1]
    assert repeated
    key = surt(repeated[0])
    assert [r[1] for r in rows[1:] if r[0] == key] == [replica.captures_of(repeated[0])[0].timestamp]
    # The corrected article keeps both versions; the home page keeps A, B, A (not adjacent).
    corrected = replica.corrected
    assert corrected is not None
    assert len([r for r in rows[1:] if r[0] == surt(corrected.url)]) == 2
    assert len([r for r in rows[1:] if r[0] == surt(f"http://{HOST}/Default.aspx")]) == 3


def test_resume_keys_page_through_every_row_once(wb: tuple[WaybackReplica, WaybackServer]) -> None:
    _, srv = wb
    query = [*BASE, ("filter", "statuscode:200"), ("collapse", "digest")]
    full = cdx(srv, query)[1:]
    got: list[list[str]] = []
    key: str | None = None
    pages = 0
    while True:
        # The key is passed back verbatim (it is already URL-encoded), as the CDX docs show.
        tail = f"&resumeKey={key}" if key else ""
        rows = cdx(srv, [*query, ("limit", "7"), ("showResumeKey", "true")], tail)
        pages += 1
        assert rows[0] == list(CDX_FIELDS)
        if len(rows) >= 3 and rows[-2] == []:
            key = rows[-1][0]
            got += rows[1:-2]
        else:
            got += rows[1:]
            break
    assert pages == -(-len(full) // 7)
    assert got == full
    assert len({(r[0], r[1]) for r in got}) == len(got)
    # A client that URL-encodes the key again is understood too.
    first = cdx(srv, [*query, ("limit", "7"), ("showResumeKey", "true")])
    again = cdx(srv, [*query, ("limit", "7"), ("resumeKey", first[-1][0])])
    assert again[1:] == full[7:14]


def test_from_to_are_timestamp_prefixes(wb: tuple[WaybackReplica, WaybackServer]) -> None:
    replica, srv = wb
    y2021 = cdx(srv, [*BASE, ("from", "2021"), ("to", "2021"), ("fl", "timestamp")])
    assert y2021[1:] and all(r[0].startswith("2021") for r in y2021[1:])
    assert len(y2021) - 1 == sum(c.timestamp.startswith("2021") for c in replica.captures)
    later = cdx(srv, [*BASE, ("from", "202301"), ("to", "2026"), ("fl", "timestamp")])
    assert later[1:] and all("2023" <= r[0][:4] <= "2026" for r in later[1:])
    assert len(y2021) + len(later) - 2 == len(replica.captures)
    assert cdx(srv, [*BASE, ("from", "2019"), ("to", "2019")]) == []


def test_exact_and_prefix_match(wb: tuple[WaybackReplica, WaybackServer]) -> None:
    replica, srv = wb
    art = replica.legacy.articles[1]
    exact = cdx(srv, [("url", art.url), ("output", "json")])
    assert len(exact) - 1 == len(replica.captures_of(art.url)) >= 2
    prefix = cdx(srv, [("url", f"{HOST}/ChiTietTin.aspx"), ("matchType", "prefix"), ("output", "json")])
    assert all(r[0].startswith(f"{surt(HOST)}chitiettin.aspx") for r in prefix[1:])
    assert len(prefix) - 1 == sum(c.urlkey.startswith(surt(HOST) + "chitiettin") for c in replica.captures)


def test_snapshot_returns_original_bytes_and_type(wb: tuple[WaybackReplica, WaybackServer]) -> None:
    replica, srv = wb
    for c in replica.captures:
        if c.mimetype in ("image/jpeg", "text/plain") or c.layout:
            status, headers, body = fetch(f"{srv.base_url}/web/{c.timestamp}id_/{c.original}")
            assert status == 200 and body == c.body, c.original
            assert headers["Content-Type"] == c.content_type
    jpeg = next(c for c in replica.captures if c.mimetype == "image/jpeg")
    assert fetch(f"{srv.base_url}/web/{jpeg.timestamp}id_/{jpeg.original}")[2].startswith(b"\xff\xd8")


def test_nearest_capture_redirects_to_exact_id_url(wb: tuple[WaybackReplica, WaybackServer]) -> None:
    replica, srv = wb
    caps = replica.captures_of(replica.legacy.articles[1].url)
    target = caps[-1]
    asked = str(int(target.timestamp) + 1)  # one second off
    status, headers, _ = fetch(f"{srv.base_url}/web/{asked}id_/{target.original}")
    assert status == 302
    assert headers["Location"] == f"{srv.base_url}/web/{target.timestamp}id_/{target.original}"
    status, headers, _ = fetch(f"{srv.base_url}/web/2021id_/{target.original}")  # partial: start of 2021
    assert headers["Location"] == f"{srv.base_url}/web/{caps[0].timestamp}id_/{target.original}"
    with urllib.request.urlopen(f"{srv.base_url}/web/{asked}id_/{target.original}", timeout=5) as r:
        assert r.read() == target.body


def test_unknown_url_is_404(wb: tuple[WaybackReplica, WaybackServer]) -> None:
    _, srv = wb
    assert fetch(f"{srv.base_url}/web/20210101000000id_/http://{HOST}/ChiTietTin.aspx?ID=1")[0] == 404
    assert fetch(f"{srv.base_url}/nothing")[0] == 404


def test_throttle_and_request_log() -> None:
    replica = WaybackReplica(legacy_articles=4, seed=1)
    with WaybackServer(replica, throttle=3) as srv:
        url = f"{srv.base_url}/cdx/search/cdx?url={HOST}/*&output=json&limit=1"
        statuses = [fetch(url) for _ in range(6)]
        assert [s for s, _, _ in statuses] == [200, 200, 429, 200, 200, 429]
        assert statuses[2][1]["Retry-After"] == "1"
        assert srv.request_count == 6 and [s for _, _, s in srv.requests] == [200, 200, 429, 200, 200, 429]


def test_expected_articles_are_latest_captures(wb: tuple[WaybackReplica, WaybackServer]) -> None:
    replica, _ = wb
    exp = replica.expected_articles()
    assert {e.layout for e in exp.values()} == {"legacy", "nukeviet"}
    legacy = [e for e in exp.values() if e.layout == "legacy"]
    assert len(legacy) == len(replica.legacy.articles)
    for e in exp.values():
        assert e.timestamp == max(c.timestamp for c in replica.captures_of(e.url) if c.statuscode == "200")
    corrected = replica.corrected
    assert corrected is not None
    first, last = replica.captures_of(corrected.url)[0], replica.captures_of(corrected.url)[-1]
    assert first.article is not None and first.article.title != corrected.title
    assert last.digest != first.digest and exp[corrected.url].article.title == corrected.title
    assert WaybackReplica(seed=0).captures == replica.captures  # deterministic


def test_legacy_model_covers_the_traps() -> None:
    site = LegacySite(n_articles=30, seed=0)
    arts = site.articles
    assert {a.variant for a in arts} == {"table", "div"}
    assert all(1800 <= a.id <= 2100 and a.url.endswith(f"ChiTietTin.aspx?ID={a.id}") for a in arts)
    hours = {a.published.hour for a in arts}
    assert 0 in hours and 12 in hours
    assert format_legacy_datetime(arts[0].published.replace(hour=0)).endswith(" SA")
    assert " 12:" in format_legacy_datetime(arts[0].published.replace(hour=12))
    assert {i.style for a in arts for i in a.images} >= {"table", "em"}
    assert all(1 <= len(a.images) <= 3 for a in arts)
    a = arts[5]
    html = render_legacy_article(a, f"http://{HOST}")
    assert f"(Ngày đăng :{a.published_raw})" in html and "Người đang Online" in html
    assert "Tin liên quan" in html and "Tin mới nhất" in html and "TRANG THÔNG TIN ĐIỆN TỬ CÔNG AN TỈNH LAI CHÂU" in html
    assert all(i.caption not in a.body_text for i in a.images)
    assert all(r.url.startswith(f"http://{HOST}/ChiTietTin.aspx?ID=") for r in a.related)
