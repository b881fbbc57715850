"""A NukeViet portal's news modules, their categories and its address settings, from its own pages.

A site names its modules as it likes (``news``, ``tin-tuc``, ``thong-bao``…) and may run several
copies of the news module, so a news module is known by what only the news module does: article
addresses ``<cat>/<slug>-<id>.html`` under it, its print/savefile/sendmail/topic/author functions,
the news markup of its pages. A module whose addresses show another module's functions (legal
documents' ``detail/``, downloads' ``upload/``, a page module's ``<alias>.html``) is not news,
whatever it looks like otherwise, and a crawl is kept out of it (``Discovery.allows``).
Everything here is a pure function of pages already fetched: the root page, and optionally
``/sitemap.xml`` (NukeViet's sitemap index names every module that has a sitemap) and module pages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import lxml.etree
import lxml.html

from ..text import clean
from ..urls import absolute, is_web_url, same_site
from .addresses import (
    FOLDERS,
    NEWS_FUNCS,
    Form,
    Kind,
    SiteProfile,
    article_segment,
    build_url,
    is_category_alias,
    is_home_shaped,
    is_page_segment,
    parse,
)

#: ISO 639-1 codes: NukeViet reads any of them opening a path as a language
#: (``includes/request_uri.php`` against ``includes/ini/langs.ini``).
ISO_LANGUAGES = frozenset({
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh", "bi", "bm",
    "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz", "ee",
    "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu",
    "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is",
    "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw",
    "ky", "la", "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms",
    "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os",
    "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl",
    "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo",
    "za", "zh", "zu",
})
#: Functions only the news module has (``modules/news/funcs/``).
NEWS_ONLY_FUNCS = frozenset({"print", "savefile", "sendmail", "topic", "author", "content", "rating", "instant-rss"})
#: Functions of modules that are not news, and the module they betray.
OTHER_FUNCS = {
    "detail": "laws", "area": "laws", "subject": "laws", "signer": "laws",
    "viewfile": "download", "down": "download", "upload": "download", "report": "download",
    "login": "users", "logout": "users", "register": "users", "lostpass": "users", "editinfo": "users",
    "memberlist": "users", "active": "users", "avatar": "users",
    "allreferers": "statistics", "allcountries": "statistics", "allbrowsers": "statistics", "allos": "statistics",
    "allbots": "statistics", "referer": "statistics", "addads": "banners", "setup": "two-step-verification",
}
#: What NukeViet's own non-news modules are, by their default names.
_KIND_BY_NAME = {
    "about": "page", "siteterms": "page", "page": "page", "contact": "contact", "users": "users",
    "statistics": "statistics", "seek": "search", "feeds": "feeds", "voting": "voting", "banners": "banners",
    "laws": "laws", "download": "download", "faq": "faq", "weblinks": "weblinks", "comment": "comment",
    "menu": "menu", "freecontent": "freecontent", "two-step-verification": "two-step-verification",
}
#: The news article page's own marks (``themes/default/modules/news/detail.tpl``); the page module
#: shares ``itemprop="headline"`` and any page may carry a news block, so nothing else counts.
_NEWS_MARKUP = re.compile(r'id="news-bodyhtml"|class="[^"]*\bdetail-related\b')
_ALIAS = re.compile(r"[A-Za-z0-9_-]+")
_STATIC = re.compile(r"\.(?!html?$|php$|xml$)[A-Za-z0-9]{1,5}$")
_GENERATOR = re.compile(r'<meta[^>]+name="generator"[^>]+content="([^"]+)"|<meta[^>]+content="([^"]+)"[^>]+name="generator"', re.I)


@dataclass
class Category:
    alias: str
    title: str | None
    url: str

    def to_json(self) -> dict:
        return {"alias": self.alias, "title": self.title, "url": self.url}


@dataclass
class Module:
    """A module of the site: ``name`` is "" for the module its addresses leave out when its name
    is not known; ``kind`` is "news" or what the module shows itself to be."""

    name: str
    kind: str
    url: str
    dropped: bool = False
    evidence: list[str] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)

    def to_json(self) -> dict:
        out = {"name": self.name, "kind": self.kind, "url": self.url, "dropped": self.dropped, "evidence": self.evidence}
        if self.kind == "news":
            out["categories"] = [c.to_json() for c in self.categories]
        return out


@dataclass(frozen=True)
class NewsScope:
    """What a crawl of one portal may ask for: its address settings and the names of its news
    modules ("" for the module its addresses leave out). Plain data, so it travels with a request:
    in a distributed crawl, the worker that reads a listing may not be the one that ran discovery."""

    profile: SiteProfile
    modules: frozenset[str]

    def allows(self, url: str) -> bool:
        """An address of one of the news modules (or the sitemap index); never another module's."""
        a = parse(url, self.profile)
        if a.kind is Kind.SITEMAP_INDEX:
            return True
        if a.kind is Kind.OTHER or a.module is None:
            return False
        return a.module in self.modules

    def to_json(self) -> dict:
        return {"profile": self.profile.to_json(), "modules": sorted(self.modules)}

    @classmethod
    def from_json(cls, data: dict) -> NewsScope:
        return cls(SiteProfile.from_json(data["profile"]), frozenset(data["modules"]))


