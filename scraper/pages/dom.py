"""The lexbor tree (selectolax) and the node helpers every page object shares.

lxml's element-by-element walks were most of an article's extraction time. lexbor parses in
about half lxml's time and runs selectors in C, so pages are read by asking CSS for the subtree
that holds each field; the axes a selector cannot express (what precedes or follows a text
anchor) are walks written here once.
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Iterator
from functools import cached_property
from itertools import chain as chain_of

from selectolax.lexbor import LexborCSSSelector, LexborHTMLParser, LexborNode

from ..text import clean

_SEP = "\x00"
#: Ids of a page's navigation, header and footer blocks.
_FURNITURE = re.compile(r"^(footer|header|hd_print|menu|nav)", re.I)


class ExtractionLimit(Exception):
    """A page left unextracted because it went past a bound set on extraction (its nesting, time
    or memory): a failure to report with its address, never a page to retry without the bound."""


class NestingTooDeep(ExtractionLimit):
    """A page whose nesting would make lexbor's parse quadratic (:func:`check_nesting`)."""


#: Stack steps lexbor's tree builder may take on one page (:func:`check_nesting`): 0.1-0.25 s of
#: parse. lexbor walks its stack of open elements for each block start tag and each end tag, so
#: unclosed elements cost quadratic time: 10,000 unclosed ``<div>`` (60 KB) 0.12-0.2 s of parse,
#: 14,000 0.26-0.55 s, 200,000 (1 MB) 106 s (a whole extraction, unbounded: 263 s). A 1 MB page of
#: ordinary markup scores 0.1-0.2 million, a 16 MB one 1.3 million.
NESTING_WORK_LIMIT = 50_000_000
#: Tags that open no level: HTML5's void elements, and html, head and body, which a parser merges.
_VOID = frozenset(b"area base basefont bgsound br col embed frame hr image img input keygen link meta param source "
                  b"track wbr html head body frameset".split())
#: Start tags whose insertion searches the stack of open elements (HTML5 "in body": those that
#: close an open ``<p>``, and the list items, headings and buttons that look for their own kind).
_WALKS = frozenset(b"address article aside blockquote center details dialog dir div dl fieldset figcaption figure "
                   b"footer header hgroup main menu nav ol p search section summary ul h1 h2 h3 h4 h5 h6 pre "
                   b"listing form li dd dt plaintext table hr xmp button nobr".split())
#: Elements a start tag of their own group closes (or, for ``<form>``, ignores) rather than nests in.
_GROUPS = {name: group.split()[0] for group in (
    b"p", b"li", b"dd dt", b"h1 h2 h3 h4 h5 h6", b"option", b"optgroup", b"tr", b"td th", b"thead tbody tfoot",
    b"caption", b"colgroup", b"table", b"select", b"form", b"a", b"nobr", b"button", b"rb rt rtc rp",
) for name in group.split()}
#: Comments and scripts (whole: their markup is no markup), else a start or end tag's name. One
#: ``<`` before the alternatives, and no ``re.I``: each made the scan a third slower.
_SCRIPT = rb"[sS][cC][rR][iI][pP][tT]"
_TOKENS = re.compile(rb"<(?:!--.*?-->|" + _SCRIPT + rb"\b.*?</" + _SCRIPT + rb"|(/?)([A-Za-z][A-Za-z0-9]*))", re.S)
_SCRIPT_START = re.compile(rb"<" + _SCRIPT + rb"\b")


def _unterminated(data: bytes) -> int:
    """Where the first comment or script that is never closed starts (else the page's length):
    its text runs to the page's end. Cut there, ``_TOKENS``' lazy matches never run to the end of
    the page, which would make the scan quadratic in such openers."""
    cut = len(data)
    end = data.rfind(b"-->")
    found = data.find(b"<!--", end + 3 if end >= 0 else 0)
    if found >= 0:
        cut = found
    end = max(data.rfind(b"</script"), data.rfind(b"</SCRIPT"))
    script = _SCRIPT_START.search(data, end + 8 if end >= 0 else 0)
    if script is not None:
        cut = min(cut, script.start())
    return cut


