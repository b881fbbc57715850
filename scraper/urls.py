"""The portal's address patterns: which address is an article, and its one canonical form.

Print, savefile, ``index.php/`` and fragment/query variants of one article all map to
the same canonical address, so dedup and incremental state key on one string. The rule itself
is ``scraper.sites.addresses`` (every NukeViet scheme); these are today's portal's questions of it,
each taking a site's ``SiteProfile`` where one is known.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urljoin, urlsplit

from .sites import addresses as _addresses
from .sites.addresses import ARTICLE_KINDS, CATEGORY_KINDS, Address, SiteProfile
from .sites.addresses import RESERVED as RESERVED  # first path segments that are never categories

_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
#: Characters after which urljoin may rewrite an absolute address (dot segments, params, query, fragment).
_JOIN_CHANGES = ("/.", "\\", "?", "#", ";")
_NOT_WEB = re.compile(r"(?i)\s*(javascript|mailto|tel|data|vbscript):")
_LEGACY_ID_KEYS = ("id", "newsid", "tinid", "itemid")


def absolute(base: str, href: str | None) -> str | None:
    """Resolve ``href`` against ``base``; None for empty, script/mail or malformed links."""
    if not href:
        return None
    if not (href.isprintable() and href[0] != " " and href[-1] != " "):  # a clean address needs none
        href = _CONTROLS.sub("", href).strip()  # as browsers do: tabs, newlines and C0 controls go
        if not href:
            return None
    # where urljoin would only append (no dot segment to resolve) or keep, do so: the common
    # cases, a root-relative link, an absolute one, and the 2021 portal's plain relative ones
    # ("ChiTietTin.aspx?ID=1"). Neither of the first two can be a fragment or a script address.
    if href[0] == "/":
        if href[1:2] != "/" and "\\" not in href and "/." not in href and (origin := _origin(base)):
            return origin + href
    elif href.startswith(("https://", "http://")):
        if not any(c in href for c in _JOIN_CHANGES):
            return _as_is(href)
    elif href[0] == "#" or _NOT_WEB.match(href):
        return None
    elif href[0] != "?" and _plain_path(href) and (folder := _folder(base)):
        return folder + href
    try:
        url = urljoin(base, href)
        urlsplit(url).port  # noqa: B018 - raises on a malformed host or port
    except ValueError:
        return None
    return url


def _as_is(href: str) -> str | None:
    """An absolute address nothing in urljoin would rewrite: kept, if its host and port parse."""
    end = href.find("/", 8)
    return href if _authority_ok(href[: end if end > 0 else len(href)]) else None


@lru_cache(maxsize=1024)
def _authority_ok(prefix: str) -> bool:
    """Whether a "scheme://host[:port]" prefix is well formed (urlsplit raises on a bad host or
    port): a page's absolute links share a few, so each is checked once."""
    try:
        urlsplit(prefix).port  # noqa: B018 - raises on a malformed host or port
    except ValueError:
        return False
    return True


def _plain_path(href: str) -> bool:
    """A relative address urljoin would only append: no scheme (":"), params (";"), backslash,
    dot segment ("/./", "../") or empty segment ("a//b": urljoin drops it) in its path."""
    if ":" in href or ";" in href or "\\" in href:
        return False
    path = href.partition("?")[0].partition("#")[0]
    return "/." not in path and "//" not in path[1:] and not path.startswith(".")


@lru_cache(maxsize=256)
def _origin(base: str) -> str | None:
    parts = _split(base)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


@lru_cache(maxsize=256)
def _folder(base: str) -> str | None:
    """``base`` up to the last "/" of its path: what a plain relative address is appended to."""
    origin = _origin(base)
    path = _split(base).path
    if origin is None or not _plain_path(path or "/"):
        return None
    return origin + (path[: path.rfind("/") + 1] if "/" in path else "/")


def _split(url: str):
    """urlsplit that never raises: a malformed address has no parts."""
    try:
        return urlsplit(url)
    except ValueError:
        return urlsplit("")