@dataclass
class Discovery:
    site: str
    root_url: str
    generator: str | None
    nukeviet: bool
    profile: SiteProfile
    news: list[Module]
    other: list[Module]

    @property
    def scope(self) -> NewsScope:
        """What a crawl of the site may ask for."""
        names = {m.name for m in self.news} | ({""} if any(m.dropped for m in self.news) else set())
        return NewsScope(self.profile, frozenset(names))

    def allows(self, url: str) -> bool:
        """Whether a crawl may ask for ``url``: an address of one of the site's news modules
        (never a module that is not news, a folder, or a module discovery did not find)."""
        return same_site(url, self.root_url) and self.scope.allows(url)

    def to_json(self) -> dict:
        return {
            "site": self.site, "root_url": self.root_url, "generator": self.generator, "nukeviet": self.nukeviet,
            "profile": self.profile.to_json(),
            "news_modules": [m.to_json() for m in self.news],
            "other_modules": [m.to_json() for m in self.other],
        }


@dataclass
class _Link:
    url: str
    text: str | None


@dataclass
class _Token:
    """One link read as its language left aside and its segments: a module's name and its op, or
    the home module's op; in the query form (``query``) the first is certainly a module (``nv``)."""

    link: _Link
    segs: list[str]
    query: bool


@dataclass
class _Candidate:
    evidence: set[str] = field(default_factory=set)
    categories: dict[str, str | None] = field(default_factory=dict)  # alias → title, in page order
    as_root: str | None = None  # the text of a link to "<name>/"
    rooted: bool = False
    articles_below: int = 0  # "<name>/<slug>-<id>.html": the home module's articles, or a page module's items
    pages_below: bool = False  # "<name>/page-N"
    markup: bool = False


