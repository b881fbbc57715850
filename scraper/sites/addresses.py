"""Every address scheme a NukeViet 4.x portal serves, read back into (language, module, op).

NukeViet builds each address from one internal form, ``index.php?language=L&nv=M&op=OP``, and its
rewriter (``nv_url_rewrite_callback``) turns that into ``/[index.php/][L/][M/]OP[end]`` depending on
the site's settings: ``index.php/`` without server rewrite rules, no ``L/`` when the language is
left out, no ``M/`` for the one module named in ``rewrite_op_mod``, ``end`` = ``rewrite_endurl``
except after ``.html`` or on tag pages. A site without rewriting serves the query form itself.
Reading an address back is ambiguous only in where the module is (``/a/b/c-12.html``: module
``a``, or language ``a`` on a site that drops its news module's name); a ``SiteProfile`` (filled by
``discovery``) settles it, and without one the defaults below read every portal we know.

This module imports nothing of the project: ``scraper.urls`` builds today's portal rules on it, so
there is one rule for reading addresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit, urlunsplit


class Kind(StrEnum):
    """What an address shows: the spider asks this before it fetches anything."""

    ARTICLE = "article"
    PRINT = "print"
    SAVEFILE = "savefile"
    CATEGORY = "category"  # a category's first page
    CATEGORY_PAGE = "category_page"  # <cat>/page-N
    TAG = "tag"
    RSS = "rss"
    SITEMAP = "sitemap"  # one module's sitemap
    SITEMAP_INDEX = "sitemap_index"  # /sitemap.xml and its per-language forms
    MODULE = "module"  # a module's own page (its root, or its page-N)
    OTHER = "other"


ARTICLE_KINDS = frozenset({Kind.ARTICLE, Kind.PRINT, Kind.SAVEFILE})
CATEGORY_KINDS = frozenset({Kind.CATEGORY, Kind.CATEGORY_PAGE})


class Form(StrEnum):
    """How a site writes its addresses."""

    REWRITE = "rewrite"  # /[L/][M/]OP
    INDEX_PHP = "index_php"  # /index.php/[L/][M/]OP: rewriting on, no server rewrite rules
    QUERY = "query"  # /index.php?language=L&nv=M&op=OP: rewriting off


#: Languages a path may open with when the site's own are not known (``vi``, ``en`` and the
#: languages of Vietnam's neighbours and partners, as portals publish them).
DEFAULT_LANGUAGES = frozenset({"vi", "en", "fr", "de", "ru", "zh", "ja", "ko", "lo", "km", "th", "es"})

#: The news module's functions (``modules/news/funcs/``): never a category or a module name.
NEWS_FUNCS = frozenset({
    "main", "viewcat", "topic", "groups", "author", "detail", "search", "content", "tag", "rss",
    "print", "savefile", "sendmail", "rating", "sitemap", "instant-rss",
})
#: Never a category: the names today's portal rule always refused (the site's folders, other
#: modules at their default names) and the news functions, which NukeViet reads before categories.
RESERVED = frozenset({
    "print", "savefile", "tag", "rss", "sitemap", "search", "seek", "users", "contact",
    "about", "feeds", "statistics", "uploads", "assets", "themes", "data", "includes",
    "modules", "install", "js", "index.php", "banners", "comment", "voting", "page",
}) | NEWS_FUNCS
#: Folders of a NukeViet install: never a module.
FOLDERS = frozenset({
    "uploads", "assets", "themes", "data", "includes", "modules", "install", "js", "index.php", "admin", "vendor",
})
#: NukeViet's own modules that are not news, and common add-ons, at their default names
#: (``install/data.php``; laws, download, faq, weblinks from their own repositories).
DEFAULT_OTHER_MODULES = frozenset({
    "about", "siteterms", "page", "contact", "users", "statistics", "seek", "feeds", "comment",
    "voting", "banners", "menu", "freecontent", "two-step-verification",
    "laws", "download", "faq", "weblinks",
})

_ALIAS = re.compile(r"[A-Za-z0-9_-]+")
#: ``<slug>-<id>.html`` as the portal's rule has always read it: the slug may be empty, the id is
#: the trailing number, ``.htm`` is accepted.
_SLUG_ID = re.compile(r"(?P<slug>[A-Za-z0-9_.-]*?)-?(?P<id>\d+)\.html?")
#: The same in a query-form op, where NukeViet accepts the op with or without ``.html``.
_SLUG_ID_OP = re.compile(r"(?P<slug>[A-Za-z0-9_.-]*?)-?(?P<id>\d+)(?:\.html?)?")
_PAGE = re.compile(r"page-(\d+)")
_PAGE_HTML = re.compile(r"page-(\d+)(?:\.html)?")
_SITEMAP_FILE = re.compile(r"sitemap(?:-(?P<lang>[a-z]{2})(?:\.(?P<module>[A-Za-z0-9-]+)(?:\.[A-Za-z0-9-]+)?)?)?\.xml")
_HOME = ""


@dataclass(frozen=True)
class SiteProfile:
    """One site's address settings, as discovery finds them; the defaults read any portal.

    ``home_module`` is NukeViet's ``rewrite_op_mod`` (its name, when known); ``drops_home`` says
    whether addresses without a module segment belong to it. With ``modules_known`` the module
    sets are complete, as on the site itself: an unknown first segment is then the home module's
    op, never a module.
    """

    languages: frozenset[str] = DEFAULT_LANGUAGES
    language: str | None = None
    lang_in_path: bool | None = None  # None: as the address has it
    home_module: str | None = None
    drops_home: bool = True
    news_modules: frozenset[str] = frozenset()
    other_modules: frozenset[str] = frozenset()  # besides DEFAULT_OTHER_MODULES, unless named as news
    modules_known: bool = False
    form: Form | None = None  # None: as the address is written (``index.php/`` dropped)
    endurl: str = "/"
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # parse() is cached on (address, profile): hash the fields once, not on every call
        object.__setattr__(self, "_hash", hash((
            self.languages, self.language, self.lang_in_path, self.home_module, self.drops_home,
            self.news_modules, self.other_modules, self.modules_known, self.form, self.endurl,
        )))

    def __hash__(self) -> int:
        return self._hash

    def to_json(self) -> dict:
        return {
            "languages": sorted(self.languages), "language": self.language, "lang_in_path": self.lang_in_path,
            "home_module": self.home_module, "drops_home": self.drops_home,
            "news_modules": sorted(self.news_modules), "other_modules": sorted(self.other_modules),
            "modules_known": self.modules_known, "form": self.form and str(self.form), "endurl": self.endurl,
        }

    @classmethod
    def from_json(cls, data: dict) -> SiteProfile:
        sets = ("languages", "news_modules", "other_modules")
        kwargs = {k: (frozenset(v) if k in sets else v) for k, v in data.items()}
        if kwargs.get("form") is not None:
            kwargs["form"] = Form(kwargs["form"])
        return cls(**kwargs)


DEFAULT = SiteProfile()


class Address(NamedTuple):
    """One address read back: ``module`` is "" for the module the address leaves out (the site's
    home module), None where no module is named or implied. A tuple: built on the hot path."""

    kind: Kind
    form: Form
    lang: str | None = None
    module: str | None = None
    category: str | None = None
    slug: str | None = None
    id: str | None = None
    page: int = 1
    tag: str | None = None
    view: str | None = None  # "print" or "savefile"
    canonical: str | None = None  # the article's own address (article kinds only)

    @property
    def is_article(self) -> bool:
        """Any view of an article (the page, its print or its savefile copy)."""
        return self.kind in ARTICLE_KINDS


def parse(url: str, profile: SiteProfile | None = None) -> Address:
    """Read ``url`` as an address of a NukeViet portal with ``profile``'s settings."""
    return _parse_default(url) if profile is None or profile is DEFAULT else _parse_with(url, profile)


