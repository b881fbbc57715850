"""Fault mode of the replica: each fault is observable over real HTTP, seeded and accounted for.

Crawler reliability tests rely on ``Faults`` telling the truth about what a retrying crawler can
eventually get, so that bookkeeping is checked here with a minimal retrying client.
"""

from __future__ import annotations

import gzip
import http.client
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from scraper.replica import ReplicaServer, Site
from scraper.replica.faults import BOMB_PATH, LOOP_A, LOOP_B, FaultPlan, Faults

LOC = re.compile(r"<loc>([^<]*)</loc>")
TRANSIENT = {500, 503, 429}


@pytest.fixture(scope="module")
def site() -> Site:
    return Site(n_articles=60, n_categories=3, per_page=10, seed=1)


@contextmanager
def serve(site: Site, plan: FaultPlan) -> Iterator[tuple[Faults, ReplicaServer]]:
    faults = Faults(plan, site)
    with ReplicaServer(site, faults=faults) as srv:
        yield faults, srv


def get(
    srv: ReplicaServer, path: str, method: str = "GET", headers: dict[str, str] | None = None, timeout: float = 5
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection, no redirects followed (http.client asks for identity)."""
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=timeout)
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def article_path(site: Site, ids: frozenset[int] | set[int]) -> str:
    a = site.article(min(ids))
    assert a is not None
    return site.article_url_path(a)


def test_empty_plan_changes_nothing(site: Site) -> None:
    paths = ["/", "/robots.txt", "/sitemap.xml", f"/{site.categories[0].alias}/", site.article_url_path(site.articles[5])]
    with ReplicaServer(site) as plain, serve(site, FaultPlan(seed=4)) as (faults, srv):
        for p in paths:
            a, b = get(plain, p), get(srv, p)
            assert a[0] == b[0] and a[2] == b[2].replace(srv.base_url.encode(), plain.base_url.encode())
        assert get(srv, "/", method="HEAD")[1]["Content-Length"] == get(plain, "/", method="HEAD")[1]["Content-Length"]
        assert not faults.injected and not faults.unservable_ids() and not faults.damaged_ids()
        assert faults.servable_ids() == faults.intact_ids() == site.expected_ids()


def test_transient_5xx_clears_after_k_attempts(site: Site) -> None:
    with serve(site, FaultPlan(seed=2, transient_5xx=1.0)) as (faults, srv):
        ks = set()
        for a in site.articles[:12]:
            path = site.article_url_path(a)
            kind, k = faults.transient_fault(path)  # type: ignore[misc]
            statuses = [get(srv, path)[0] for _ in range(k + 1)]
            assert kind == "transient_5xx" and set(statuses[:k]) <= {500, 503} and statuses[k] in (200, 301, 404)
            assert len(set(statuses[:k])) == 1  # a URL fails the same way each time
            ks.add(k)
        assert ks == {1, 2}  # K drawn per URL
        for p in ("/", "/robots.txt", "/index.php"):  # spared: a crawl can always start
            assert get(srv, p)[0] == 200
        assert faults.transient_fault("/robots.txt") is None
    with serve(site, FaultPlan(seed=2, transient_5xx=1.0, transient_attempts=3, spare=frozenset())) as (faults, srv):
        assert [get(srv, "/")[0] in (500, 503) for _ in range(4)] == [True, True, True, False]
        assert faults.injected["transient_5xx"] == 3 and faults.attempts["/"] == 4
        faults.clear()
        assert get(srv, "/")[0] in (500, 503)  # forgotten attempts: the fault strikes again


def test_429_with_retry_after(site: Site) -> None:
    with serve(site, FaultPlan(seed=1, retry_after_429=1.0, retry_after_seconds=1, transient_attempts=1)) as (f, srv):
        path = f"/{site.categories[1].alias}/"
        status, headers, _ = get(srv, path)
        assert status == 429 and headers["Retry-After"] == "1"
        assert get(srv, path)[0] == 200 and f.injected == {"retry_after_429": 1}
        assert srv.requests[-2:] == [("GET", path, 429), ("GET", path, 200)]


def test_slow_response_then_fast(site: Site) -> None:
    with serve(site, FaultPlan(seed=1, slow=1.0, slow_seconds=1.0, transient_attempts=1)) as (faults, srv):
        path = site.article_url_path(site.articles[3])
        with pytest.raises(TimeoutError):
            get(srv, path, timeout=0.3)
        t0 = time.monotonic()
        assert get(srv, path, timeout=0.5)[0] == 200 and time.monotonic() - t0 < 0.5
        assert faults.injected["slow"] == 1


def test_transient_on_top_of_permanent(site: Site) -> None:
    plan = FaultPlan(seed=1, slow=1.0, slow_seconds=0.2, transient_attempts=1, truncated_ids=1)
    with serve(site, plan) as (faults, srv):
        path = article_path(site, faults.truncated_ids)
        slow, later = get(srv, path), get(srv, path)
        assert slow == later and b"</html>" not in slow[2]  # the slow answer is damaged too
        assert faults.injected == {"slow": 1, "truncated": 2}


def test_connection_reset_mid_body(site: Site) -> None:
    with serve(site, FaultPlan(seed=1, reset=1.0, transient_attempts=1)) as (faults, srv):
        path = site.article_url_path(site.articles[7])
        conn = http.client.HTTPConnection(srv.host, srv.port, timeout=5)
        with pytest.raises((ConnectionError, http.client.IncompleteRead)):
            conn.request("GET", path)
            r = conn.getresponse()
            assert int(r.headers["Content-Length"]) > 1000  # announced whole, then cut off
            r.read()
        conn.close()
        status, _, body = get(srv, path)
        assert status == 200 and body.rstrip().endswith(b"</html>") and faults.injected["reset"] == 1


def test_truncated_and_no_charset_are_permanent(site: Site) -> None:
    with serve(site, FaultPlan(seed=5, truncated_ids=2, no_charset_ids=1)) as (faults, srv):
        assert len(faults.truncated_ids) == 2 and len(faults.no_charset_ids) == 1
        assert faults.damaged_ids() == faults.truncated_ids | faults.no_charset_ids and not faults.unservable_ids()
        path = article_path(site, faults.truncated_ids)
        whole = srv.router.route(path).body
        for p in (path, "/index.php" + path, "/print" + path):
            first, second = get(srv, p), get(srv, p)
            assert first[0] == 200 and first[2] == second[2]  # same cut every time
            assert int(first[1]["Content-Length"]) == len(first[2]) < len(srv.router.route(p).body)
            assert b"</html>" not in first[2]
        assert whole.startswith(get(srv, path)[2])
        path = article_path(site, faults.no_charset_ids)
        status, headers, body = get(srv, path)
        assert status == 200 and headers["Content-Type"] == "text/html"
        assert b"charset" not in body.lower() and 'id="news-bodyhtml"' in body.decode("utf-8")
        assert faults.injected == {"truncated": 7, "no_charset": 1}


def test_permanent_5xx(site: Site) -> None:
    with serve(site, FaultPlan(seed=3, permanent_5xx_ids=3)) as (faults, srv):
        assert faults.unservable_ids() == set(faults.permanent_5xx_ids) and len(faults.permanent_5xx_ids) == 3
        for aid in faults.permanent_5xx_ids:
            a = site.article(aid)
            assert a is not None
            statuses = {get(srv, site.article_url_path(a))[0] for _ in range(4)}
            assert len(statuses) == 1 and statuses <= {500, 503}
            assert get(srv, site.print_url_path(a))[0] in (500, 503)
        others = site.expected_ids() - faults.unservable_ids()
        assert get(srv, article_path(site, others))[0] == 200


def test_redirect_loop(site: Site) -> None:
    with serve(site, FaultPlan(seed=1, redirect_loop=True)) as (faults, srv):
        status, headers, _ = get(srv, LOOP_A)
        assert status == 302 and headers["Location"] == srv.base_url + LOOP_B
        status, headers, _ = get(srv, LOOP_B)
        assert status == 302 and headers["Location"] == srv.base_url + LOOP_A
        (aid,) = faults.loop_ids
        a = site.article(aid)
        assert a is not None and faults.unservable_ids() == {aid}
        status, headers, _ = get(srv, site.article_url_path(a))
        assert status == 302 and headers["Location"] == srv.base_url + LOOP_A
        page = next(p for p in range(1, 10) if a in site.category_page(a.category.alias, p))
        listing = get(srv, site.category_page_path(a.category.alias, page))[2].decode()
        assert site.listing_url_path(a) in listing  # reachable from a listing
        with pytest.raises(urllib.error.HTTPError, match="infinite loop"):
            urllib.request.urlopen(srv.base_url + site.listing_url_path(a), timeout=5)
    with serve(site, FaultPlan(seed=1)) as (_, srv):
        assert get(srv, LOOP_A)[0] == 404  # off unless asked


def test_oversize(site: Site) -> None:
    with serve(site, FaultPlan(seed=1, oversize_ids=1)) as (faults, srv):
        path = article_path(site, faults.oversize_ids)
        status, headers, body = get(srv, path, method="HEAD", headers={"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Length"] == "20000000" and "Content-Encoding" not in headers
        status, headers, body = get(srv, path, headers={"Accept-Encoding": "gzip"})
        assert len(body) == 20_000_000 and body.startswith(b"<!DOCTYPE html>") and body.endswith(b"</html>\n")
        assert faults.unservable_ids() == set(faults.oversize_ids)
    with serve(site, FaultPlan(seed=1, oversize_ids=[site.articles[0].id], oversize_bytes=300_000)) as (_, srv):
        status, headers, body = get(srv, site.article_url_path(site.articles[0]))
        assert int(headers["Content-Length"]) == len(body) == 300_000 and b'id="news-bodyhtml"' in body


def test_bad_sitemap(site: Site) -> None:
    with serve(site, FaultPlan(seed=1, bad_sitemap=True)) as (faults, srv):
        status, headers, body = get(srv, "/sitemap.xml")
        assert status == 200 and headers["Content-Type"].startswith("application/xml")
        with pytest.raises(ET.ParseError):
            ET.fromstring(body)
        assert srv.base_url + "/sitemap-vi.news.xml" in LOC.findall(body.decode())  # a lenient scan still works
        ET.fromstring(get(srv, "/sitemap-vi.news.xml")[2])  # only the index is broken
        assert b"Sitemap:" in get(srv, "/robots.txt")[2] and faults.injected == {"bad_sitemap": 1}


def test_gzip_bomb(site: Site) -> None:
    with serve(site, FaultPlan(seed=1, gzip_bomb=True)) as (faults, srv):
        index = ET.fromstring(get(srv, "/sitemap.xml")[2])  # still valid, one more entry
        locs = [e.text for e in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
        assert locs == [srv.base_url + "/sitemap-vi.news.xml", srv.base_url + BOMB_PATH]
        status, headers, body = get(srv, BOMB_PATH, headers={"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Type"] == "application/x-gzip" and "Content-Encoding" not in headers
        assert body[:2] == b"\x1f\x8b" and 500_000 < len(body) < 6_000_000
        assert int.from_bytes(body[-4:], "little") >= 1 << 30  # ISIZE: at least 1 GiB inflated
        prefix = zlib.decompressobj(31).decompress(body, 4 << 20)  # bounded: never inflate it all
        assert len(prefix) == 4 << 20 and prefix.startswith(b'<?xml version="1.0"') and b"<urlset" in prefix[:200]
        assert set(LOC.findall(prefix.decode())) == {srv.base_url + site.article_url_path(site.latest(1)[0])}
        assert faults.injected == {"gzip_bomb": 1}
    with serve(site, FaultPlan(seed=1, gzip_bomb=True, gzip_bomb_bytes=3_000_000)) as (_, srv):
        small = get(srv, BOMB_PATH)[2]
        whole = gzip.decompress(small)  # valid to the end: CRC and size check out
        assert len(whole) >= 3_000_000 and whole.endswith(b"</url>\n</urlset>\n") and len(small) < 30_000


def test_seeded_and_deterministic(site: Site) -> None:
    a, b, c = (Faults(FaultPlan.chaos(s), site) for s in (7, 7, 8))
    targets = [site.article_url_path(x) for x in site.articles] + [f"/{k.alias}/" for k in site.categories]
    assert [a.transient_fault(t) for t in targets] == [b.transient_fault(t) for t in targets]
    assert (a.unservable_ids(), a.truncated_ids, a.no_charset_ids) == (b.unservable_ids(), b.truncated_ids, b.no_charset_ids)
    assert [a.transient_fault(t) for t in targets] != [c.transient_fault(t) for t in targets]
    assert a.unservable_ids() | a.damaged_ids() != c.unservable_ids() | c.damaged_ids()
    plan = FaultPlan(seed=9, transient_5xx=0.3, retry_after_429=0.2, truncated_ids=3, permanent_5xx_ids=2)
    runs = []
    for _ in range(2):
        with serve(site, plan) as (_, srv):
            base = srv.base_url.encode()
            runs.append([(r[0], r[2].replace(base, b"")) for t in targets[:30] for r in (get(srv, t), get(srv, t))])
    assert runs[0] == runs[1]


def crawl(
    srv: ReplicaServer, site: Site, attempts: int = 4, timeout: float = 0.5, max_bytes: int = 5_000_000
) -> dict[int, bytes]:
    """A minimal retrying crawler: every listed article URL, redirects followed, 5xx/429/timeouts retried."""
    got: dict[int, bytes] = {}
    for a in site.articles:
        path, hops, tries = site.listing_url_path(a), 0, 0
        while tries < attempts and hops < 5:
            tries += 1
            try:
                conn = http.client.HTTPConnection(srv.host, srv.port, timeout=timeout)
                conn.request("GET", path)
                r = conn.getresponse()
                if int(r.headers["Content-Length"]) > max_bytes:
                    conn.close()
                    break  # over the size limit: give up on it
                status, body, location = r.status, r.read(), r.headers.get("Location", "")
                conn.close()
            except (OSError, http.client.HTTPException):
                continue
            if status in (301, 302):
                path, hops, tries = location.removeprefix(srv.base_url), hops + 1, 0
            elif status == 200:
                got[a.id] = body
                break
            elif status not in TRANSIENT:
                break
    return got


def test_transient_crawl_captures_every_article(site: Site) -> None:
    with serve(site, FaultPlan.transient(0.05, seed=4)) as (faults, srv):
        got = crawl(srv, site)
        assert faults.injected["transient_5xx"] > 0 and set(faults.injected) == {"transient_5xx"}
        assert set(got) == site.expected_ids() == faults.servable_ids()


def test_chaos_accounting_matches_a_retrying_crawl(site: Site) -> None:
    plan = FaultPlan.chaos(3)
    with serve(site, plan) as (faults, srv):
        unservable, damaged = faults.unservable_ids(), faults.damaged_ids()
        assert len(unservable) == 4 and len(damaged) == 4 and not unservable & damaged
        assert faults.servable_ids() == site.expected_ids() - unservable
        got = crawl(srv, site)
        assert set(got) == faults.servable_ids()
        for aid in faults.intact_ids():
            a = site.article(aid)
            assert a is not None and got[aid] == srv.router.route(site.article_url_path(a)).body
        assert all(got[i] != srv.router.route(article_path(site, {i})).body for i in damaged)
        kinds = {"transient_5xx", "retry_after_429", "reset", "permanent_5xx", "redirect_loop", "oversize",
                 "truncated", "no_charset"}
        assert kinds <= set(faults.injected)
        with pytest.raises(ET.ParseError):
            ET.fromstring(get(srv, "/sitemap.xml")[2])
        assert get(srv, "/robots.txt")[0] == 200 and get(srv, "/")[0] == 200


def test_plan_validation_and_presets() -> None:
    with pytest.raises(ValueError):
        FaultPlan(transient_5xx=0.8, reset=0.5)
    with pytest.raises(ValueError):
        FaultPlan.preset("nope")
    assert FaultPlan.preset("transient", 2) == FaultPlan(seed=2, transient_5xx=0.05)
    chaos = FaultPlan.chaos(1)
    assert chaos.redirect_loop and chaos.bad_sitemap and chaos.gzip_bomb and chaos.slow > 0 and chaos.reset > 0


def test_command_line_serves_chaos() -> None:
    cmd = [sys.executable, "-m", "scraper.replica", "--faults", "chaos", "--fault-seed", "1", "--port", "0",
           "--articles", "40"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()
        assert proc.stdout.readline().startswith("faults: chaos seed 1")
        for _ in range(3):  # the sitemap may draw a transient fault too
            try:
                with urllib.request.urlopen(base + "/sitemap.xml", timeout=5) as r:
                    body = r.read()
                break
            except (OSError, http.client.HTTPException):
                continue
        with pytest.raises(ET.ParseError):
            ET.fromstring(body)
    finally:
        proc.terminate()
        proc.wait(timeout=5)
