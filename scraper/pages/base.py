"""What every article page object shares: parsing once, cascades, text anchors.

A page object is a pure function of the HTML and its address: the crawl, the
offline ``extract`` command and the tests all build records through it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cached_property, lru_cache
from typing import ClassVar

from selectolax.lexbor import LexborHTMLParser, LexborNode
from w3lib.encoding import html_to_unicode, http_content_type_encoding, read_bom

from ..items import ArticleItem, Crumb, Image
from ..sites.addresses import Form, SiteProfile
from ..text import clean
from ..urls import absolute, article_id, canonical_article_url, is_article_url, is_web_url
from .body import Body, extract_body, make_image
from .dom import Furniture, PageText, holding, inside, parse_dom, text_of
from .related import related_lists

#: Characters HTML forbids and lxml refuses in text it is given (C0 controls but tab and line
#: breaks, and the non-characters U+FFFE/U+FFFF); DEL too.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
#: The one-byte ones as UTF-8 bytes (never part of a multi-byte sequence): spotting them with
#: ``bytes.translate`` is five times faster than the regular expression's search.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_NONCHAR_BYTES = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")
#: Every byte but those that begin a forbidden character or reference ("&", "\xef"): deleting
#: them leaves a page's few suspects.
_SAFE_BYTES = bytes(b for b in range(256) if b not in {*_CONTROL_BYTES, 0xEF, 0x26})
#: Character references to the same characters ("&#27;", "&#x1B", "&#65535;"; the ";" is optional
#: in HTML): the parser would put the character itself into the text.
_CONTROL_REFS = re.compile(
    r"&#(?:0*(?:[0-8]|1[124-9]|2\d|3[01]|127|6553[45])(?![0-9])"
    r"|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF]|[fF]{3}[eEfF])(?![0-9a-fA-F]));?"
)
_CONTROL_REF_BYTES = re.compile(_CONTROL_REFS.pattern.encode("ascii"))
#: Labels that announce a field's value on the page.
AUTHOR = ("Tác giả",)
SOURCE = ("Nguồn tin", "Nguồn:")
VIEWS = ("Lượt xem", "Đã xem", "Lượt đọc", "Số lượt xem")
_LABEL_VALUE = re.compile(r"^\s*[^:]{1,25}:\s*")
#: Inline wrappers a label sits in ("<strong>Tác giả:</strong> Thu Hà"): its line is their block.
INLINE_LABEL_TAGS = ("strong", "b", "em", "i", "span", "label")
_VALUE_END = re.compile(r"\s+[|•]\s+|\s{3,}")


class NotAnArticle(ValueError):
    """The page is readable but is not an article of a known layout."""


def page_bytes(markup: str | bytes, content_type: str | None = None) -> bytes:
    """A page as the parser takes it: UTF-8, NFC, without the characters HTML forbids.

    Bytes are decoded by the ``Content-Type`` header's charset, else the page's own declaration,
    else as UTF-8 (w3lib). The crawl's workers decode with Scrapy's own rules before this.
    NFC first, so text anchors match however the page was encoded.
    """
    data = b""
    if isinstance(markup, bytes):
        encoding, text = _decode(markup, content_type)
        # valid UTF-8 without a BOM (U+FFFD marks bytes the decoding replaced) goes to lxml as it
        # came: no second encoding
        if encoding == "utf-8" and not markup.startswith(b"\xef\xbb\xbf") and "\ufffd" not in text:
            data = markup
    else:
        text = markup
    # normalize() returns its very argument when a quick check finds it NFC already; asking
    # is_normalized() first would make a decomposed page pay for the full check twice. UTF-8
    # lead bytes \xcc/\xcd (U+0300-U+037F, combining accents) mark a decomposed page: its lines
    # are normalised one by one, the ASCII ones (most of the markup) skipped.
    if data and (b"\xcc" in data or b"\xcd" in data):
        normalized = nfc_lines(text)
    else:
        normalized = unicodedata.normalize("NFC", text)
    if normalized is not text:
        text, data = normalized, b""
    if not data:
        data = text.encode("utf-8", "replace")
    # One C-level pass keeps only the bytes that can start trouble; nearly every page has none
    # but "&" (and "\xef" of a non-character), so the exact tests below rarely run.
    suspects = data.translate(None, _SAFE_BYTES)
    if suspects.strip(b"&\xef") or (b"\xef" in suspects and any(b in data for b in _NONCHAR_BYTES)):
        text = _CONTROL_CHARS.sub("", text)  # lxml refuses them in edited text
        data = b""
    # after the characters: removing "\x00" from "&#\x002O" leaves "&#2O"
    # (the bytes pattern is the same ASCII test: a 2-byte "in" scans a page three times slower)
    if b"&" in suspects and (_CONTROL_REF_BYTES.search(data) if data else _CONTROL_REFS.search(text)):
        while True:  # and again: "&#&#27;27;" leaves "&#27;" behind
            text, found = _CONTROL_REFS.subn("", text)
            if not found:
                break
        data = b""
    if not data:
        data = text.encode("utf-8", "replace")
    if not data.strip():
        raise NotAnArticle("empty document")
    return data


#: A page that opens as NukeViet's and the 2021 portal's templates do, "<!DOCTYPE html><html …><head>
#: <meta charset="utf-8">" (nothing but white space between): w3lib's scan of the head finds that tag
#: first, so declares UTF-8 whatever follows (its BOM test fails on the first byte, which is "<" or
#: white space). None of the skipped tags can start one of the scan's matches (a comment, a meta tag,
#: an XML declaration, <body>), and none holds a "<" or ">".
_UTF8_DECLARED = re.compile(
    rb'\s*(?:<!doctype[^<>]*>\s*)?(?:<html[^<>]*>\s*)?(?:<head[^<>]*>\s*)?<meta charset="utf-?8"\s*/?>', re.I
)


def _decode(markup: bytes, content_type: str | None) -> tuple[str, str]:
    """The encoding of a page's bytes and its text, by w3lib's ``html_to_unicode``. Its scan of
    the head for a declared charset was 4-6% of a small page's extraction: a page whose header
    names UTF-8 (and no byte-order mark another encoding), or with no header charset declaring
    UTF-8 in its first tag (``_UTF8_DECLARED``), is decoded without it, as w3lib would decode it."""
    header = http_content_type_encoding(content_type)
    if (header is None and _UTF8_DECLARED.match(markup)) or (header == "utf-8" and read_bom(markup)[0] is None):
        return "utf-8", markup.decode("utf-8", "replace")
    try:
        return html_to_unicode(content_type, markup)
    except (LookupError, ValueError):  # a declared codec that is no text codec ("uu")
        return "utf-8", markup.decode("utf-8", "replace")


def nfc_lines(text: str) -> str:
    """``text`` in NFC, line by line: a line break neither composes nor reorders with what
    stands beside it, so this equals normalising the whole; lines of ASCII are NFC as they are.
    Twice as fast as one whole-text pass on a decomposed page, whose markup is mostly ASCII."""
    return "\n".join(line if line.isascii() else unicodedata.normalize("NFC", line) for line in text.split("\n"))


#: How a site without server rewrite rules writes its addresses: ``/index.php/…`` is then the
#: only form it answers.
_INDEX_PHP = SiteProfile(form=Form.INDEX_PHP)


def declared_canonical(url: str) -> str:
    """The canonical form of an article address a page declares as its own (its canonical link,
    og:url, the print view's footer). Other views, queries and fragments go; ``index.php/`` stays
    where the site itself writes it, as a site without rewrite rules must (elsewhere, as on today's
    portal, an ``index.php/`` address the crawl came by maps to the rewritten one)."""
    return canonical_article_url(url, _INDEX_PHP if "/index.php/" in url else None)


def parse(markup: str | bytes, content_type: str | None = None) -> LexborHTMLParser:
    """The tree of a page, parsed once from :func:`page_bytes`."""
    return parse_dom(page_bytes(markup, content_type))


@lru_cache(maxsize=32)
def _label_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, labels)))


def after_label(text: str | None) -> str | None:
    """"Tác giả: Nguyễn Văn A" → "Nguyễn Văn A"."""
    if not text:
        return None
    return clean(_LABEL_VALUE.sub("", text, count=1))


_UNSEEN = frozenset(("script", "style", "title", "option"))
#: A breadcrumb item's name and link (``crumbs_from``).
_CRUMB_PARTS = '[itemprop="name"], a[href]'


class ArticlePage:
    """Base for the article page objects: one page's tree in, one raw record out.

    What every layout shares: the head's meta tags, the canonical address, labelled lines,
    crumbs, related lists, and the record's assembly.
    """

    layout: ClassVar[str]

    def __init__(self, tree: LexborHTMLParser, url: str) -> None:
        self.tree = tree
        self.root = tree.root
        self.url = url
        self._head: dict[str, str | None] = {}

    def head_value(self, key: str) -> str | None:
        """A ``<meta>`` content by property/name, or a ``<link>`` href by ``link:<rel>``: the
        head's first, asked of lexbor's selectors (a page object reads two or three keys, and a
        dict of the whole head cost more than all of them)."""
        if key not in self._head:
            self._head[key] = self._find_head_value(key)
        return self._head[key]

    def _find_head_value(self, key: str) -> str | None:
        if key.startswith("link:"):
            selector = f'link[rel="{key[5:]}" i]'
        else:
            selector = f'meta[property="{key}"], meta[name="{key}"]'
        # a stray tag in the head ends it for an HTML5 parser: what follows lands in <body>, maybe
        # inside the stray element ("<metle><meta …><link rel=canonical …>")
        for scope in (self.tree.head, self.tree.body):
            for el in scope.css(selector) if scope is not None else ():
                found, value = head_entry(el.tag, el.attrs)
                if found == key and value is not None:
                    return value
        return None

    def meta(self, name: str) -> str | None:
        return clean(self.head_value(name))

    def canonical_url(self) -> str:
        """The article's own address: canonical link or og:url when they name an article."""
        for key in ("link:canonical", "og:url"):  # og:url asked only when the canonical link names no article
            url = absolute(self.url, self.head_value(key))
            if url and is_web_url(url) and is_article_url(url):
                return declared_canonical(url)
        return canonical_article_url(self.url)

    def is_related_link(self, url: str) -> bool:
        return is_article_url(url)

    def new_item(self, body: Body, **fields: object) -> ArticleItem:
        item = ArticleItem(
            url=self.canonical_url(),
            fetched_url=self.url,
            layout=self.layout,
            article_id=None,
            body_text=body.text,
            body_html=body.html,
            **fields,  # type: ignore[arg-type]
        )
        item.article_id = article_id(item.url) or article_id(self.url)
        for line in body.meta_lines:
            low = line.casefold()
            if low.startswith("tác giả") and not item.author:
                item.author = after_label(line)
            elif low.startswith("nguồn") and not item.source:
                item.source = after_label(line)
            elif item.views is None and "xem" in low:
                item.views = after_label(line)
        if item.breadcrumbs and not item.category:
            item.category = item.breadcrumbs[-1].name
        return item

    def body_of(self, node: LexborNode) -> Body:
        """The body's record fields. Edits the tree: every other field is read first."""
        return extract_body(node, self.url)

    def image(self, img: LexborNode, caption: str | None) -> Image | None:
        return make_image(img.attrs, self.url, caption)

    def related(self, body: LexborNode | None) -> list:
        return related_lists(self.text.scope, self.url, self.is_related_link, Furniture(body), self.text)

    def crumbs_from(self, items: list[LexborNode]) -> list[Crumb]:
        out = []
        for li in items:
            # the item's name element and its link from one query, each the first of its kind in
            # document order as a css_first of its own finds it: on so small a scope a query's
            # fixed cost is most of its time (two queries a crumb were 2% of a NukeViet page's time;
            # breadcrumbs() 15 -> 11 us on nukeviet-views, with ``microdata``)
            name_el = link = None
            for el in li.css(_CRUMB_PARTS):
                present = el.attributes
                if name_el is None and present.get("itemprop") == "name":
                    name_el = el
                if link is None and el.tag == "a" and "href" in present:
                    link = el
            name = text_of(name_el if name_el is not None else li)
            href = link.attrs.get("href") if link is not None else None
            if name:
                out.append(Crumb(name=name, url=absolute(self.url, href) if href else None))
        return out

    @cached_property
    def text(self) -> PageText:
        """The page's text nodes, indexed once for every text anchor."""
        return PageText(self.tree.body or self.root)

    def anchored(self, scope: LexborNode, labels: dict[str, tuple[str, ...]]) -> dict[str, str]:
        """Values after visible labels ("Tác giả:" → author) inside ``scope``, in document order.

        ``labels`` maps a field to the labels that announce it; a value runs to a "|" separator.
        """
        every = tuple(label for group in labels.values() for label in group)
        return labelled_values((self._block_text(holder) for holder in self._label_holders(scope, every)
                                if holder.tag not in _UNSEEN), labels)

    @staticmethod
    def _block_text(holder: LexborNode) -> str:
        """The text of the block a label sits in ("<p><strong>Tác giả:</strong> Thu Hà</p>")."""
        block = holder
        while block.tag in INLINE_LABEL_TAGS and block.parent is not None and block.parent.is_element_node:
            block = block.parent
        return text_of(block) or ""

    def _label_holders(self, scope: LexborNode, labels: tuple[str, ...]) -> list[LexborNode]:
        """Elements in ``scope`` owning a short text (≤ 160 characters) that holds a label."""
        # the page's text index where related lists made one already; else the scope's own
        text = self.__dict__.get("text") or PageText(scope)
        held = text.holding(labels)
        if held is not None:
            return [holder for _, holder in held if inside(holder, scope)]
        pattern = _label_pattern(labels)
        return [holder for holder in holding(scope, labels) if any(
            child.is_text_node and len(own := child.text(deep=False)) <= 160 and pattern.search(own)
            for child in holder.iter(include_text=True)
        )]

    def labelled(self, scope: LexborNode) -> dict[str, str]:
        """Author, source and views from labelled lines: read before the body is, which edits
        the tree; they fill only what the body's own lines leave empty (``fill``)."""
        return self.anchored(scope, LABELLED)

    @staticmethod
    def fill(item: ArticleItem, labelled: dict[str, str]) -> None:
        for name, value in labelled.items():
            if getattr(item, name) is None:
                setattr(item, name, value)

    def to_item(self) -> ArticleItem:  # pragma: no cover - abstract
        raise NotImplementedError


def label_value(text: str, labels: tuple[str, ...]) -> str | None:
    """The value a label announces inside a line: "Tác giả: Thu Hà | Nguồn: …" → "Thu Hà"."""
    at = -1
    for label in labels:
        found = text.find(label)
        if found >= 0 and (at < 0 or found < at):
            at = found
    if at < 0:
        return None
    return clean(_VALUE_END.split(_LABEL_VALUE.sub("", text[at:], count=1), maxsplit=1)[0])


def head_entry(tag: str, attrs: Mapping[str, str]) -> tuple[str | None, str | None]:
    """A head tag's key and value: a ``<meta>``'s property (or name) and content, a ``<link>``'s
    ``link:<rel>`` and href."""
    if tag == "meta":
        return attrs.get("property") or attrs.get("name"), attrs.get("content")
    return f"link:{(attrs.get('rel') or '').lower()}", attrs.get("href")


def labelled_values(lines: Iterable[str], labels: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """The first value each field's labels announce in ``lines`` (the text of each block holding
    a label, in page order); read no further than the last field needs."""
    found: dict[str, str] = {}
    for text in lines:
        for name, group in labels.items():
            if name not in found and (value := label_value(text, group)):
                found[name] = value
        if len(found) == len(labels):
            break
    return found


#: The labelled fields a page shows outside its body, and the labels that announce each.
LABELLED = {"author": AUTHOR, "source": SOURCE, "views": VIEWS}