def article_match(url: str, profile: SiteProfile | None = None) -> Address | None:
    """The article an address shows (any view of it, any NukeViet scheme), or None."""
    a = _addresses.parse(url, profile)
    return a if a.kind in ARTICLE_KINDS else None


def is_web_url(url: str) -> bool:
    parts = _split(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def same_site(url: str, base: str) -> bool:
    """Same host as ``base`` (``www.`` and scheme aside): the crawl never leaves the portal."""
    a = site_of(url)
    return bool(a) and a == site_of(base)


@lru_cache(maxsize=_addresses.CACHED_ADDRESSES)
def site_of(url: str) -> str:
    """The portal an address belongs to, the record's ``site``: its host in lower case, without
    ``www.`` (a port is no other portal: a replica restarted elsewhere is the same site); "" for
    any other scheme (a mistyped "htfps:" link must not take the place of the article's real address)."""
    parts = _split(url)
    return (parts.hostname or "").removeprefix("www.") if parts.scheme in ("http", "https") else ""


@lru_cache(maxsize=_addresses.CACHED_ADDRESSES)  # the same menu and side-block links recur on every page
def is_article_url(url: str, profile: SiteProfile | None = None) -> bool:
    return _addresses.parse(url, profile).kind in ARTICLE_KINDS


def category_alias(url: str, profile: SiteProfile | None = None) -> tuple[str, int] | None:
    """``(alias, page)`` of a category listing address of the site's home module (the one its
    addresses leave out, as on today's portal), or None; other modules' categories: ``parse``."""
    a = _addresses.parse(url, profile)
    if a.kind not in CATEGORY_KINDS or a.module or a.category is None:
        return None
    return a.category, a.page


@lru_cache(maxsize=_addresses.CACHED_ADDRESSES)
def canonical_article_url(url: str, profile: SiteProfile | None = None) -> str:
    """The article address with view prefixes, ``index.php/``, query and fragment removed; any
    other address without its fragment."""
    return _addresses.parse(url, profile).canonical or _addresses.without_fragment(url)


def article_id(url: str, profile: SiteProfile | None = None) -> str | None:
    """The article's id: NukeViet's trailing number, or a legacy ``?ID=`` value."""
    a = _addresses.parse(url, profile)
    if a.kind in ARTICLE_KINDS:
        return a.id
    for key, value in parse_qsl(_split(url).query):
        if key.lower() in _LEGACY_ID_KEYS and value.strip():
            return value.strip()
    return None


def view_of(url: str, profile: SiteProfile | None = None) -> str | None:
    """'print' or 'savefile' when ``url`` is such a view."""
    a = _addresses.parse(url, profile)
    return a.view if a.kind in ARTICLE_KINDS else None


_LEGACY_ARTICLE = re.compile(r"(?i)/(chitiettin|chitiet|tinchitiet|xemtin|newsdetail|detail)[^/]*\.aspx$")


def is_legacy_article_url(url: str) -> bool:
    """A 2021-era article address: ``ChiTietTin.aspx?ID=N`` and its kin."""
    parts = _split(url)
    return bool(_LEGACY_ARTICLE.search(parts.path)) and article_id(url) is not None


@lru_cache(maxsize=_addresses.CACHED_ADDRESSES)
def article_key(url: str, profile: SiteProfile | None = None) -> str:
    """The key an article is remembered by: ``id:N`` for the site's home module (today's portal's
    global ids), ``<module>:id:N`` for a named one, else its canonical address.

    A 2021-era ``ChiTietTin.aspx?ID=N`` is keyed by its address: its ids are another numbering.
    """
    return _addresses.article_key(url, profile)


def site_key(url: str, profile: SiteProfile | None = None) -> str:
    """The key an article is remembered by across portals (the crawl state, dedup, the corpus):
    its site, then its key within the site (:func:`article_key`), so article 12 of one portal is
    not article 12 of another."""
    return f"{site_of(url)} {article_key(url, profile)}"