def nesting_work(data: bytes, limit: int = NESTING_WORK_LIMIT) -> int:
    """An estimate of the stack steps lexbor's tree builder takes on ``data``, from one linear
    scan of its tags; it stops once past ``limit``. Open elements are counted by name and an end
    tag closes only an open element of its name, so stray end tags cannot hide unclosed ones.

    A page whose tags cannot add up to ``limit`` is not scanned: a tag adds at most the number of
    tags before it, and each takes two bytes. That spares every page under 20 KB (the fixtures, the
    replica's pages) even the count of its ``<`` (40 us on 100 KB), and every page of under 10,000
    tags the scan (a 1 MB page of 60,000 tags: 13-24 ms, 15% of its extraction; bench/extract.py).
    """
    if (len(data) // 2) ** 2 // 2 <= limit:
        return 0
    tags = data.count(b"<")
    if tags * (tags - 1) // 2 <= limit:
        return 0
    depth = work = 0
    opened: dict[bytes, int] = {}
    get, group, lower = opened.get, _GROUPS.get, bytes.lower
    for slash, tag in _TOKENS.findall(data, 0, _unterminated(data)):
        if not tag:  # a comment or a script
            continue
        name = lower(tag)
        if slash:  # an end tag: a search of the stack for its element
            work += depth
            key = group(name, name)
            if get(key):
                opened[key] -= 1
                depth -= 1
            if work > limit:
                break
            continue
        if name in _WALKS:
            work += depth
            if name != b"p" and get(b"p"):  # a block start tag closes an open <p>
                opened[b"p"] -= 1
                depth -= 1
            if work > limit:
                break
        if name in _VOID:
            continue
        if name == b"plaintext":  # the rest of the page is its text
            break
        key = group(name)
        if key is None:
            key = name
        elif get(key):  # closes its open sibling rather than nest in it
            opened[key] -= 1
            depth -= 1
        opened[key] = get(key, 0) + 1
        depth += 1
    return work


def check_nesting(data: bytes) -> None:
    """Refuse a page whose parse :func:`nesting_work` estimates over ``NESTING_WORK_LIMIT``
    (``NestingTooDeep``): it would hold its extraction for seconds to minutes, in C code no signal
    interrupts. The time limit on workers (``EXTRACT_TIMEOUT``) would end it too, at the price of
    that time and a new worker; this costs a scan of its tags."""
    work = nesting_work(data)
    if work > NESTING_WORK_LIMIT:
        raise NestingTooDeep(
            f"markup nested too deep to parse in bounded time (over {NESTING_WORK_LIMIT:,} parser steps estimated)"
        )


_ENGINES = threading.local()


class Tree(LexborHTMLParser):
    """lexbor's tree, whose CSS queries run on one selector engine for every tree its thread
    parses. selectolax makes an engine for each tree, on its first query, and frees it with the
    tree: 5-11 us a page (a NukeViet page's to_item() 259 -> 254 us on nukeviet-views, 505 -> 494 us
    on nukeviet-custom, 136 -> 131 us on nukeviet-savefile). An engine keeps nothing of a document
    between two queries; like a tree, it is not shared between threads."""

    @property
    def selector(self) -> LexborCSSSelector:
        try:
            return _ENGINES.selector
        except AttributeError:
            _ENGINES.selector = engine = LexborCSSSelector()
            return engine


def parse_dom(data: bytes) -> LexborHTMLParser:
    """lexbor's tree of bytes ``base.page_bytes`` made (UTF-8: lexbor reads no charset then),
    once :func:`check_nesting` has let them through."""
    check_nesting(data)
    return Tree(data)


def tune_malloc() -> bool:
    """Keep lexbor's parse time steady: glibc's defaults hand each page's arena back to the
    system and fetch it again (a parse then costs 0.4-1.4x lxml's instead of a steady 0.45x).

    Process-wide, so called where a process does nothing but extract (the ``extract`` command,
    crawl workers, the benchmark); a no-op off glibc.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(mallopt(m_mmap_threshold, 4 << 20) and mallopt(m_trim_threshold, 64 << 20))


def first_css(scope: LexborNode | None, *selectors: str) -> LexborNode | None:
    """The first element found by a cascade of selectors, most specific first."""
    if scope is None:
        return None
    for selector in selectors:
        found = scope.css_first(selector)
        if found is not None:
            return found
    return None


def first_by_id(scope: LexborNode, ids: tuple[str, ...]) -> dict[str, LexborNode]:
    """The first element (in document order) of each of ``ids`` (lower case) in ``scope``, as
    ``#id`` finds it, from one query. A quirks-mode page's ids match ASCII case-insensitively:
    keyed in lower case (what matched is one of ``ids`` but for case)."""
    found: dict[str, LexborNode] = {}
    for el in scope.css(", ".join(f"#{name}" for name in ids)):
        found.setdefault((el.id or "").lower(), el)
    return found


def text_of(node: LexborNode | None) -> str | None:
    """A node's visible text, cleaned; None for no node."""
    return None if node is None else clean(node.text())


def ancestors(node: LexborNode) -> Iterator[LexborNode]:
    node = node.parent
    while node is not None and node.is_element_node:
        yield node
        node = node.parent


def common_ancestor(a: LexborNode, b: LexborNode) -> LexborNode:
    """The lowest element holding both ``a`` and ``b``: the article's own container."""
    mine = {a.mem_id} | {x.mem_id for x in ancestors(a)}
    for anc in (b, *ancestors(b)):
        if anc.mem_id in mine:
            return anc
    return a


def preceding(el: LexborNode) -> Iterator[LexborNode]:
    """Elements before ``el`` in reverse document order, its ancestors excepted (XPath's
    ``preceding`` axis), lazily."""
    node: LexborNode | None = el
    while node is not None and node.is_element_node:
        sib = node.prev
        while sib is not None:
            if sib.is_element_node:
                yield from reversed([d for d in sib.traverse() if d.is_element_node])
            sib = sib.prev
        node = node.parent


def following_text(el: LexborNode) -> Iterator[tuple[str, LexborNode]]:
    """Text after ``el`` in document order, each with the element that holds it, lazily."""
    node: LexborNode | None = el
    while node is not None and node.is_element_node:
        sib = node.next
        while sib is not None:
            if sib.is_text_node:
                yield sib.text(deep=False), sib.parent
            elif sib.is_element_node:
                for sub in sib.traverse(include_text=True):
                    if sub.is_text_node:
                        yield sub.text(deep=False), sub.parent
            sib = sib.next
        node = node.parent


class PageText:
    """A page's text nodes in document order: their strings from one C-level call, the nodes
    themselves (one traversal) only when a caller needs the element holding a text.

    lexbor's own text search (``:lexbor-contains``) costs a whole-page pass per label; the
    anchors here (related-list headings, "Tác giả:", "Từ khóa:") are found in the strings.

    Text nodes of nothing but ASCII white space (half to two thirds of a page's: the runs between
    tags) are left out of both, as no anchor is white space: fewer strings to scan and fewer nodes
    to make (PageText and its nodes 23 -> 16 us on nukeviet-custom, 12 -> 8 us on nukeviet-views).
    """

    def __init__(self, scope: LexborNode) -> None:
        self.scope = scope
        # page_bytes removed every control character
        self.joined = scope.text(separator=_SEP, skip_empty=True)
        self.parts = self.joined.split(_SEP)
        #: what several fields or page types ask of the same page, found once (``related``'s candidates)
        self.memo: dict[object, object] = {}

    @cached_property
    def nodes(self) -> list[LexborNode] | None:
        """The text nodes the strings came from; None if the two ever disagree in number."""
        nodes = [node for node in self.scope.traverse(include_text=True, skip_empty=True) if node.is_text_node]
        return nodes if len(nodes) == len(self.parts) else None

    def holding(self, labels: tuple[str, ...], longest: int = 160) -> list[tuple[str, LexborNode]] | None:
        """(text, element holding it) for each text node of at most ``longest`` characters
        that contains one of ``labels``, in document order; None if the nodes are unknown."""
        found: set[int] = set()
        joined = self.joined
        for label in labels:
            # a string's index is the number of separators before it: counted from the label's
            # previous find on, a C-level count (an index of every string's start and a
            # bisection were 1.5-2% of a NukeViet page's time)
            at, index, counted = joined.find(label), 0, 0
            while at >= 0:
                index += joined.count(_SEP, counted, at)
                counted = at
                found.add(index)
                at = joined.find(label, at + 1)
        hits = [i for i in sorted(found) if len(self.parts[i]) <= longest]
        if not hits:
            return []
        nodes = self.nodes
        if nodes is None:
            return None
        return [(self.parts[i], nodes[i].parent) for i in hits if nodes[i].parent is not None]


def holding(scope: LexborNode, labels: tuple[str, ...]) -> list[LexborNode]:
    """Elements inside ``scope`` whose own text holds one of ``labels``, in document order
    (lexbor's text search, for the labels the scope's text shows: :class:`PageText`'s fallback)."""
    text = scope.text()
    shown = [label for label in labels if label in text and '"' not in label]
    return scope.css(", ".join(f':lexbor-contains("{label}")' for label in shown)) if shown else []


def inside(node: LexborNode, scope: LexborNode) -> bool:
    """Whether ``node`` is ``scope`` or lies within it."""
    target = scope.mem_id
    while node is not None and node.is_element_node:
        if node.mem_id == target:
            return True
        node = node.parent
    return False


def lineage(node: LexborNode) -> tuple[list[LexborNode], dict[int, int]]:
    """``node`` and its ancestors, nearest first, and each one's place among them: made once for
    several questions about one node (``precedes``; an ancestor's ``mem_id`` in it: ``inside``)."""
    chain = [node, *ancestors(node)]
    return chain, {anc.mem_id: i for i, anc in enumerate(chain)}


def precedes(a: LexborNode, b: LexborNode, a_lineage: tuple[list[LexborNode], dict[int, int]] | None = None) -> bool:
    """Whether ``a`` comes before ``b`` in document order, neither holding the other.
    ``a_lineage``: ``lineage(a)``, where already made."""
    chain, at = a_lineage or lineage(a)
    below = b
    for node in chain_of((b,), ancestors(b)):  # lazily: the walk up stops at the common ancestor
        if node.mem_id in at:
            i = at[node.mem_id]
            if i == 0 or node.mem_id == b.mem_id:
                return False  # one holds the other
            sib, target = chain[i - 1].next, below.mem_id
            while sib is not None:
                if sib.mem_id == target:
                    return True
                sib = sib.next
            return False
        below = node
    return False


class Furniture:
    """Whether an element lies in the article body or the page's navigation, header or footer.

    Asked for each heading candidate; their ancestors are mostly shared, so each ancestor's
    answer is kept for the page.
    """

    def __init__(self, body: LexborNode | None) -> None:
        self.known: dict[int, bool] = {} if body is None else {body.mem_id: True}

    def __call__(self, node: LexborNode) -> bool:
        known = self.known
        seen: list[int] = []
        answer = False
        node = node.parent
        while node is not None and node.is_element_node:
            key = node.mem_id
            if key in known:
                answer = known[key]
                break
            seen.append(key)
            if node.tag in ("nav", "header", "footer") or ((ident := node.id) and _FURNITURE.search(ident)):
                answer = True
                break
            node = node.parent
        for key in seen:
            known[key] = answer
        return answer