def discover(root_html: str | bytes, root_url: str, sitemap_xml: str | bytes | None = None,
             module_pages: Mapping[str, str | bytes] | None = None) -> Discovery:
    """The site's news modules and their categories, its other modules, and its profile.

    A module seen only in the sitemap, or only as "<name>/", cannot be told apart from its root
    page's address alone: it is listed with kind "unknown" (or, on a site that leaves its news
    module's name out, taken for that module's category); pass its page in ``module_pages``.
    """
    read = _read([(root_url, root_html), *(module_pages or {}).items()], root_url)
    sitemap_modules = _sitemap_modules(sitemap_xml, root_url) if sitemap_xml else []
    links = read.links + ([_Link(u, None) for u in _sitemap_locs(sitemap_xml, root_url)] if sitemap_xml else [])
    form, languages, language, lang_in_path, endurl = _settings(links, read.html_lang)
    cands, home = _gather(t for link in links if (t := _token(link, languages)) is not None)
    own_pages = [t for url in read.marked if (t := _token(_Link(url, None), languages)) and t.segs]
    for t in own_pages:
        if read.marked[t.link.url] and t.segs[0] in cands:
            cands[t.segs[0]].markup = True
    for name in sitemap_modules:
        _candidate(cands, name).evidence.add("sitemap")

    modules = {name for name, c in cands.items() if c.evidence or name in _KIND_BY_NAME}
    drops_home = bool(home.evidence) or any(
        c.articles_below or c.pages_below for name, c in cands.items() if name not in modules
    )
    if not drops_home:  # every first segment is a module's name
        modules |= set(cands)
    else:  # a name seen only as "<name>/" is the home module's category, unless its own page says not
        modules |= {
            t.segs[0] for t in own_pages
            if len(t.segs) == 1 and not (c := _candidate(cands, t.segs[0])).articles_below and not c.pages_below
            and not c.markup
        }
    # the sitemap names every module that has one; the one no address names is the home module
    unseen = [n for n in sitemap_modules if _only_in_sitemap(cands[n]) and n not in _KIND_BY_NAME]
    home_name = unseen[0] if drops_home and len(unseen) == 1 else None

    named = [n for n in cands if n in modules and n != home_name]
    news_names = [n for n in named if _kind(n, cands[n]) == "news"]
    profile = SiteProfile(
        languages=frozenset(languages), language=language, lang_in_path=lang_in_path,
        home_module=home_name, drops_home=drops_home,
        news_modules=frozenset(news_names) | ({home_name} if home_name else set()),
        other_modules=frozenset(n for n in named if n not in news_names),
        modules_known=True, form=form, endurl=endurl,
    )
    origin = _origin(root_url)
    news: list[Module] = []
    if drops_home:
        if home_name:
            home.evidence |= cands[home_name].evidence
        for name, c in cands.items():
            if name not in modules and name != home_name:
                if home.categories.get(name) is None:
                    home.categories[name] = c.as_root
                if c.articles_below:
                    home.evidence.add("article")
                if c.rooted or c.pages_below:
                    home.evidence.add("category")
        news.append(_module(origin, profile, home_name or "", "news", home, dropped=True))
    news += [_module(origin, profile, n, "news", cands[n]) for n in news_names]
    other = [_module(origin, profile, n, _kind(n, cands[n]), cands[n]) for n in named if n not in news_names]
    return Discovery(
        site=urlsplit(root_url).hostname or "", root_url=root_url, generator=read.generator,
        nukeviet=read.nukeviet, profile=profile, news=news, other=other,
    )


# --- reading the pages ------------------------------------------------------------------------------


@dataclass
class _Read:
    links: list[_Link] = field(default_factory=list)
    marked: dict[str, bool] = field(default_factory=dict)  # a module page → whether it is a news article page
    html_lang: str | None = None
    generator: str | None = None
    nukeviet: bool = False


def _read(pages: list[tuple[str, str | bytes]], root_url: str) -> _Read:
    read = _Read()
    for url, html in pages:
        text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
        tree = _tree(text)
        if tree is None:
            continue
        if url == root_url:
            read.html_lang = (tree.get("lang") or "").split("-")[0].lower() or None
            m = _GENERATOR.search(text)
            read.generator = (m[1] or m[2]) if m else None
        else:
            read.marked[url] = bool(_NEWS_MARKUP.search(text))
        # NukeViet's own name in the generator tag, or the variables its head script always sets
        read.nukeviet = read.nukeviet or "nv_base_siteurl" in text or (read.generator or "").lower().startswith("nukeviet")
        read.links += _links(tree, url, root_url)
    return read


def _tree(text: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError):
        return None


def _links(tree: lxml.html.HtmlElement, base: str, root_url: str) -> list[_Link]:
    """Every same-site address a page names: its links, and its RSS feeds (``link rel=alternate``,
    which NukeViet writes for the module a page belongs to and each of its categories)."""
    out = []
    for el in tree.iter("a", "link"):
        if el.tag == "link" and "rss" not in (el.get("type") or ""):
            continue
        url = absolute(base, el.get("href"))
        if not url or not is_web_url(url) or not same_site(url, root_url):
            continue
        text = clean(el.text_content()) if el.tag == "a" else None
        out.append(_Link(url, text or clean(el.get("title"))))
    return out


def _sitemap_locs(xml: str | bytes, root_url: str) -> list[str]:
    text = xml.decode("utf-8", "replace") if isinstance(xml, bytes) else xml
    locs = (absolute(root_url, m.replace("&amp;", "&").strip()) for m in re.findall(r"<loc>\s*([^<]+?)\s*</loc>", text))
    return [u for u in locs if u and same_site(u, root_url)]


