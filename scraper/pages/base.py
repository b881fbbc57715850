"""What every article page object shares: parsing once, cascades, text anchors.

A page object is a pure function of the HTML and its address: the crawl, the
offline ``extract`` command and the tests all build records through it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property, lru_cache
from typing import Any, ClassVar, TypeVar

from lxml import etree
from w3lib.encoding import html_to_unicode

from ..items import ArticleItem, Crumb, Image
from ..text import clean
from ..urls import absolute, article_id, canonical_article_url, is_article_url, is_web_url
from .body import Body, make_image
from .related import related_lists

T = TypeVar("T")
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
#: Plain lxml elements: lxml.html's Python-side class lookup would double the extraction time.
_PARSER = etree.HTMLParser(encoding="utf-8", no_network=True)
#: Labels that announce a field's value on the page.
AUTHOR = ("Tác giả",)
SOURCE = ("Nguồn tin", "Nguồn:")
VIEWS = ("Lượt xem", "Đã xem", "Lượt đọc", "Số lượt xem")
_LABEL_VALUE = re.compile(r"^\s*[^:]{1,25}:\s*")
#: Inline wrappers a label sits in ("<strong>Tác giả:</strong> Thu Hà"): its line is their block.
INLINE_LABEL_TAGS = ("strong", "b", "em", "i", "span", "label")
_FURNITURE = re.compile(r"^(footer|header|hd_print|menu|nav)", re.I)
_VALUE_END = re.compile(r"\s+[|•]\s+|\s{3,}")


class NotAnArticle(ValueError):
    """The page is readable but is not an article of a known layout."""


def page_bytes(markup: str | bytes, content_type: str | None = None) -> bytes:
    """A page as both parsers take it: UTF-8, NFC, without the characters HTML forbids.

    Bytes are decoded by the ``Content-Type`` header's charset, else the page's own declaration,
    else as UTF-8 (w3lib). The crawl's workers decode with Scrapy's own rules before this.
    NFC first, so text anchors match however the page was encoded.
    """
    data = b""
    if isinstance(markup, bytes):
        try:
            encoding, text = html_to_unicode(content_type, markup)
        except (LookupError, ValueError):  # a declared codec that is no text codec ("uu")
            encoding, text = "utf-8", markup.decode("utf-8", "replace")
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


def nfc_lines(text: str) -> str:
    """``text`` in NFC, line by line: a line break neither composes nor reorders with what
    stands beside it, so this equals normalising the whole; lines of ASCII are NFC as they are.
    Twice as fast as one whole-text pass on a decomposed page, whose markup is mostly ASCII."""
    return "\n".join(line if line.isascii() else unicodedata.normalize("NFC", line) for line in text.split("\n"))


def parse(markup: str | bytes, content_type: str | None = None) -> etree._Element:
    """The lxml tree of a page (the 2021 layout and listings): parsed once, from :func:`page_bytes`."""
    return parse_bytes(page_bytes(markup, content_type))


def parse_bytes(data: bytes) -> etree._Element:
    """lxml's tree of bytes :func:`page_bytes` made."""
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise NotAnArticle(f"unparseable HTML: {exc}") from exc
    if root is None:
        raise NotAnArticle("empty document")
    # Broken markup can leave elements beside <html> (a <body> after an early </html>): move them
    # in, so a walk from the root sees the whole page as XPath's "//" does.
    for sib in [s for s in root.itersiblings(preceding=True) if isinstance(s.tag, str)]:
        root.insert(0, sib)
    for sib in [s for s in root.itersiblings() if isinstance(s.tag, str)]:
        root.append(sib)
    return root


@lru_cache(maxsize=512)
def xpath(expr: str) -> etree.XPath:
    """Compiled once: page objects run the same queries on every page."""
    return etree.XPath(expr)


class PageIndex(dict[str, etree._Element]):
    """A page's elements by id and microdata, and the whole-page scans that several fields
    or page types share (``once``), so each is made once per page whoever asks first."""

    def __init__(self) -> None:
        super().__init__()
        self.memo: dict[str, Any] = {}

    def once(self, name: str, scan: Callable[[], T]) -> T:
        if name not in self.memo:
            self.memo[name] = scan()
        return self.memo[name]


def id_index(root: etree._Element) -> PageIndex:
    """Elements by id, and visible microdata as ``itemprop:<name>``, from one scan.

    Stable ids and microdata are the first rung of every cascade; one scan instead of one
    XPath per rung.
    """
    ids = PageIndex()
    for el in xpath("//*[@id or @itemprop]")(root):
        if (ident := el.get("id")) is not None:
            ids.setdefault(ident, el)
        if (prop := el.get("itemprop")) is not None and el.tag not in ("meta", "link"):
            ids.setdefault(f"itemprop:{prop}", el)
    return ids


def first(root: etree._Element, *xpaths: str) -> etree._Element | None:
    """The first element found by a cascade of XPath queries, most specific first."""
    for xp in xpaths:
        found = xpath(xp)(root)
        if found:
            return found[0]
    return None


@lru_cache(maxsize=32)
def _label_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, labels)))


def text_holder(text: etree._ElementUnicodeResult) -> etree._Element | None:
    """The element an XPath text result belongs to. lxml gives a tail text the node it follows,
    which may be a comment or a processing instruction: those are stepped over to their parent."""
    node = text.getparent()
    while node is not None and not isinstance(node.tag, str):
        node = node.getparent()
    return node