#: Addresses kept by each cache of their readings (here and in ``scraper.urls``): what recurs
#: from page to page (a portal's menu, side blocks and related lists: a few hundred links), not
#: every article a crawl meets, which it reads a few times and never again. Caches of 8,192 and
#: 16,384 entries held 36 MiB of a 20,000-article crawl's 43 MiB of peak RSS growth over a
#: 2,000-article one (tracemalloc; bench/crawl.py: 2.5 KB an article). The price: extracting
#: 1,980 replica article pages once each took 1.11-1.17 ms a page against 1.10-1.12 with 16,384.
CACHED_ADDRESSES = 2048


@lru_cache(maxsize=CACHED_ADDRESSES)  # the extraction's hot path asks for the same menu links on every page
def _parse_default(url: str) -> Address:
    return _parse(url, DEFAULT)


@lru_cache(maxsize=CACHED_ADDRESSES)
def _parse_with(url: str, profile: SiteProfile) -> Address:
    return _parse(url, profile)


def article_key(url: str, profile: SiteProfile | None = None) -> str:
    """The key an article is remembered by, per module: ``id:N`` in the site's home module (the
    one its addresses leave out: today's portal's keys), ``<module>:id:N`` in a named one, whose ids
    are another numbering; ``url:<address>`` for an address that is no article."""
    a = parse(url, profile)
    if a.kind in ARTICLE_KINDS:
        home = (profile or DEFAULT).home_module
        return f"id:{a.id}" if not a.module or a.module == home else f"{a.module}:id:{a.id}"
    return f"url:{without_fragment(url)}"


