"""Article body: paragraphs, captions and a cleaned HTML fragment, read on lexbor's tree.

Shared by every layout: the portal's editors produced three caption forms
(figure/figcaption, an em/i paragraph right after an image-only paragraph, and
a table whose next row holds the caption) whatever the page template was. Break markers are
inserted as text nodes, so lexbor's C-level ``text()`` yields the body as one stream.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..items import Image
from ..text import clean, clean_lines, has_invisible
from ..urls import absolute

BLOCK = frozenset(
    ["p", "div", "section", "article", "header", "footer", "aside", "nav", "figure", "figcaption", "blockquote", "pre", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "address", "center", "form", "main"]
)
_DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "form", "input", "button", "select")
_TABLE_PARTS = frozenset(("tr", "tbody", "thead", "tfoot"))
_PB = "\ue000"  # paragraph break marker (private use: lxml refuses control characters in text)
_BR = "\ue001"  # line break marker
_BR_RUN = re.compile(f"{_BR}(?: ?{_BR})+")  # in a stream whose white space is collapsed
_META_LINE = re.compile(r"^(Tác giả|Nguồn tin|Nguồn|Lượt xem|Đã xem|Lượt đọc|Số lượt xem)\s*:", re.IGNORECASE)


@dataclass
class Body:
    paragraphs: list[str] = field(default_factory=list)
    html: str = ""
    images: list[Image] = field(default_factory=list)
    #: "Label: value" lines (author, source, views) found inside the body and kept out of the text.
    meta_lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def is_caption_class(cls: str | None) -> bool:
    """A class an editor gave a caption ("caption", Vietnamese "chú thích")."""
    cls = (cls or "").lower()
    return "caption" in cls or "chuthich" in cls or "chu-thich" in cls


def mostly_emphasis(text: str, emphasised: str) -> bool:
    """Whether a short block's text is (nearly) all emphasised: a caption's look."""
    text, emphasised = text.strip(), emphasised.strip()
    return bool(text) and len(emphasised) >= len(text) * 0.9 and len(text) < 400


def make_image(attrs: Mapping[str, str | None], base_url: str, caption: str | None) -> Image | None:
    """An image from its ``<img>``'s attributes (lxml's or lexbor's): lazy-loading ones too."""
    src = attrs.get("src") or attrs.get("data-src") or attrs.get("data-original")
    url = absolute(base_url, src)
    if url is None:
        return None
    return Image(url=url, caption=clean(caption), alt=clean(attrs.get("alt")))


def split_paragraphs(stream: str) -> list[str]:
    """Paragraphs of a marked stream: blocks and ``<br><br>`` separate them, a single ``<br>`` is "\n".

    Source newlines are white space like any other, collapsed between two block markers (the
    markers are not white space, and each paragraph is stripped). The stream comes from a parsed
    page, already NFC; only text that still holds entities goes through the full cleaning.

    Most of a stream is paragraphs on one line, single-spaced: a C-level test tells them, and only
    the rest is split into words and joined again (16 -> 9 us on nukeviet-custom's body, 6 -> 3 us on
    nukeviet-views).
    """
    dirty = "&" in stream or has_invisible(stream)
    out = []
    for block in stream.split(_PB):
        if block.isprintable() and "  " not in block:  # no white space but single " ", no <br> marker
            chunks: list[str] | tuple[str] = (block,)
        else:
            flat = " ".join(block.split())
            chunks = _BR_RUN.sub(_PB, flat).split(_PB) if _BR in flat else (flat,)
        for chunk in chunks:
            if _BR in chunk:
                chunk = "\n".join(line for line in (part.strip() for part in chunk.split(_BR)) if line)
            else:
                chunk = chunk.strip()
            if chunk and dirty:
                chunk = clean_lines(chunk)
            if chunk:
                out.append(chunk)
    return out


_DROP_TAGS = frozenset(_DROP)
#: What goes, and the elements whose addresses are made absolute: one query (``_clean_tree``).
_CLEAN_SELECTOR = ", ".join((*_DROP, "[href]", "[src]"))
#: An event attribute as lexbor writes it: lower-case name, one space before, "=" after (a literal
#: prefix the regex engine finds fast; text that looks alike only costs a needless look).
_EVENT_ATTR = re.compile(r" on[a-z]+=")
_SPACERS = ("p", "div", "br")
_CAPTION_TAGS = ("p", "div", "em", "i", "span", "figcaption")


def _has_text(el: LexborNode) -> bool:
    return bool(el.text().strip())


def _has_img(el: LexborNode) -> bool:
    return el.tag == "img" or el.css_first("img") is not None


def _whole_emphasis(el: LexborNode) -> bool:
    """A block whose whole visible text is emphasised (em/i), or marked as a caption."""
    if is_caption_class(el.attrs.get("class")):
        return True
    emphasised = el.css("em, i")  # the element itself included, as lxml's iter() does
    return mostly_emphasis(el.text(), "".join(e.text() for e in emphasised))


def _after(el: LexborNode) -> tuple[str, LexborNode | None]:
    """The text right after ``el`` (lxml's tail) and the next element sibling."""
    tail = []
    node = el.next
    while node is not None and not node.is_element_node:
        if node.is_text_node:
            tail.append(node.text(deep=False))
        node = node.next
    return "".join(tail), node


def _next_block(el: LexborNode) -> LexborNode | None:
    """The next sibling element with something to show, skipping blank spacers."""
    tail, sib = _after(el)
    while sib is not None and sib.tag in _SPACERS and not _has_text(sib) and not _has_img(sib):
        between, following = _after(sib)
        if between.strip():
            return None
        sib = following
    if tail.strip():
        return None
    return sib