def text_of(el: etree._Element | None) -> str | None:
    """An element's visible text, cleaned; None for no element (a comment shows no text)."""
    if el is None or not isinstance(el.tag, str):
        return None
    return clean("".join(el.itertext()))


def common_ancestor(a: etree._Element, b: etree._Element) -> etree._Element:
    """The lowest element holding both ``a`` and ``b``: the article's own container."""
    mine = {id(x) for x in a.iterancestors()} | {id(a)}
    for anc in [b, *b.iterancestors()]:
        if id(anc) in mine:
            return anc
    return a.getroottree().getroot()


def after_label(text: str | None) -> str | None:
    """"Tác giả: Nguyễn Văn A" → "Nguyễn Văn A"."""
    if not text:
        return None
    return clean(_LABEL_VALUE.sub("", text, count=1))


class ArticlePage:
    """Base for the article page objects: one response in, one raw record out.

    What is the same whatever tree a page object reads: the head's meta tags, the canonical
    address, and the record's assembly. Subclasses fill ``head`` from their own tree.
    """

    layout: ClassVar[str]
    url: str

    @cached_property
    def head(self) -> dict[str, str]:  # pragma: no cover - abstract
        """``<meta>`` contents by property/name and ``<link>`` hrefs as ``link:<rel>``, first of each."""
        raise NotImplementedError

    def head_value(self, key: str) -> str | None:
        """A ``<meta>`` content by property/name, or a ``<link>`` href by ``link:<rel>``: the head's first."""
        return self.head.get(key)

    def meta(self, name: str) -> str | None:
        return clean(self.head_value(name))

    def canonical_url(self) -> str:
        """The article's own address: canonical link or og:url when they name an article."""
        for key in ("link:canonical", "og:url"):  # og:url asked only when the canonical link names no article
            url = absolute(self.url, self.head_value(key))
            if url and is_web_url(url) and is_article_url(url):
                return canonical_article_url(url)
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
    ``link:<rel>`` and href; from either parser's tag name and attributes."""
    if tag == "meta":
        return attrs.get("property") or attrs.get("name"), attrs.get("content")
    return f"link:{(attrs.get('rel') or '').lower()}", attrs.get("href")


def read_head(tags: Iterable[tuple[str, Mapping[str, str]]], found: dict[str, str]) -> dict[str, str]:
    """Add each tag's :func:`head_entry` to ``found``, the first of each key kept."""
    for tag, attrs in tags:
        key, value = head_entry(tag, attrs)
        if key and value is not None:
            found.setdefault(key, value)
    return found


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


class LxmlArticlePage(ArticlePage):
    """A page object reading lxml's tree: XPath axes for the 2021 layout's text anchors."""

    def __init__(self, root: etree._Element, url: str, ids: PageIndex | None = None) -> None:
        self.root = root
        self.url = url
        self.ids = id_index(root) if ids is None else ids

    @cached_property
    def head(self) -> dict[str, str]:
        """From one pass over the head (instead of one whole-page XPath per lookup)."""
        head = self.root.find("head")
        return read_head(((el.tag, el.attrib) for el in head.iter("meta", "link")) if head is not None else (), {})

    def anchored(self, scope: etree._Element, labels: dict[str, tuple[str, ...]]) -> dict[str, str]:
        """Values after visible labels ("Tác giả:" → author) inside ``scope``, in one pass.

        ``labels`` maps a field to the labels that announce it; a value runs to a "|" separator.
        """
        return labelled_values(self._label_lines(scope, labels), labels)

    def _label_lines(self, scope: etree._Element, labels: dict[str, tuple[str, ...]]) -> Iterator[str]:
        """The text of each block holding a short text (≤ 160 characters) with a label, lazily."""
        pattern = _label_pattern(tuple(label for group in labels.values() for label in group))
        # a Python scan with one regex is twice as fast as XPath contains() over long paragraphs
        for node in xpath(".//text()")(scope):
            if len(node) > 160 or not pattern.search(node):
                continue
            parent = text_holder(node)
            if parent is None or parent.tag in ("script", "style", "title", "option"):
                continue
            block = parent
            while block.tag in INLINE_LABEL_TAGS and block.getparent() is not None:
                block = block.getparent()
            yield text_of(block) or ""

    def image(self, img: etree._Element, caption: str | None) -> Image | None:
        return make_image(img.attrib, self.url, caption)

    def related(self, body: etree._Element | None) -> list:
        def excluded(el: etree._Element) -> bool:
            for anc in el.iterancestors():
                if anc is body or anc.tag in ("nav", "header", "footer"):
                    return True
                ident = anc.get("id")
                if ident and _FURNITURE.search(ident):
                    return True
            return False

        return related_lists(self.root, self.url, self.is_related_link, excluded, absolute, self.ids)

    def crumbs_from(self, items: list[etree._Element]) -> list[Crumb]:
        out = []
        for li in items:
            name = text_of(first(li, ".//*[@itemprop='name']", ".")) or None
            href = first(li, ".//a/@href")
            if name:
                out.append(Crumb(name=name, url=absolute(self.url, href) if href else None))
        return out

    def fill_from_labels(self, item: ArticleItem, scope: etree._Element) -> None:
        """Author, source and views from labelled lines, where the body had none."""
        wanted = {k: v for k, v in LABELLED.items() if getattr(item, k) is None}
        for name, value in self.anchored(scope, wanted).items() if wanted else ():
            setattr(item, name, value)