def _sitemap_modules(xml: str | bytes, root_url: str) -> list[str]:
    """Modules the sitemap index names, in every form ``nv_xmlSitemapIndex_generate`` writes:
    ``sitemap-<lang>.<module>[.<part>].xml``, ``index.php/[<lang>/]<module>/sitemap[/<part>]/``
    and ``index.php?language=<lang>&nv=<module>&op=sitemap[/<part>]``."""
    names: list[str] = []
    for url in _sitemap_locs(xml, root_url):
        parts = urlsplit(url)
        name = None
        if parts.path.endswith(".xml") and (a := parse(url)).kind is Kind.SITEMAP:
            name = a.module
        elif parts.path in ("/", "/index.php"):
            params = dict(parse_qsl(parts.query.replace("&amp;", "&")))
            if params.get("op", "").split("/")[0] == "sitemap":
                name = params.get("nv")
        else:
            segs = [s for s in parts.path.split("/") if s and s != "index.php"]
            if "sitemap" in segs[1:]:
                name = segs[segs.index("sitemap", 1) - 1]
        if name and _ALIAS.fullmatch(name) and name not in names:
            names.append(name)
    return names


def _settings(links: list[_Link], html_lang: str | None) -> tuple[Form, set[str], str | None, bool | None, str]:
    """The site's address form, languages and ``rewrite_endurl``, by majority of its own links."""
    forms: Counter[Form] = Counter()
    codes: Counter[str] = Counter()
    query_langs: Counter[str] = Counter()
    ends: Counter[bool] = Counter()
    paths = 0
    for link in links:
        parts = urlsplit(link.url)
        path = parts.path or "/"
        if path in ("/", "/index.php") and "nv=" in parts.query:
            forms[Form.QUERY] += 1
            lang = dict(parse_qsl(parts.query.replace("&amp;", "&"))).get("language")
            if lang:
                query_langs[lang] += 1
            continue
        rest = path[1:]
        if rest.startswith("index.php/"):
            form, rest = Form.INDEX_PHP, rest[10:]
        else:
            form = Form.REWRITE
        segs = rest.split("/")
        if not rest or segs[0] in FOLDERS or _STATIC.search(path) or path.endswith(".xml"):
            continue
        forms[form] += 1
        paths += 1
        trailing = segs[-1] == ""
        if trailing:
            segs.pop()
        if segs and segs[0] in ISO_LANGUAGES and (len(segs) > 1 or trailing):
            codes[segs[0]] += 1
            segs = segs[1:]
        if segs and not segs[-1].endswith((".html", ".htm")) and "tag" not in segs[:2]:
            ends[trailing] += 1
    form = max((Form.REWRITE, Form.INDEX_PHP, Form.QUERY), key=lambda f: forms[f])
    endurl = "/" if ends[True] >= ends[False] else ""
    if form is Form.QUERY:
        language = _pick(query_langs, html_lang)
        return form, set(query_langs), language, None, endurl
    in_path = bool(paths) and sum(codes.values()) * 2 >= paths
    language = _pick(codes, html_lang) if in_path else (html_lang if html_lang in ISO_LANGUAGES else None)
    return form, set(codes), language, in_path, endurl


def _pick(counts: Counter[str], preferred: str | None) -> str | None:
    if preferred and preferred in counts:
        return preferred
    return counts.most_common(1)[0][0] if counts else preferred


def _token(link: _Link, languages: set[str]) -> _Token | None:
    parts = urlsplit(link.url)
    path = parts.path or "/"
    if path in ("/", "/index.php") and "nv=" in parts.query:
        params = dict(parse_qsl(parts.query.replace("&amp;", "&")))
        nv, op = params.get("nv", ""), params.get("op", "")
        if not nv or nv == "SitemapIndex":
            return None
        if "/" in nv:
            nv, _, op = nv.partition("/")
        return _Token(link, [nv, *[s for s in op.split("/") if s]], query=True)
    rest = path[1:].removeprefix("index.php/")
    if not rest or _STATIC.search(path) or path.endswith(".xml"):
        return None
    segs = rest.split("/")
    if segs[-1] == "":
        segs.pop()
    if "" in segs:
        return None
    n = len(segs)
    if n == 1 and segs[0] in languages:  # "/vi/" or "/vi" (rewrite_endurl empty): the language's home page
        return None
    if segs[0] in languages and (n > 2 or (n == 2 and not is_home_shaped(segs[1]))):
        segs = segs[1:]
    return _Token(link, segs, query=False)



