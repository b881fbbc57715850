"""Article body: paragraphs, captions and a cleaned HTML fragment.

Shared by every layout: the portal's editors produced three caption forms
(figure/figcaption, an em/i paragraph right after an image-only paragraph, and
a table whose next row holds the caption) whatever the page template was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, field

from lxml import etree

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


def _has_text(el: etree._Element) -> bool:
    return bool("".join(el.itertext()).strip())


def _only_image(el: etree._Element) -> bool:
    """An element that shows images and nothing else (an "image-only paragraph")."""
    return el.tag != "img" and not _has_text(el) and next(el.iter("img"), None) is not None


def is_caption_class(cls: str | None) -> bool:
    """A class an editor gave a caption ("caption", Vietnamese "chú thích")."""
    cls = (cls or "").lower()
    return "caption" in cls or "chuthich" in cls or "chu-thich" in cls


def mostly_emphasis(text: str, emphasised: str) -> bool:
    """Whether a short block's text is (nearly) all emphasised: a caption's look."""
    text, emphasised = text.strip(), emphasised.strip()
    return bool(text) and len(emphasised) >= len(text) * 0.9 and len(text) < 400


def _whole_emphasis(el: etree._Element) -> bool:
    """A block whose whole visible text is emphasised (em/i), or marked as a caption."""
    if is_caption_class(el.get("class")):
        return True
    return mostly_emphasis("".join(el.itertext()), "".join(t for e in el.iter("em", "i") for t in e.itertext()))


def _next_block(el: etree._Element) -> etree._Element | None:
    """The next sibling element with something to show, skipping blank spacers."""
    sib = el.getnext()
    while sib is not None and not isinstance(sib.tag, str):
        sib = sib.getnext()
    while sib is not None and sib.tag in ("p", "div", "br") and not _has_text(sib) and next(sib.iter("img"), None) is None:
        if (sib.tail or "").strip():
            return None
        sib = sib.getnext()
    if (el.tail or "").strip():
        return None
    return sib


def _caption_for(img: etree._Element) -> etree._Element | None:
    """Find the element holding ``img``'s caption, in the three forms the portal uses."""
    fig = next((a for a in img.iterancestors("figure")), None)
    if fig is not None:
        cap = fig.find(".//figcaption")
        return cap if cap is not None and _has_text(cap) else None
    row = next(img.iterancestors("tr"), None)
    if row is not None:
        table = next(row.iterancestors("table"), None)
        if table is not None and len(table.xpath(".//img")) == 1:
            nxt = row.getnext()
            while nxt is not None and not isinstance(nxt.tag, str):
                nxt = nxt.getnext()
            if nxt is not None and nxt.tag == "tr" and _has_text(nxt) and next(nxt.iter("img"), None) is None:
                return nxt
    # climb to the outermost image-only block, then look at what follows it
    holder = img
    for anc in img.iterancestors():
        if anc.tag in ("body", "html") or not _only_image(anc):
            break
        holder = anc
    if holder is img and (img.tail or "").strip():
        return None
    nxt = _next_block(holder)
    if nxt is None or nxt.tag not in ("p", "div", "em", "i", "span", "figcaption") or not _has_text(nxt):
        return None
    return nxt if nxt.tag in ("em", "i") or _whole_emphasis(nxt) else None


def make_image(attrs: Mapping[str, str | None], base_url: str, caption: str | None) -> Image | None:
    """An image from its ``<img>``'s attributes (lxml's or lexbor's): lazy-loading ones too."""
    src = attrs.get("src") or attrs.get("data-src") or attrs.get("data-original")
    url = absolute(base_url, src)
    if url is None:
        return None
    return Image(url=url, caption=clean(caption), alt=clean(attrs.get("alt")))


def _drop_keep_tail(el: etree._Element) -> None:
    """Remove ``el`` but keep the text that follows it."""
    parent = el.getparent()
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _clean_tree(root: etree._Element, base_url: str) -> None:
    """Strip what is never content, and make addresses absolute, in place."""
    for bad in list(root.iter(etree.Comment, etree.ProcessingInstruction, *_DROP)):
        if bad is root:
            continue
        parent = bad.getparent()
        if parent is not None:
            _drop_keep_tail(bad)
    for el in root.iter():
        for attr in el.keys():  # noqa: SIM118 - an element is no dict: keys() is its attribute names, no proxy
            if attr[:2].lower() == "on":
                del el.attrib[attr]
            elif attr == "href" or attr == "src":
                url = absolute(base_url, el.get(attr))
                if url is None:
                    del el.attrib[attr]
                else:
                    el.set(attr, url)


def _mark_breaks(root: etree._Element) -> None:
    """Write paragraph and line breaks into the text itself, so lxml's C-level ``itertext``
    yields the body as one stream (a recursive Python walk was most of the body's cost)."""
    for el in root.iter():
        tag = el.tag
        if tag == "br":
            el.tail = _BR + (el.tail or "")
        elif tag in BLOCK:
            el.text = _PB + (el.text or "")
            el.tail = _PB + (el.tail or "")


def split_paragraphs(stream: str) -> list[str]:
    """Paragraphs of a marked stream: blocks and ``<br><br>`` separate them, a single ``<br>`` is "\n".

    Source newlines are white space like any other: collapsed once over the whole stream (the
    markers are not white space), so each paragraph needs only a strip. The stream comes from a
    parsed page, already NFC; only text that still holds entities goes through the full cleaning.
    """
    flat = " ".join(stream.split())
    if _BR in flat:
        flat = _BR_RUN.sub(_PB, flat)
    dirty = "&" in flat or has_invisible(flat)
    out = []
    for chunk in flat.split(_PB):
        if _BR in chunk:
            chunk = "\n".join(line for line in (part.strip() for part in chunk.split(_BR)) if line)
        else:
            chunk = chunk.strip()
        if chunk and dirty:
            chunk = clean_lines(chunk)
        if chunk:
            out.append(chunk)
    return out


def extract_body(nodes: list[etree._Element], base_url: str, copy: bool = True) -> Body:
    """Body from one container (or the run of sibling nodes that make it up).

    The nodes are copied (``copy``) unless their tree is the body's alone: the page's own tree
    must stay whole for the fields read after the body.
    """
    holder = etree.Element("div")
    rows: etree._Element | None = None
    for node in nodes:
        if copy:
            node = deepcopy(node)
        if node.tag in _TABLE_PARTS:  # rows lifted out of a layout table stay valid HTML
            if rows is None:
                rows = etree.SubElement(holder, "table")
            rows.append(node)
        else:
            rows = None
            holder.append(node)
    _clean_tree(holder, base_url)
    fragment = "".join(etree.tostring(c, encoding="unicode", method="html", with_tail=True) for c in holder)
    captions = [(img, _caption_for(img)) for img in holder.iter("img")]
    _mark_breaks(holder)
    images: list[Image] = []
    for img, cap_el in captions:
        caption = None
        if cap_el is not None:
            caption = " ".join(split_paragraphs("".join(cap_el.itertext()))) or None
        image = make_image(img.attrib, base_url, caption)
        if image is not None:
            images.append(image)
    for cap_el in {id(c): c for _, c in captions if c is not None}.values():
        if cap_el.getparent() is not None:
            _drop_keep_tail(cap_el)
    paras: list[str] = []
    meta: list[str] = []
    for para in split_paragraphs("".join(holder.itertext())):
        (meta if _META_LINE.match(para) else paras).append(para)
    return Body(paragraphs=paras, html=fragment.strip(), images=images, meta_lines=meta)
