"""URL routing of the replica: maps a request path to a ``Response`` (no sockets here).

Kept free of HTTP plumbing so a fault layer, the server and unit tests can all call
``route()`` directly and see the exact status, headers and body the portal would send.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from urllib.parse import unquote, urlsplit

from . import render as R
from .media import media_for
from .site import Site

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
_ARTICLE = re.compile(r"^(?P<slug>.*)-(?P<id>\d+)\.html$")
_PAGE = re.compile(r"^page-(?P<n>\d+)$")


@dataclass
class Response:
    """What the server will send; a fault hook may swap it for another."""

    status: int
    body: bytes = b""
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)
    #: The body gzipped, once the server has had to: a cached response is compressed only once.
    gzipped: bytes | None = field(default=None, repr=False, compare=False)


def html(body: str, status: int = 200) -> Response:
    return Response(status, body.encode("utf-8"), HTML)


def redirect(location: str, status: int = 301) -> Response:
    body = f'<html><body>Moved: <a href="{escape(location)}">{escape(location)}</a></body></html>'
    return Response(status, body.encode("utf-8"), HTML, {"Location": location})


class Router:
    """Routes of NukeViet 4.5's news module as the portal exposes them.

    Every response is rendered once per content generation of the site and then served from
    memory, as a portal's page cache would: rendering an article costs more CPU than a crawler
    spends fetching it, and on a benchmark machine that CPU is taken from the crawl. Responses
    are shared: whoever wants to change one (a fault hook) builds a new one.
    """

    #: Distinct request targets kept; past it the cache starts afresh (a hostile crawl's
    #: endless invented addresses must not grow the server without bound).
    CACHE_LIMIT = 100_000

    def __init__(self, site: Site, base_url: str) -> None:
        self.site = site
        self.base = base_url
        self._cache: dict[str, Response] = {}
        self._generation = site.generation

    def not_found(self) -> Response:
        return html(R.render_not_found(self.site, self.base), 404)

    def route(self, target: str) -> Response:
        """Resolve a request target (path and optional query; the query is ignored)."""
        if self._generation != self.site.generation or len(self._cache) >= self.CACHE_LIMIT:
            self._cache, self._generation = {}, self.site.generation
        resp = self._cache.get(target)
        if resp is None:
            resp = self._cache[target] = self.render(target)
        return resp

    def targets(self) -> list[str]:
        """What a crawl of the whole site asks for: home, feeds, every category page and every
        listed article address (wrong slugs and missing ids included), for ``warm()``."""
        s = self.site
        paths = ["/", "/robots.txt", "/sitemap.xml", "/sitemap-vi.news.xml", "/rss/"]
        for cat in s.categories:
            paths.append(f"/{cat.alias}/")
            paths += [s.category_page_path(cat.alias, n) for n in range(2, s.page_count(cat.alias) + 1)]
        for a in s.articles:
            paths += (s.listing_url_path(a), s.article_url_path(a))
        return list(dict.fromkeys(paths))

    def render(self, target: str) -> Response:
        """The response to ``target``, rendered now (``route`` is the cached way in)."""
        path = unquote(urlsplit(target).path) or "/"
        if path == "/index.php" or path.startswith("/index.php/"):
            path = path[len("/index.php") :] or "/"  # same page; canonical stays clean
        s, base = self.site, self.base
        fixed = {
            "/": lambda: html(R.render_home(s, base)),
            "/robots.txt": lambda: Response(200, R.render_robots(base).encode(), "text/plain; charset=utf-8"),
            "/sitemap.xml": lambda: Response(200, R.render_sitemap_index(s, base).encode(), XML),
            "/sitemap-vi.news.xml": lambda: Response(200, R.render_sitemap_news(s, base).encode(), XML),
            "/rss": lambda: redirect(base + "/rss/"),
            "/rss/": lambda: self._rss(None),
        }
        if path in fixed:
            return fixed[path]()
        if path.startswith(("/uploads/", "/assets/")):
            found = media_for(path)
            return Response(200, found[0], found[1]) if found else self.not_found()
        parts = [p for p in path.split("/") if p]
        head = parts[0]
        if head == "rss" and len(parts) == 2:
            return self._rss(parts[1])
        if head == "tag" and len(parts) == 2 and parts[1] in s.tags:
            return html(R.render_tag(s, parts[1], base))
        if head in ("print", "savefile") and len(parts) == 3:
            return self._article(parts[1], parts[2], head)
        cat = s.category(head)
        if len(parts) == 1 and cat:
            return html(R.render_category(s, cat, 1, base)) if path.endswith("/") else redirect(f"{base}/{head}/")
        if len(parts) == 2:
            m = _PAGE.match(parts[1])
            if m and s.category(head):
                return self._page(head, int(m["n"]), path.endswith("/"))
            return self._article(head, parts[1], "")
        return self.not_found()

    def _rss(self, alias: str | None) -> Response:
        cat = self.site.category(alias) if alias else None
        if alias and cat is None:
            return self.not_found()
        body = R.render_rss(self.site, self.base, cat).encode("utf-8")
        return Response(200, body, "application/rss+xml; charset=utf-8")

    def _page(self, alias: str, n: int, slash: bool) -> Response:
        """Page 1 → 301 to the category; past the last page → 302 to page 1 (no 404)."""
        s = self.site
        if n < 1:
            return self.not_found()
        if n == 1:
            return redirect(f"{self.base}/{alias}/")
        if n > s.page_count(alias):
            return redirect(f"{self.base}/{alias}/", 302)
        if not slash:
            return redirect(self.base + s.category_page_path(alias, n))
        return html(R.render_category(s, s.category(alias), n, self.base))  # type: ignore[arg-type]

    def _article(self, alias: str, name: str, kind: str) -> Response:
        """Article or its print/savefile view; wrong slug or alias → 301, missing id → 404."""
        m = _ARTICLE.match(name)
        if not m:
            return self.not_found()
        s = self.site
        a = s.article(int(m["id"]))
        if a is None or a.id in s.missing_ids:
            return self.not_found()
        if alias != a.category.alias or m["slug"] != a.slug:
            path = s.print_url_path(a, kind) if kind else s.article_url_path(a)
            return redirect(self.base + path)
        if kind:
            return html(R.render_print(s, a, self.base, kind))
        return html(R.render_article(s, a, self.base))
