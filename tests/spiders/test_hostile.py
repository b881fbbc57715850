"""Hostile links and redirects never take the crawl off the portal's host."""

from __future__ import annotations

import http.server
import threading

import pytest

from scraper.replica import ReplicaServer, Site
from scraper.replica.routes import Response
from tests.spiders.conftest import crawl, records


class _Offsite(http.server.ThreadingHTTPServer):
    """Another host: any request reaching it is a failure of the crawl."""


@pytest.fixture
def offsite():
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b"<html><body><a href='/x/evil-1.html'>x</a></body></html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = _Offsite(("127.0.0.2", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.2:{server.server_address[1]}", hits
    server.shutdown()


class HostileLinks:
    """Plants hostile links on the home page, and makes one article redirect to another host."""

    def __init__(self, other: str, port: int, victim: str) -> None:
        self.other, self.port, self.victim = other, port, victim

    def intercept(self, request, response):
        if request.target == "/":
            links = [
                f"{self.other}/an-ninh-trat-tu/tin-gia-1.html",
                f"{self.other}/an-ninh-trat-tu/",
                "javascript:alert(1)//an-ninh-trat-tu/a-2.html",
                "mailto:x@y.vn?/an-ninh-trat-tu/a-3.html",
                "file:///etc/passwd#/an-ninh-trat-tu/a-4.html",
                "data:text/html,<a href=x>/an-ninh-trat-tu/a-5.html</a>",
                f"http://2130706434:{self.port}/an-ninh-trat-tu/a-6.html",   # 127.0.0.2 as one number
                f"http://0x7f.0.0.2:{self.port}/an-ninh-trat-tu/a-7.html",
                f"http://127.0.0.1.nip.io:{self.port}/an-ninh-trat-tu/a-8.html",
                f"http://127.0.0.1@127.0.0.2:{self.port}/an-ninh-trat-tu/a-9.html",
                f"http://[::ffff:127.0.0.2]:{self.port}/an-ninh-trat-tu/a-10.html",
                f"//127.0.0.2:{self.port}/an-ninh-trat-tu/a-11.html",
            ]
            planted = "".join(f'<li><a href="{u}">Tin {i}</a></li>' for i, u in enumerate(links))
            body = response.body.replace(b"</body>", f"<ul class='hostile'>{planted}</ul></body>".encode())
            return Response(response.status, body, response.content_type, dict(response.headers))
        if request.target == self.victim:
            return Response(302, b"", "text/html", {"Location": f"{self.other}/an-ninh-trat-tu/chuyen-huong-99.html"})
        return None


def test_the_crawl_never_leaves_the_portal(offsite, tmp_path) -> None:
    other, hits = offsite
    site = Site(n_articles=60, n_categories=2, missing_rate=0.0)
    victim = site.article_url_path(site.articles[5])
    port = int(other.rsplit(":", 1)[1])
    with ReplicaServer(site, faults=HostileLinks(other, port, victim)) as server:
        code, log = crawl(server.base_url, tmp_path)
        own = [path for _, path, _ in server.requests]
    assert code == 0, log[-3000:]
    assert hits == []
    assert not any("a-" in p.rsplit("/", 1)[-1][:2] for p in own)
    recs = records(tmp_path)
    assert all(r["url"].startswith(server.base_url) for r in recs)
    assert len(recs) == len(site.articles) - 1  # the article redirected off-site is not followed