def without_fragment(url: str) -> str:
    """``url`` as a page address: the fragment never reaches the server."""
    parts = _split(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def canonical_article_url(url: str, profile: SiteProfile | None = None) -> str | None:
    """The article's own address (any view of it, any scheme), or None for another address."""
    return parse(url, profile).canonical


def build_url(origin: str, profile: SiteProfile, op: str, *, module: str = _HOME, lang: str | None = None,
              form: Form | None = None) -> str:
    """The address NukeViet's rewriter gives ``op`` of ``module`` on a site with ``profile``: what
    the spider should ask for (a category's page, an article), in the site's own scheme."""
    form = form or profile.form or Form.REWRITE
    lang = lang or profile.language
    if form is Form.QUERY:
        params = []
        if lang:
            params.append(f"language={lang}")
        name = module or profile.home_module
        if name:
            params.append(f"nv={name}")
        if op:
            params.append(f"op={op}")
        return f"{origin}/index.php" + ("?" + "&".join(params) if params else "")
    parts = []
    if lang and profile.lang_in_path is not False:
        parts.append(lang)
    if module and not (profile.drops_home and module == profile.home_module):
        parts.append(module)
    if op:
        parts.append(op)
    end = "" if not parts or op.endswith(".html") or op.startswith("tag/") else profile.endurl
    return f"{origin}/{'index.php/' if form is Form.INDEX_PHP else ''}{'/'.join(parts)}{end}"


# --- reading ---------------------------------------------------------------------------------------


def _split(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError:
        return urlsplit("")


def _parse(url: str, profile: SiteProfile) -> Address:
    parts = _split(url)
    path, query = parts.path, parts.query
    if query and path in ("/index.php", "/", "") and "nv=" in query and (a := _parse_query(parts, profile)):
        return a
    if path == "/index.php":
        return Address(Kind.MODULE, Form.QUERY, module=_HOME)
    return _fast_path(parts, profile) or _parse_path(parts, profile)


#: Today's portal's own article addresses, ``/[index.php/][print/|savefile/]<cat>/<slug>-<id>.html``:
#: read in one match where ``_parse_path`` would read them the same way (tested against it).
_FAST = re.compile(
    r"/(?P<index>index\.php/)?(?:(?P<view>print|savefile)/)?(?P<cat>[A-Za-z0-9_-]+)/"
    r"(?P<slug>[A-Za-z0-9_.-]*?)-?(?P<id>\d+)\.html?"
)


_VIEW_KINDS = {None: Kind.ARTICLE, "print": Kind.PRINT, "savefile": Kind.SAVEFILE}


def _fast_path(parts: SplitResult, profile: SiteProfile) -> Address | None:
    m = _FAST.fullmatch(parts.path)
    if m is None or not profile.drops_home:
        return None
    cat, view = m["cat"], m["view"]
    if cat in RESERVED or (view and (view in profile.news_modules or view in profile.other_modules or view == profile.home_module)):
        return None
    if not view and (
        m["slug"].startswith("page") or cat in FOLDERS or cat in DEFAULT_OTHER_MODULES or cat in profile.other_modules
        or cat in profile.news_modules or cat == profile.home_module
    ):
        return None
    form = Form.INDEX_PHP if m["index"] else Form.REWRITE
    slug, id_ = m["slug"], m["id"]
    if profile.form in (None, Form.REWRITE) and not (profile.lang_in_path and profile.language):
        canonical = f"{parts.scheme}://{parts.netloc}/{cat}/{slug}-{id_}.html" if slug else f"{parts.scheme}://{parts.netloc}/{cat}/{id_}.html"
    else:
        canonical = _canonical(f"{parts.scheme}://{parts.netloc}", profile, form, None, _HOME, cat, slug, id_)
    return Address(_VIEW_KINDS[view], form, None, _HOME, cat, slug, id_, 1, None, view, canonical)


def _parse_path(parts: SplitResult, profile: SiteProfile) -> Address:
    path = parts.path
    if not path.startswith("/"):
        return Address(Kind.OTHER, Form.REWRITE)
    rest = path[1:]
    form = Form.REWRITE
    if rest.startswith("index.php/"):
        form, rest = Form.INDEX_PHP, rest[10:]
    segs = rest.split("/") if rest else []
    trailing = bool(segs) and segs[-1] == ""
    if trailing:
        segs.pop()
    if "" in segs:
        return Address(Kind.OTHER, form)
    if len(segs) == 1 and not trailing and (m := _SITEMAP_FILE.fullmatch(segs[0])):
        if m["module"]:
            return Address(Kind.SITEMAP, form, lang=m["lang"], module=m["module"])
        return Address(Kind.SITEMAP_INDEX, form, lang=m["lang"])
    lang = None
    # a language opens the path when something follows it, except that "<x>/<slug>-<id>.html"
    # and "<x>/page-N" are always the home module's (an op needs a category before those)
    n = len(segs)
    if n and segs[0] in profile.languages and (n > 2 or (n == 2 and not is_home_shaped(segs[1])) or (n == 1 and trailing)):
        lang = segs.pop(0)
    module, op = _module_of(segs, profile)
    if module is None:
        other = segs[0] if segs and (segs[0] in profile.other_modules or segs[0] in DEFAULT_OTHER_MODULES) else None
        return Address(Kind.OTHER, form, lang=lang, module=other)
    origin = f"{parts.scheme}://{parts.netloc}"
    return _read_op(op, form, lang, module, trailing, profile, origin, query=False)


def is_home_shaped(segment: str) -> bool:
    """An op's second segment that makes its first a category: a page number or an article."""
    return bool(_PAGE_HTML.fullmatch(segment) or _SLUG_ID.fullmatch(segment))


def _module_of(segs: list[str], profile: SiteProfile) -> tuple[str | None, list[str]]:
    """Which news module a path names ("" for the home module) and its op; None when the path
    belongs to no news module (a folder, a module that is not news)."""
    if not segs:
        return (_HOME if profile.drops_home else None), segs
    first = segs[0]
    if first in profile.news_modules or (first and first == profile.home_module):
        return first, segs[1:]
    if first in profile.other_modules or first in DEFAULT_OTHER_MODULES or first in FOLDERS:
        return None, segs
    if first in NEWS_FUNCS:
        home = True
    elif profile.modules_known:
        home = True  # NukeViet hands a name that is no module to the home module as its op
    elif len(segs) == 1:
        home = True
    elif len(segs) == 2:
        home = is_home_shaped(segs[1])
    else:
        home = False
    if home:
        return (_HOME if profile.drops_home else None), segs
    return first, segs[1:]


def _parse_query(parts: SplitResult, profile: SiteProfile) -> Address | None:
    """The query form; None when it names no module (``nv``): that is the site's home page."""
    params = dict(parse_qsl(parts.query.replace("&amp;", "&"), keep_blank_values=True))
    lang = params.get("language") or None
    module = params.get("nv")
    op = params.get("op", "")
    if not module:
        return None
    if module == "SitemapIndex":
        return Address(Kind.SITEMAP_INDEX, Form.QUERY, lang=lang)
    if module and "/" in module:
        if op:
            return Address(Kind.OTHER, Form.QUERY, lang=lang)
        module, _, op = module.partition("/")
    if not _may_be_news(module, profile):
        return Address(Kind.OTHER, Form.QUERY, lang=lang, module=module)
    segs = op.split("/") if op else []
    trailing = bool(segs) and segs[-1] == ""
    if trailing:
        segs.pop()
    if "" in segs:
        return Address(Kind.OTHER, Form.QUERY, lang=lang, module=module)
    return _read_op(segs, Form.QUERY, lang, module, trailing, profile, f"{parts.scheme}://{parts.netloc}", query=True)


def _may_be_news(name: str, profile: SiteProfile) -> bool:
    """Whether a module named in a query (``nv=``) may be a news module on this site."""
    if name in profile.news_modules or name == profile.home_module:
        return True
    if name in profile.other_modules or name in DEFAULT_OTHER_MODULES or name in FOLDERS or name in NEWS_FUNCS:
        return False
    if not _ALIAS.fullmatch(name):
        return False
    return not profile.modules_known


def _read_op(op: list[str], form: Form, lang: str | None, module: str, trailing: bool, profile: SiteProfile,
             origin: str, *, query: bool) -> Address:
    """What ``op`` shows inside a news module (``modules/news/functions.php``: functions first,
    then ``<cat>[/page-N]``, then ``<cat>/<slug>-<id>``)."""
    n = len(op)
    # a rewritten address other than .html and tag pages ends in rewrite_endurl ("/" or nothing)
    ends_right = query or trailing or profile.endurl != "/"

    def made(kind: Kind, **kw: object) -> Address:
        return Address(kind, form, lang=lang, module=module, **kw)

    if n == 0:
        return made(Kind.MODULE) if ends_right or not (lang or module) else made(Kind.OTHER)
    head = op[0]
    if head in ("print", "savefile"):
        if n == 3 and not trailing and is_category_alias(op[1]) and (m := _article(op[2], query)):
            canonical = _canonical(origin, profile, form, lang, module, op[1], m["slug"], m["id"])
            return made(Kind(head), category=op[1], slug=m["slug"], id=m["id"], view=head, canonical=canonical)
        return made(Kind.OTHER)
    if head == "tag":
        if n < 2:
            return made(Kind.OTHER)
        rest, page = op[1:], 1
        if len(rest) == 2 and (m := _PAGE.fullmatch(rest[1])):
            rest, page = rest[:1], int(m[1])
        return made(Kind.TAG, tag=unquote("/".join(rest)), page=page)
    if head == "rss":
        if n <= 2 and ends_right:
            return made(Kind.RSS, category=op[1] if n == 2 else None)
        return made(Kind.OTHER)
    if head == "sitemap":
        return made(Kind.SITEMAP) if n <= 2 else made(Kind.OTHER)
    if n == 1 and (m := _PAGE.fullmatch(head)):
        return made(Kind.MODULE, page=int(m[1])) if ends_right else made(Kind.OTHER)
    if not is_category_alias(head):
        return made(Kind.OTHER)
    if n == 1:
        return made(Kind.CATEGORY, category=head) if ends_right else made(Kind.OTHER)
    if n == 2:
        second = op[1]
        if second.startswith("page-"):  # a category's page, never an article (functions.php)
            if m := (_PAGE.fullmatch(second) or (_PAGE_HTML.fullmatch(second) if profile.endurl == ".html" else None)):
                page = int(m[1])
                return made(Kind.CATEGORY if page == 1 else Kind.CATEGORY_PAGE, category=head, page=page)
            return made(Kind.OTHER)
        if not trailing and (m := _article(second, query)):
            canonical = _canonical(origin, profile, form, lang, module, head, m["slug"], m["id"])
            return made(Kind.ARTICLE, category=head, slug=m["slug"], id=m["id"], canonical=canonical)
    return made(Kind.OTHER)


def is_category_alias(alias: str) -> bool:
    """Whether a news module may have a category of this name (NukeViet reads its functions first)."""
    return alias not in RESERVED and _ALIAS.fullmatch(alias) is not None


def is_page_segment(segment: str) -> bool:
    """``page-N``: a listing's page, never a category or an article."""
    return _PAGE.fullmatch(segment) is not None


def article_segment(segment: str, *, query: bool = False) -> re.Match[str] | None:
    """``<slug>-<id>.html`` (its ``slug`` and ``id``); in a query-form op the ``.html`` is optional."""
    if segment.startswith("page-"):  # functions.php takes <cat>/page-* for the category's page
        return None
    return (_SLUG_ID_OP if query else _SLUG_ID).fullmatch(segment)


def _article(segment: str, query: bool) -> re.Match[str] | None:
    return (_SLUG_ID_OP if query else _SLUG_ID).fullmatch(segment)


def _canonical(origin: str, profile: SiteProfile, form: Form, lang: str | None, module: str, category: str,
               slug: str, id_: str) -> str:
    """An article's own address: the article page in the site's scheme, or in the address's own
    (``index.php/`` dropped, as on today's portal) when the site's is not known."""
    op = f"{category}/{slug}-{id_}.html" if slug else f"{category}/{id_}.html"
    out_form = profile.form or (Form.QUERY if form is Form.QUERY else Form.REWRITE)
    if out_form is Form.QUERY:
        lang = lang or profile.language
        name = module or profile.home_module
        params = ([f"language={lang}"] if lang else []) + ([f"nv={name}"] if name else []) + [f"op={op}"]
        return f"{origin}/index.php?" + "&".join(params)
    segs = []
    if profile.lang_in_path is True:
        if lang := lang or profile.language:
            segs.append(lang)
    elif profile.lang_in_path is None and lang and form is not Form.QUERY:
        segs.append(lang)  # as written; the query form always names its language
    if module and not (profile.drops_home and module == profile.home_module):
        segs.append(module)
    segs.append(op)
    return f"{origin}/{'index.php/' if out_form is Form.INDEX_PHP else ''}{'/'.join(segs)}"