def _caption_for(img: LexborNode, body: LexborNode) -> LexborNode | None:
    """Find the element holding ``img``'s caption, in the three forms the portal uses."""
    ups: list[LexborNode] = []
    node = img.parent
    while node is not None and node.is_element_node:
        ups.append(node)
        if node.mem_id == body.mem_id:
            break
        node = node.parent
    fig = next((a for a in ups if a.tag == "figure"), None)
    if fig is not None:
        cap = fig.css_first("figcaption")
        return cap if cap is not None and _has_text(cap) else None
    at = next((i for i, a in enumerate(ups) if a.tag == "tr"), None)
    if at is not None:
        table = next((a for a in ups[at + 1:] if a.tag == "table"), None)
        if table is not None and len(table.css("img")) == 1:
            _, nxt = _after(ups[at])
            if nxt is not None and nxt.tag == "tr" and _has_text(nxt) and not _has_img(nxt):
                return nxt
    # climb to the outermost image-only block (one that shows images and nothing else), then look
    # at what follows it; an ancestor of the image holds an image: only its text is asked (a query
    # an ancestor spared, 1.5 us)
    holder = img
    for anc in ups:
        if anc.tag in ("body", "html") or _has_text(anc):
            break
        if anc.mem_id == body.mem_id:
            return None  # the whole body is the image: nothing follows it inside the body
        holder = anc
    if holder is img and _after(img)[0].strip():
        return None
    nxt = _next_block(holder)
    if nxt is None or nxt.tag not in _CAPTION_TAGS or not _has_text(nxt):
        return None
    return nxt if nxt.tag in ("em", "i") or _whole_emphasis(nxt) else None


def _clean_tree(body: LexborNode, base_url: str, inner: bool = False) -> str:
    """Strip what is never content, make addresses absolute, in place; the cleaned fragment.

    One query finds both (a query's fixed cost is most of it on a small body: two took 1.3-1.7 us
    more on the print fixtures). lexbor lists an element once for each selector it matches: an
    address is rewritten as often as before (idempotently), a removal is kept once.
    """
    drop: dict[int, LexborNode] = {}
    for el in body.css(_CLEAN_SELECTOR):
        if el.tag in _DROP_TAGS and el.mem_id != body.mem_id:
            drop[el.mem_id] = el
            continue
        # the element's attributes as one dict: selectolax's ``in``/``get`` raise and catch a
        # KeyError for the one of the two an element lacks (0.4 us a link)
        present = el.attributes
        for name in ("href", "src"):
            if name in present:
                value = present[name]
                url = absolute(base_url, value)
                if url is None:
                    del el.attrs[name]
                elif url != value:
                    el.attrs[name] = url
    # scripts, forms and the like, removed innermost first (reverse document order), so no
    # removal touches a node an earlier one freed (addresses inside them were rewritten for nothing)
    for node in reversed(drop.values()):
        node.decompose()
    fragment = (body.inner_html if inner else body.html) or ""
    if "<!--" in fragment:  # comments: rare in a body, so looked for in the markup before any walk
        for node in reversed([n for n in body.traverse(include_text=True) if n.is_comment_node]):
            node.decompose()
        fragment = (body.inner_html if inner else body.html) or ""
    if _EVENT_ATTR.search(fragment):  # rare: looked for in the markup, not on every element
        for el in body.css("*"):
            for name in [n for n in el.attrs if n[:2].lower() == "on"]:
                del el.attrs[name]
        fragment = (body.inner_html if inner else body.html) or ""
    return fragment


def extract_body(body: LexborNode, base_url: str, inner: bool = False) -> Body:
    """Body from its container. Edits the tree: read every other field first. ``inner``: the
    fragment is what the container holds, not the container itself (a wrapper of our own)."""
    fragment = _clean_tree(body, base_url, inner)
    elements = [node for node in body.traverse() if node.is_element_node]  # comments are gone; other nodes may not be
    captions = [(img, _caption_for(img, body)) for img in elements if img.tag == "img"]
    for el in elements:
        tag = el.tag
        if tag == "br":
            el.replace_with(_BR)
        elif tag in BLOCK:
            el.insert_before(_PB)
            el.insert_after(_PB)
    images: list[Image] = []
    for img, cap_el in captions:
        caption = " ".join(split_paragraphs(cap_el.text())) or None if cap_el is not None else None
        image = make_image(img.attrs, base_url, caption)
        if image is not None:
            images.append(image)
    for cap_el in {c.mem_id: c for _, c in captions if c is not None}.values():
        cap_el.decompose()
    paras: list[str] = []
    meta: list[str] = []
    for para in split_paragraphs(body.text()):
        (meta if _META_LINE.match(para) else paras).append(para)
    # lexbor writes U+00A0 as "&nbsp;", lxml (the 2021 layout's body) as itself: one form for both
    return Body(paragraphs=paras, html=fragment.replace("&nbsp;", "\xa0").strip(), images=images, meta_lines=meta)


def extract_body_nodes(nodes: list[LexborNode], base_url: str) -> Body:
    """Body from a run of nodes that share no container of their own (the 2021 layout's body lies
    between two text anchors), copied into a wrapper: the page's tree stays whole. Rows lifted
    out of a layout table go back into a table, so they stay rows."""
    parts: list[str] = []
    in_rows = False
    for node in nodes:
        rows = node.tag in _TABLE_PARTS or (in_rows and node.is_text_node)  # a row's tail stays beside it
        if rows != in_rows:
            parts.append("<table>" if rows else "</table>")
            in_rows = rows
        parts.append(escape(node.text(deep=False), quote=False) if node.is_text_node else node.html or "")
    if in_rows:
        parts.append("</table>")
    wrapper = LexborHTMLParser(f"<div>{''.join(parts)}</div>").body.first_child
    return extract_body(wrapper, base_url, inner=True)