def _candidate(cands: dict[str, _Candidate], name: str) -> _Candidate:
    if name not in cands:
        cands[name] = _Candidate()
    return cands[name]


def _gather(tokens: Iterable[_Token]) -> tuple[dict[str, _Candidate], _Candidate]:
    """What each first segment's addresses show, and what the addresses without one show."""
    cands: dict[str, _Candidate] = {}
    home = _Candidate()
    for t in tokens:
        segs = t.segs
        if not segs or segs[0] in FOLDERS:
            continue
        first = segs[0]
        if not t.query and first in NEWS_FUNCS:  # a function of the module the addresses leave out
            _read_op(home, segs, t, query=False)
            continue
        c = _candidate(cands, first)
        if t.query:
            c.evidence.add("query")
        rest = segs[1:]
        if not rest:
            c.rooted = True
            c.as_root = c.as_root or t.link.text
        elif len(rest) == 1 and not t.query and is_page_segment(rest[0]):
            c.pages_below = True
        elif len(rest) == 1 and not t.query and article_segment(rest[0]):
            c.articles_below += 1
        else:
            _read_op(c, rest, t, query=t.query)
    return cands, home


def _read_op(c: _Candidate, op: list[str], t: _Token, *, query: bool) -> None:
    """Record what one op of a module shows (``modules/news/functions.php`` reads functions
    first, then ``<cat>[/page-N]``, then ``<cat>/<slug>-<id>``)."""
    head, n = op[0], len(op)
    if head in ("print", "savefile"):
        c.evidence.add(head)
        if n == 3 and is_category_alias(op[1]):
            c.categories.setdefault(op[1], None)
    elif head in NEWS_ONLY_FUNCS:
        c.evidence.add(head)
    elif head == "rss":
        c.evidence.add("rss")
        if n == 2 and is_category_alias(op[1]):
            c.evidence.add("rss-category")
            c.categories.setdefault(op[1], None)
    elif head in ("tag", "sitemap", "search"):
        c.evidence.add(head)
    elif head in OTHER_FUNCS:
        c.evidence.add(f"{OTHER_FUNCS[head]}:{head}")
    elif n == 1 and is_page_segment(head):
        c.evidence.add("paged")  # the module's own page N
    elif n == 1 and head.endswith((".html", ".htm")):
        c.evidence.add("item")  # a page module's "<alias>.html"
    elif n == 1 and is_category_alias(head):
        c.evidence.add("category")
        if c.categories.get(head) is None:
            c.categories[head] = t.link.text
    elif n == 2 and is_category_alias(head) and article_segment(op[1], query=query):
        c.evidence.add("article")
        c.categories.setdefault(head, None)
    elif n == 2 and is_category_alias(head) and is_page_segment(op[1]):
        c.evidence.add("category")
        c.categories.setdefault(head, None)
    else:
        c.evidence.add("deep")


def _only_in_sitemap(c: _Candidate) -> bool:
    return c.evidence == {"sitemap"} and not (c.rooted or c.articles_below or c.pages_below)


def _kind(name: str, c: _Candidate) -> str:
    """"news" for a news module; otherwise what the module shows itself to be."""
    ev = c.evidence
    if ev & NEWS_ONLY_FUNCS or c.markup:
        return "news"
    betrayed = sorted({e.split(":")[0] for e in ev if ":" in e})
    if betrayed:
        return betrayed[0]
    if "item" in ev or c.articles_below:
        return "page"
    if name in _KIND_BY_NAME:
        return _KIND_BY_NAME[name]
    return "news" if "article" in ev else "unknown"


def _module(origin: str, profile: SiteProfile, name: str, kind: str, c: _Candidate, *, dropped: bool = False) -> Module:
    evidence = set(c.evidence)
    if c.articles_below and not dropped:
        evidence.add("item")
    if c.pages_below and not dropped:
        evidence.add("paged")
    module = "" if dropped else name
    categories = [
        Category(alias, title, build_url(origin, profile, alias, module=module))
        for alias, title in c.categories.items()
        if is_category_alias(alias)
    ] if kind == "news" else []
    return Module(
        name=name, kind=kind, url=build_url(origin, profile, "", module=module), dropped=dropped,
        evidence=sorted(evidence - {"query"}), categories=categories,
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
