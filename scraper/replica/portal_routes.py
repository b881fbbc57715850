"""Routing of a ``Portal`` in NukeViet's default theme: a request target to a ``Response``.

The portal reads a target as NukeViet's ``request_uri.php`` does, by the names it knows (its
language, its modules) and independently of ``scraper.sites.addresses``' reading, so a test of one
against the other means something. Every page is served at one address, the one its scheme
writes (``Portal.url``); any other form of it that the server understands (``index.php/`` on a
site with rewrite rules, the query form, a stale slug, a missing or extra trailing slash, another
category) answers 301 to that address, as NukeViet's ``getCanonicalUrl`` and the article page's
own check do. A form the server cannot understand (a rewritten path on a site without rewrite
rules) is a 404, as from the web server. A page past the last redirects to the first (301).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from ..sites.addresses import Form
from . import default_theme as T
from .feeds import render_robots
from .media import media_for
from .portal import CONTACT_MODULE, LAWS_MODULE, PAGE_MODULE, Portal
from .routes import HTML, XML, Response, html, redirect
from .schemes import LANGUAGE

_ARTICLE = re.compile(r"^(?P<slug>[A-Za-z0-9_.-]*?)-(?P<id>\d+)(?P<ext>\.html)?$")
_PAGE = re.compile(r"^page-(?P<n>\d+)$")
_ABOUT = re.compile(r"^(?P<alias>[A-Za-z0-9_-]+)\.html$")
_SITEMAP = re.compile(rf"^/sitemap-{LANGUAGE}\.(?P<module>[A-Za-z0-9-]+)\.xml$")


@dataclass(frozen=True)
class Target:
    """A request target as the portal reads it: the form it is written in, its language, its
    module (None: no module named) and the module's op, split on ``/``."""

    form: Form
    lang: str | None
    module: str | None
    op: tuple[str, ...]
    trailing: bool


def decode(portal: Portal, target: str) -> Target | None:
    """Read a target by the portal's own names; None when it is no page of a module (a file, a
    feed of the site, a path with an empty segment, a name the portal does not have)."""
    parts = urlsplit(target)
    path = unquote(parts.path) or "/"
    if path in ("/", "/index.php") and parts.query:
        params = dict(parse_qsl(parts.query.replace("&amp;", "&"), keep_blank_values=True))
        if "nv" in params or "language" in params:
            op = params.get("op", "")
            inner = op.strip("/")
            if inner and "" in inner.split("/"):
                return None
            segs = tuple(inner.split("/")) if inner else ()
            module = params.get("nv") or None
            if module is not None and module not in portal.module_names:
                return None
            return Target(Form.QUERY, params.get("language") or None, module, segs, op.endswith("/"))
    if path == "/index.php":
        return Target(Form.QUERY, None, None, (), False)
    form, rest = (Form.INDEX_PHP, path[len("/index.php/"):]) if path.startswith("/index.php/") else (Form.REWRITE, path[1:])
    trailing = rest.endswith("/")
    segs = rest.split("/")
    if trailing:
        segs.pop()
    if rest and "" in segs:
        return None
    segs = [s for s in segs if s]
    lang = segs.pop(0) if segs and segs[0] == LANGUAGE else None
    module = segs.pop(0) if segs and segs[0] in portal.module_names else None
    if module is None and segs:
        return None
    return Target(form, lang, module, tuple(segs), trailing)


RSS = "application/rss+xml; charset=utf-8"


@dataclass(frozen=True)
class Page:
    """A page the target names: its one address (a path), how to render it, its type."""

    path: str
    make: Callable[[], str]
    content_type: str = HTML


