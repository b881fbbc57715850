"""Today's portal: a NukeViet 4.5 article page, default theme or a custom one.

The live theme's wrappers are unknown, so each field is found through a cascade of
selectors: stable ids and microdata first, then class names, headings, og: tags and
visible-text anchors.
"""

from __future__ import annotations

import re
from functools import cached_property
from itertools import islice

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..dates import find_time
from ..items import ArticleItem, Crumb, Image
from ..sites.addresses import Kind
from ..sites.addresses import parse as parse_address
from ..text import clean
from ..urls import absolute
from .base import ArticlePage, NotAnArticle
from .dom import ancestors, common_ancestor, following_text, holding, lineage, precedes, text_of

#: Cascades, most specific first: a CSS selector ("#…", "….") or a microdata property's name (an
#: ``itemprop``, see ``microdata``).
BODY = ("#news-bodyhtml", "articleBody", "#bodytext", ".bodytext")
LEAD = ("description", "#hometext", ".hometext")
#: Elements with microdata, as the page shows them: on <meta>/<link> it is hidden, so they do not count.
MICRODATA = "[itemprop]:not(meta):not(link)"
_WEEKDAY = re.compile(r"(Thứ\s+(?:hai|ba|tư|năm|sáu|bảy|bẩy|[2-7])|Chủ\s+nhật|CN)\b", re.I)
_TAG_LABELS = ("Từ khóa", "Từ khoá")
#: A view count shown as an icon and a bare number ("<em class="fa fa-eye"></em> 1.254"): the eye
#: icon (Font Awesome's, or a theme's ``icon-eye``), or an element titled "Lượt xem". Other icons
#: beside it (comments, ratings) count other things.
VIEW_ICON = '[class*="fa-eye"]:not([class*="fa-eye-slash"]), [class*="icon-eye"], [title^="Lượt xem" i]'
_COUNT = re.compile(r"^\s*(\d{1,3}(?:\.\d{3})+|\d+)(?![\d.,])")


def shown_date(start: LexborNode, limit: int = 25) -> str | None:
    """The first visible date after ``start`` (the headline), as shown, weekday included.

    Hidden microdata is skipped: ``itemprop=datePublished`` holds the last edit time.
    """
    for node, parent in islice(((t, p) for t, p in following_text(start) if t and not t.isspace()), limit):
        # the attributes as one dict: ``attrs.get`` raises and catches a KeyError for an absent
        # itemprop (0.5 us a text)
        if parent is None or not parent.is_element_node or parent.attributes.get("itemprop") or parent.tag in ("script", "style"):
            continue
        text = clean(node) or ""
        found = find_time(text)
        if not found or found[1].value is None:
            continue
        begin = text.find(found[0])
        weekday = _WEEKDAY.search(text, 0, begin + 1)
        return clean(text[weekday.start() if weekday else begin: begin + len(found[0])])
    return None


def _count_after(icon: LexborNode) -> str | None:
    """The number an icon shows: its own text (an element titled "Lượt xem" may hold it), else
    the text right after it, inside its wrapper ("<span><em class="fa fa-eye"></em> 1.254</span>")."""
    found = _COUNT.match(icon.text() or "")
    if found:
        return found[1]
    node = icon.next
    while node is not None:
        if node.is_text_node:
            text = node.text(deep=False)
        elif node.is_element_node:
            text = node.text()
        else:
            node = node.next
            continue
        if text.strip():
            found = _COUNT.match(text)
            return found[1] if found else None
        node = node.next
    return None


def icon_views(title_el: LexborNode, body_el: LexborNode, article: LexborNode) -> str | None:
    """The view count an eye icon shows in the article's header: between the headline and the
    body (side blocks and related lists show other articles' counts). ``article`` is the lowest
    element holding both (``common_ancestor``), which the page has found already."""
    body_id = body_el.mem_id
    for icon in article.css(VIEW_ICON):
        # in the body, or not between headline and body? The icon's ancestry made once for the
        # three questions: they walked it three times, 7.5 of this function's 13 us (nukeviet-views)
        up = lineage(icon)
        if body_id in up[1] or not precedes(icon, body_el, up) or precedes(icon, title_el, up):
            continue
        count = _count_after(icon)
        if count:
            return count
    return None


def microdata(root: LexborNode) -> dict[str | None, LexborNode]:
    """The first shown element (``MICRODATA``) of each ``itemprop`` value, compared whole and
    case-sensitively as ``[itemprop="headline"]`` compares it. One query for the properties a page
    reads (headline, description, itemListElement, keywords; articleBody where the body has no id)
    instead of a whole-page query for each: 6-9 us instead of 12-16 us on the NukeViet fixtures."""
    found: dict[str | None, LexborNode] = {}
    for el in root.css(MICRODATA):
        found.setdefault(el.attrs.get("itemprop"), el)
    return found


def title_element(root: LexborNode, headline: LexborNode | None) -> LexborNode | None:
    """The headline: microdata (``headline``) or a titled <h1>, else the first shown <h1> outside a header."""
    if headline is not None:
        return headline
    h1s = root.css("h1")  # the last two rungs from one query
    titled = next((h1 for h1 in h1s if "title" in (h1.attrs.get("class") or "").split()), None)
    if titled is not None:
        return titled
    for h1 in h1s:
        if (h1.text() or "").strip() and h1.css_first("img") is None and not any(a.tag == "header" for a in ancestors(h1)):
            return h1
    return None


