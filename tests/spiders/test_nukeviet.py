"""The ``nukeviet`` spider: any NukeViet portal from its root address alone, several in one run,
and a clear refusal where no NukeViet news module answers."""

from __future__ import annotations

import collections
import http.server
import threading
import time

import pytest

from scraper.replica import Portal, ReplicaServer, Site
from tests.spiders.conftest import crawl, records

_VOLATILE = ("fetched_at",)


def _by_url(recs: list[dict]) -> dict[str, dict]:
    return {r["url"]: {k: v for k, v in r.items() if k not in _VOLATILE} for r in recs}


def test_the_portal_from_its_root_alone_gives_the_laichau_presets_records(tmp_path) -> None:
    """On today's portal (its news module left out of every address) the generic spider finds the
    module and its categories by itself, and writes what the portal's preset writes."""
    site = Site(n_articles=60, n_categories=3, seed=3)
    with ReplicaServer(site) as server:
        code, log = crawl(server.base_url, tmp_path / "nv", spider="nukeviet")
        assert code == 0, log[-3000:]
        code, log = crawl(server.base_url, tmp_path / "lc", spider="laichau")
        assert code == 0, log[-3000:]
    generic, preset = records(tmp_path / "nv"), records(tmp_path / "lc")
    assert len(generic) == len(site.expected_ids())
    assert collections.Counter(r["article_id"] for r in generic) == collections.Counter(str(i) for i in site.expected_ids())
    assert {r["site"] for r in generic} == {"127.0.0.1"}
    assert _by_url(generic) == _by_url(preset)


def test_two_portals_in_one_run_keep_articles_with_the_same_ids_apart(tmp_path) -> None:
    """Two portals publish articles numbered alike: each is its own article (site, state, dedup),
    and a second run fetches nothing again on either."""
    site = Site(n_articles=40, n_categories=2, seed=5)
    with ReplicaServer(site) as one, ReplicaServer(site, host="127.0.0.2") as two:
        roots = f"{one.base_url},{two.base_url}"
        code, log = crawl(roots, tmp_path, spider="nukeviet")
        assert code == 0, log[-3000:]
        recs = records(tmp_path)
        per_site = collections.Counter(r["site"] for r in recs)
        assert per_site == {"127.0.0.1": len(site.expected_ids()), "127.0.0.2": len(site.expected_ids())}
        assert len({(r["site"], r["article_id"]) for r in recs}) == len(recs)
        one.reset_log(), two.reset_log()
        code, log = crawl(roots, tmp_path, spider="nukeviet")
        assert code == 0, log[-3000:]
        assert len(records(tmp_path)) == len(recs)  # nothing written twice
        articles = [p for server in (one, two) for _, p, _ in server.requests if p.endswith(".html")]
        assert articles == []


class _NotNukeViet(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><head><title>Trang tinh</title></head><body><p>Xin chao</p><a href='/gioi-thieu.html'>x</a></body></html>"
        self.send_response(200 if self.path in ("/", "/gioi-thieu.html") else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_a_site_that_is_not_nukeviet_is_refused_in_one_line_within_seconds(tmp_path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotNukeViet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        started = time.monotonic()
        code, log = crawl(base, tmp_path, spider="nukeviet")
        took = time.monotonic() - started
    finally:
        server.shutdown()
    assert code == 2, log[-2000:]
    errors = [line for line in log.splitlines() if line.startswith("error:")]
    assert errors == [f"error: no NukeViet news module found at {base}/ (it is not NukeViet)"], log[-2000:]
    assert "Traceback" not in log
    assert took < 30
    assert records(tmp_path) == []


@pytest.mark.parametrize("scheme", ["lang-module", "index-php", "query", "no-slash"])
def test_every_address_scheme_end_to_end(tmp_path, scheme: str) -> None:
    """Another NukeViet portal in the default theme, in each of the rewriter's address forms:
    two news modules numbering their articles alike, a page module, legal documents whose
    addresses look like articles, a contact page. Every article once, at its own address; no
    document of a module that is not news is asked for; a second run fetches no article again."""
    portal = Portal(n_articles=60, per_page=10, seed=4, scheme=scheme)
    with ReplicaServer(portal) as srv:
        code, log = crawl(srv.base_url, tmp_path, spider="nukeviet")
        assert code == 0, log[-3000:]
        recs = records(tmp_path)
        expected = portal.expected_articles()
        assert sorted(r["url"] for r in recs) == sorted(srv.base_url + a.path for a in expected)
        assert len(recs) == len(expected) and {r["site"] for r in recs} == {"127.0.0.1"}
        assert all(r["article_id"] and r["title"] and r["body_text"] for r in recs)
        asked = {path for _, path, _ in srv.requests}
        assert not asked & portal.document_paths()
        roots = {portal.module_path(name) for name in portal.other_modules}
        assert not asked & (portal.other_module_paths() - roots)  # discovery reads a module's root, never walks it
        # nothing guessed: every page but an article (some are gone) was one the portal has ("/vi" is
        # the language's home page on a site without trailing slashes, not a module "vi")
        unanswered = [(path, status) for _, path, status in srv.requests if status != 200 and not path.endswith(".html")]
        assert unanswered == []
        srv.reset_log()
        code, log = crawl(srv.base_url, tmp_path, spider="nukeviet")
        assert code == 0, log[-3000:]
        assert len(records(tmp_path)) == len(expected)
        again = [path for _, path, _ in srv.requests if portal.module_of(path) in {m.name for m in portal.news}
                 and any(path == a.path for a in expected)]
        assert again == []