class PortalRouter:
    """Routes of a default-theme ``Portal``; the same interface as ``routes.Router`` (``route``,
    ``render``, ``targets``), and the same page cache, renewed with the portal's content."""

    CACHE_LIMIT = 100_000

    def __init__(self, portal: Portal, base_url: str) -> None:
        self.portal = portal
        self.base = base_url
        self._cache: dict[str, Response] = {}
        self._generation = portal.generation

    def route(self, target: str) -> Response:
        if self._generation != self.portal.generation or len(self._cache) >= self.CACHE_LIMIT:
            self._cache, self._generation = {}, self.portal.generation
        resp = self._cache.get(target)
        if resp is None:
            resp = self._cache[target] = self.render(target)
        return resp

    def not_found(self) -> Response:
        return html(T.render_not_found(self.portal), 404)

    def targets(self) -> list[str]:
        """What a whole-site news crawl asks for: home, feeds, every module and category page,
        every listed article address (stale slugs and 404 ids included), for ``warm()``."""
        p = self.portal
        paths = ["/", p.home_path(), "/robots.txt", "/sitemap.xml", *(p.sitemap_path(m) for m in p.sitemap_modules())]
        paths += sorted(p.other_module_paths())
        for m in p.news:
            paths += [p.module_path(m.name, n) for n in range(1, p.module_page_count(m.name) + 1)]
            paths.append(p.rss_path(m.name))
            for c in m.site.categories:
                paths += [p.category_path(m.name, c.alias, n) for n in range(1, m.site.page_count(c.alias) + 1)]
            for a in m.site.articles:
                paths += (p.listing_path(m.name, a), p.article_path(m.name, a))
        return list(dict.fromkeys(paths))

    def render(self, target: str) -> Response:
        """The response to ``target``, rendered now (``route`` is the cached way in)."""
        p, base = self.portal, self.base
        path = unquote(urlsplit(target).path) or "/"
        if path == "/robots.txt":
            return Response(200, render_robots(base).encode(), "text/plain; charset=utf-8")
        if path == "/sitemap.xml" or (path in ("/", "/index.php") and "nv=SitemapIndex" in target):
            return Response(200, T.render_sitemap_index(p, base).encode(), XML)
        if (m := _SITEMAP.match(path)) and p.scheme.rewrite_file:
            body = T.render_sitemap(p, m["module"], base) if m["module"] in p.module_names else None
            return Response(200, body.encode(), XML) if body else self.not_found()
        if path.startswith(("/uploads/", "/assets/")):
            found = media_for(path)
            return Response(200, found[0], found[1]) if found else self.not_found()
        if path == "/" and not urlsplit(target).query:
            return html(T.render_home(p, base))
        t = decode(p, target)
        if t is None or not self._understood(t.form):
            return self.not_found()
        page = self._page(t)
        if isinstance(page, Response):
            return page
        if unquote(target) != page.path:
            return redirect(base + page.path)
        return Response(200, page.make().encode("utf-8"), page.content_type)

    def _understood(self, form: Form) -> bool:
        """Whether the server reads an address written in ``form``: the query form always; the
        ``index.php/`` form without rewrite rules too; a rewritten path only with them."""
        own = self.portal.profile.form
        if own is Form.QUERY:
            return form is Form.QUERY
        if own is Form.INDEX_PHP:
            return form is not Form.REWRITE
        return True

    def _page(self, t: Target) -> Page | Response:
        p, base = self.portal, self.base
        if t.module is None:
            if t.op:
                return self.not_found()
            return Page(p.home_path(), lambda: T.render_home(p, base))
        module = t.module
        if t.op == ("sitemap",) and module in p.sitemap_modules():
            return Page(p.sitemap_path(module), lambda: T.render_sitemap(p, module, base) or "", XML)
        if p.is_news(t.module):
            return self._news(t.module, list(t.op), t.form)
        if t.module == PAGE_MODULE:
            if not t.op:
                return Page(p.module_path(PAGE_MODULE), lambda: T.render_about_list(p, base))
            item = p.about_page(m["alias"]) if len(t.op) == 1 and (m := _ABOUT.match(t.op[0])) else None
            return Page(p.about_path(item), lambda: T.render_about(p, item, base)) if item else self.not_found()
        if t.module == LAWS_MODULE:
            if not t.op or (len(t.op) == 1 and _PAGE.match(t.op[0])):
                n = int(_PAGE.match(t.op[0])["n"]) if t.op else 1  # type: ignore[index]
                if n < 1 or n > p.laws_page_count():
                    return redirect(base + p.laws_path())
                return Page(p.laws_path(n), lambda: T.render_laws(p, n, base))
            if len(t.op) == 2 and t.op[0] == "detail" and (m := _ARTICLE.match(t.op[1])):
                doc = p.document(int(m["id"]))
                return Page(p.document_path(doc), lambda: T.render_document(p, doc, base)) if doc else self.not_found()
            return self.not_found()
        if t.module == CONTACT_MODULE and not t.op:
            return Page(p.module_path(CONTACT_MODULE), lambda: T.render_contact(p, base))
        return self.not_found()

    def _news(self, module: str, op: list[str], form: Form) -> Page | Response:
        """A news module's op (``modules/news/functions.php``: functions first, then
        ``<cat>[/page-N]``, then ``<cat>/<slug>-<id>``)."""
        p, base = self.portal, self.base
        site = p.module(module).site
        n = len(op)
        if n == 0:
            return Page(p.module_path(module), lambda: T.render_module(p, module, 1, base))
        head = op[0]
        if n == 1 and (m := _PAGE.match(head)):
            page = int(m["n"])
            if page <= 1 or page > p.module_page_count(module):
                return redirect(base + p.module_path(module))
            return Page(p.module_path(module, page), lambda: T.render_module(p, module, page, base))
        if head in ("print", "savefile"):
            if n == 3:
                return self._article(module, op[1], op[2], form, head)
            return self.not_found()
        if head == "tag":
            if n == 2 and op[1] in site.tags:
                return Page(p.tag_path(module, op[1]), lambda: T.render_tag(p, module, op[1], base))
            return self.not_found()
        if head == "rss":
            cat = site.category(op[1]) if n == 2 else None
            if n > 2 or (n == 2 and cat is None):
                return self.not_found()
            return Page(p.rss_path(module, cat.alias if cat else None), lambda: T.render_rss(p, module, cat, base), RSS)
        cat = site.category(head)
        if n == 1 and cat is not None:
            return Page(p.category_path(module, cat.alias), lambda: T.render_category(p, module, cat, 1, base))
        if n == 2 and (m := _PAGE.match(op[1])):
            if cat is None:
                return self.not_found()
            page = int(m["n"])
            if page <= 1 or page > site.page_count(cat.alias):
                return redirect(base + p.category_path(module, cat.alias))
            return Page(p.category_path(module, cat.alias, page), lambda: T.render_category(p, module, cat, page, base))
        if n == 2:
            return self._article(module, head, op[1], form, None)
        return self.not_found()

    def _article(self, module: str, alias: str, name: str, form: Form, view: str | None) -> Page | Response:
        """An article or its view; the op's ``.html`` may be left out only in the query form
        (NukeViet strips ``rewrite_exturl`` there). A stale slug or another category is the same
        article (301 to its address), an unknown or missing id a 404."""
        p, base = self.portal, self.base
        m = _ARTICLE.match(name)
        if m is None or (not m["ext"] and form is not Form.QUERY):
            return self.not_found()
        site = p.module(module).site
        a = site.article(int(m["id"]))
        if a is None or a.id in site.missing_ids or site.category(alias) is None:
            return self.not_found()
        if view:
            return Page(p.view_path(module, a, view), lambda: T.render_print(p, module, a, base, view))
        return Page(p.article_path(module, a), lambda: T.render_article(p, module, a, base))