def _is_tag_link(base: str, link: LexborNode) -> bool:
    """A link to a tag page, in any address scheme ("/tag/<alias>", "…&op=tag/<alias>")."""
    url = absolute(base, link.attrs.get("href"))
    return url is not None and parse_address(url).kind is Kind.TAG


class NukeVietArticlePage(ArticlePage):
    layout = "nukeviet"

    def __init__(self, tree: LexborHTMLParser, url: str) -> None:
        super().__init__(tree, url)
        self.body_el = self.first_of(*BODY)
        self.title_el = title_element(self.root, self.microdata.get("headline")) if self.body_el is not None else None

    @cached_property
    def microdata(self) -> dict[str | None, LexborNode]:
        return microdata(self.root)

    def first_of(self, *cascade: str) -> LexborNode | None:
        """The first element a cascade finds: each step a CSS selector or a microdata property."""
        for step in cascade:
            found = self.root.css_first(step) if step[0] in "#." else self.microdata.get(step)
            if found is not None:
                return found
        return None

    def matches(self) -> bool:
        """A body, and a headline (or at least an og:title)."""
        return self.body_el is not None and (
            self.title_el is not None or self.root.css_first('meta[property="og:title"]') is not None
        )

    def title(self, title_el: LexborNode | None) -> str | None:
        return text_of(title_el) or self.meta("og:title") or self._title_tag()

    def _title_tag(self) -> str | None:
        raw = text_of(self.root.css_first("title"))
        return clean(raw.split(" - ")[0]) if raw else None

    def lead_images(self, lead: LexborNode | None, body: LexborNode) -> list[Image]:
        """The lead image, shown beside the hometext (NukeViet's ``homeimg``)."""
        scope = lead.parent if lead is not None else None
        if scope is None or not scope.is_element_node:
            return []
        out = []
        for img in scope.css("img"):
            up = list(ancestors(img))
            if any(a.mem_id == body.mem_id for a in up):
                continue
            fig = next((a for a in up if a.tag == "figure"), None)
            image = self.image(img, text_of(fig.css_first("figcaption")) if fig is not None else None)
            if image:
                out.append(image)
        return out

    def breadcrumbs(self) -> list[Crumb]:
        """BreadcrumbList microdata (NukeViet's hidden ``temp-breadcrumbs``), else a visible list."""
        root = self.root
        first_item = self.microdata.get("itemListElement")
        holder = first_item.parent if first_item is not None else None
        if holder is not None and "BreadcrumbList" in (holder.attrs.get("itemtype") or ""):
            items = [el for el in holder.iter() if el.is_element_node and el.attrs.get("itemprop") == "itemListElement"]
        else:
            items = root.css('[itemtype*="BreadcrumbList"] [itemprop="itemListElement"]') or [
                li for li in root.css('ul[class*="breadcrumb"] > li') if (li.text() or "").strip()
            ]
        return self.crumbs_from(items)

    def tags(self, scope: LexborNode) -> list[str]:
        keywords = self.microdata.get("keywords")
        links = keywords.css("a") if keywords is not None else []
        if not links:
            held = self.text.holding(_TAG_LABELS, longest=len(self.text.joined))
            if held is None:
                held = [(child.text(deep=False), el) for el in holding(scope, _TAG_LABELS)
                        for child in el.iter(include_text=True) if child.is_text_node]
            holder = next((el for text, el in held if text.strip().startswith(_TAG_LABELS)), None)
            for _ in range(3):
                if holder is None or not holder.is_element_node:
                    break
                links = [a for a in holder.css("a[href]") if _is_tag_link(self.url, a)]
                if links:
                    break
                holder = holder.parent
        out: list[str] = []
        for a in links:
            name = text_of(a) or clean(a.attrs.get("title"))
            if name and name not in out:
                out.append(name)
        return out

    def to_item(self) -> ArticleItem:
        root = self.root
        body_el, title_el = self.body_el, self.title_el
        if body_el is None:
            raise NotAnArticle("no article body")
        lead_el = self.first_of(*LEAD)
        scope = self.tree.body or root
        article = common_ancestor(title_el, body_el) if title_el is not None else body_el.parent
        # every other field first: reading the body edits the tree
        item_fields = dict(
            title=self.title(title_el),
            published_at_raw=shown_date(title_el) if title_el is not None else None,
            summary=text_of(lead_el),
            breadcrumbs=self.breadcrumbs(),
            related=self.related(body_el),
            tags=self.tags(scope),
        )
        lead_images = self.lead_images(lead_el, body_el)
        labelled = self.labelled(article)
        icon_count = icon_views(title_el, body_el, article) if title_el is not None else None
        body = self.body_of(body_el)
        item = self.new_item(body, images=lead_images + body.images, **item_fields)
        self.fill(item, labelled)
        if item.views is None:
            item.views = icon_count
        item.category = item.category or self.meta("article:section")
        return item
