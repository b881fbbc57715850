"""``body_html`` is safe to render: the record chain's allow-list (``SafeHtmlPipeline``).

Every check goes through ``build_record``, so each fails if the stage leaves the chain. The
output is read back as a browser reads it (lexbor, an HTML5 parser): what counts is what a
browser would build from the record, not what the sanitizer meant to write.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.items import ArticleItem
from scraper.pages import extract_article
from scraper.pipelines import RECORD_PIPELINES, SafeHtmlPipeline, ValidatePipeline, build_record, record_dict
from scraper.replica import Site
from scraper.replica.legacy import LegacySite, legacy_article_url, render_legacy_article
from scraper.replica.render import render_article
from scraper.safe_html import ATTRIBUTES, STYLE_PROPERTIES, TAGS, URL_SCHEMES
from tests.conftest import ARTICLES

URL = "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-1.html"
#: What a browser strips from an address before reading its scheme (leading/trailing C0 controls
#: and spaces; tabs and line breaks anywhere).
_URL_TRIM = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_URL_TABS = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_STYLE_NAMES = {name.lower() for name in STYLE_PROPERTIES}
#: What the issue names, checked apart from the module's lists (which a change could widen).
FORBIDDEN_TAGS = frozenset({"svg", "math", "base", "meta", "link", "script", "style", "iframe", "frame", "object",
                            "embed", "form", "input", "button", "animate", "set", "use", "image", "template", "noscript"})
FORBIDDEN_CSS = frozenset({"position", "top", "left", "right", "bottom", "inset", "z-index", "transform", "margin",
                           "margin-top", "margin-left", "display", "float", "background", "content"})


def sanitized(fragment: str) -> str:
    """``fragment`` as the record chain leaves it in ``body_html``."""
    item = ArticleItem(url=URL, fetched_url=URL, layout="nukeviet", title="Tiêu đề",
                       published_at_raw="05/12/2023 10:15", body_text="Nội dung.", body_html=fragment)
    return build_record(item).body_html


def browser_elements(html: str) -> list[LexborNode]:
    """The elements a browser builds from ``html`` placed in a page's body (the document's own
    html/head/body left out; anything the parser moved into the head counted too)."""
    tree = LexborHTMLParser(f"<!DOCTYPE html><html><head></head><body>{html}</body></html>")
    body = tree.body
    assert body is not None
    return [node for node in body.traverse() if node.is_element_node and node.mem_id != body.mem_id] + [
        node for node in tree.head.traverse() if node.is_element_node and node.tag != "head"
    ]


def url_scheme(value: str) -> str | None:
    """The scheme a browser reads from an attribute's (decoded) value; None for a relative address."""
    found = _SCHEME.match(_URL_TABS.sub("", _URL_TRIM.sub("", value)))
    return found.group(1).lower() if found else None


def css_property_names(style: str) -> list[str]:
    """The property names a browser reads in a ``style`` attribute, lower-case: declarations end
    at a ``;`` outside strings, comments and brackets; escapes ("p\\6fsition") are decoded."""
    names, name, depth, i, in_name = [], [], 0, 0, True
    while i < len(style):
        c = style[i]
        if style.startswith("/*", i):
            end = style.find("*/", i + 2)
            i = len(style) if end < 0 else end + 2
            continue
        if c in "\"'":  # a string: skipped whole (its escapes too)
            i += 1
            while i < len(style) and style[i] not in (c, "\n"):
                i += 2 if style[i] == "\\" else 1
        elif c == "\\" and in_name:
            hexa = re.match(r"[0-9a-fA-F]{1,6}[ \t\n]?", style[i + 1:])
            if hexa:
                name.append(chr(int(hexa.group().strip(), 16)))
                i += 1 + len(hexa.group())
                continue
            name.append(style[i + 1:i + 2])
            i += 1
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(0, depth - 1)
        elif c == ";" and depth == 0:
            if not in_name and "".join(name).strip():
                names.append("".join(name).strip().lower())
            name, in_name = [], True
        elif c == ":" and depth == 0 and in_name:
            in_name = False
        elif in_name:
            name.append(c)
        i += 1
    if not in_name and "".join(name).strip():
        names.append("".join(name).strip().lower())
    return names


def unsafe_parts(html: str) -> list[str]:
    """Everything in ``html`` outside the allow-list, as a browser would parse it; [] when safe."""
    problems = []
    tree = LexborHTMLParser(f"<!DOCTYPE html><html><head></head><body>{html}</body></html>")
    if any(node.is_comment_node for node in tree.root.traverse(include_text=True)):
        problems.append("comment")
    for el in browser_elements(html):
        if el.tag not in TAGS or el.tag in FORBIDDEN_TAGS:
            problems.append(f"element {el.tag}")
            continue
        allowed = ATTRIBUTES["*"] | ATTRIBUTES.get(el.tag, frozenset())
        for name, value in el.attrs.items():
            value = value or ""
            if name not in allowed or name.startswith("on") or ":" in name:
                problems.append(f"attribute {el.tag}@{name}")
            elif name in ("href", "src") and url_scheme(value) not in (None, "http", "https"):
                problems.append(f"address {el.tag}@{name}={value!r}")
            elif name == "style":
                css = set(css_property_names(value))
                if css & FORBIDDEN_CSS or not css <= _STYLE_NAMES:
                    problems.append(f"style {value!r}")
    return problems


# ----- hand-written hostile cases ------------------------------------------------------------

LEGIT = '<p style="text-align: center;">Công an tỉnh <a href="https://congan.laichau.gov.vn/a/b-2.html" title="Bài">Lai Châu</a></p>'

HOSTILE = {
    "svg-xlink-href": '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="15">bấm</text></a></svg>',
    "svg-animate-href": '<svg><a><animate attributeName="href" values="javascript:alert(1)"/><text>bấm</text></a></svg>',
    "svg-set-href": '<svg><a><set attributeName="href" to="javascript:alert(1)"/><text>bấm</text></a></svg>',
    "mathml-xlink-href": '<math><mi xlink:href="javascript:alert(1)">x</mi><maction actiontype="statusline#http://a" xlink:href="javascript:alert(1)">y</maction></math>',
    "base-href": '<base href="https://evil.example/">',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "link-stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "style-position-fixed": '<div style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:99999;background:#fff">Trúng thưởng</div>',
    "script-style-iframe": '<script>alert(1)</script><style>p{display:none}</style><iframe src="https://evil.example/"></iframe>',
    "object-embed-form": '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf"><form action="https://evil.example/"><input name="q"><button formaction="javascript:alert(1)">Gửi</button></form>',
    "javascript-href-tricks": '<a href="jav&#x09;ascript:alert(1)">a</a><a href="JaVaScRiPt:alert(1)">b</a><a href=" &#14; javascript:alert(1)">c</a><a href="&#106;avascript:alert(1)">d</a>',
    "other-schemes": '<a href="vbscript:msgbox(1)">v</a><img src="data:image/svg+xml;base64,PHN2Zz4="><a href="file:///etc/passwd">f</a><a href="mailto:a@b.vn">m</a>',
    "event-handlers": '<img src="https://congan.laichau.gov.vn/x.jpg" onerror="alert(1)"><p onclick="alert(1)" onmouseover="alert(1)">x</p>',
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_hostile_markup_goes_legitimate_content_stays(case: str) -> None:
    raw = HOSTILE[case] + LEGIT
    assert unsafe_parts(raw), "the hostile case must be unsafe before the record chain"
    out = sanitized(raw)
    assert unsafe_parts(out) == []
    assert out.endswith(
        '<p style="text-align:center">Công an tỉnh <a href="https://congan.laichau.gov.vn/a/b-2.html" title="Bài">Lai Châu</a></p>'
    )
    for marker in ("javascript", "vbscript", "evil.example", "xlink", "position", "alert", "data:", "file:", "mailto:"):
        assert marker not in out.lower(), marker


def test_page_covering_style_loses_only_its_dangerous_properties() -> None:
    out = sanitized('<p style="TEXT-ALIGN: justify; position: fixed; top: 0; z-index: 9; color: red">x</p>')
    assert out == '<p style="TEXT-ALIGN:justify;color:red">x</p>'


def test_text_of_removed_elements_is_kept_unless_never_shown() -> None:
    out = sanitized('<center><font color="red" onclick="x()">Đỏ</font></center><marquee>chạy</marquee><script>var a</script>')
    assert out == '<center><font color="red">Đỏ</font></center>chạy'


def test_the_allow_list_itself_holds_nothing_dangerous() -> None:
    """``unsafe_parts`` reads the module's lists: they must never take in what the issue forbids."""
    assert not TAGS & FORBIDDEN_TAGS
    names = {name.lower() for allowed in ATTRIBUTES.values() for name in allowed}
    assert not {n for n in names if n.startswith(("on", "xlink", "xmlns", "data", "form"))}
    assert not names & {"srcset", "action", "background", "poster", "cite", "target", "name", "http-equiv", "content"}
    assert {"http", "https"} == URL_SCHEMES
    assert not _STYLE_NAMES & FORBIDDEN_CSS


def test_the_stage_runs_in_the_record_chain_before_validation() -> None:
    chain = list(RECORD_PIPELINES)
    assert SafeHtmlPipeline in chain and chain.index(SafeHtmlPipeline) < chain.index(ValidatePipeline)


# ----- generated hostile markup --------------------------------------------------------------

_SCHEMES = ["javascript:", "JaVaScRiPt:", "vbscript:", "data:text/html,", "file:///", "mailto:", "jav&#x09;ascript:",
            "jav&#9;ascript:", "&#106;avascript:", "&#x6A;avascript&colon;", " \x01javascript:", "java\nscript:",
            "javascript&#58;", "https://", "http://", "HTTPS://", "//", "/", "", "#", "?q="]
_URLS = st.builds("{}{}".format, st.sampled_from(_SCHEMES), st.sampled_from(["alert(1)", "evil.example/x", "a/b.jpg", ""]))
_STYLES = st.lists(st.sampled_from([
    "position:fixed", "POSITION: FIXED", "position :absolute", "Position:sticky", "pos\\ition:fixed", "p\\6fsition:fixed",
    "position/**/:fixed", "top:0", "left:0", "z-index:99999", "inset:0", "transform:scale(99)", "margin-top:-999px",
    "background:url(javascript:alert(1))", "text-align:center", "TEXT-ALIGN: justify", "width:100%", "height:100vh",
    "color:red", "font-size:11px", "}position:fixed{", "/*", "*/", "'", '"', ";", "color:\"a;position:fixed\"",
]), max_size=5).map(";".join)
#: Values that close a raw-text element or a comment the parser may think it is in (mutation XSS).
_BREAKOUTS = st.sampled_from(["</style><img src=x onerror=alert(1)>", "</noscript><img src=x onerror=alert(1)>",
                              "--><img src=x onerror=alert(1)>", "</title><svg onload=alert(1)>", "]]><a href=javascript:alert(1)>x"])
_ATTR_NAMES = ["href", "src", "xlink:href", "action", "formaction", "srcset", "data", "values", "to", "from", "by",
               "attributeName", "http-equiv", "content", "rel", "background", "poster", "target", "onclick", "OnError",
               "onload", "id", "class", "title", "name", "xmlns", "xmlns:xlink", "style", "alt", "width"]
_TAGS = ["svg", "math", "a", "animate", "set", "animateMotion", "use", "image", "foreignObject", "desc", "mi", "mtext",
         "mglyph", "malignmark", "annotation-xml", "maction", "base", "meta", "link", "script", "style", "iframe",
         "object", "embed", "form", "input", "button", "img", "p", "div", "span", "table", "tr", "td", "noscript",
         "template", "textarea", "title", "xmp", "noembed", "select", "option", "frameset", "frame", "isindex",
         "strong", "figure", "figcaption", "font", "center"]


def _case(name: str, flips: list[bool]) -> str:
    """``name`` in mixed case (the parser must not care)."""
    return "".join(c.upper() if flip else c for c, flip in zip(name, flips + [False] * len(name), strict=False))


@st.composite
def _attribute(draw) -> str:
    # the attributes that survive, half the time: what a widened allow-list would let through
    name = draw(st.one_of(st.sampled_from(["href", "src", "style"]), st.sampled_from(_ATTR_NAMES)))
    if name == "style":
        value = draw(_STYLES)
    elif name == "attributeName":
        value = draw(st.sampled_from(["href", "xlink:href", "HREF"]))
    elif name.lower().startswith("on"):
        value = "alert(1)"
    else:
        value = draw(st.one_of(_URLS, _BREAKOUTS))
    quote = draw(st.sampled_from(['"', "'", ""]))
    if not quote and (not value or any(c in value for c in " \t\n\"'=<>`")):
        quote = '"'
    value = value.replace(quote, "") if quote else value
    return f" {_case(name, draw(st.lists(st.booleans(), max_size=4)))}={quote}{value}{quote}"


@st.composite
def _element(draw, children) -> str:
    kept = st.sampled_from(["a", "img", "p", "div", "span"])  # elements that stay: their attributes are what is left to check
    tag = _case(draw(st.one_of(kept, st.sampled_from(_TAGS))), draw(st.lists(st.booleans(), max_size=6)))
    attrs = "".join(draw(st.lists(_attribute(), max_size=4)))
    inner = "".join(draw(st.lists(children, max_size=3)))
    closing = draw(st.sampled_from([f"</{tag}>", "", "/>"]))
    return f"<{tag}{attrs}>{inner}{closing}" if closing != "/>" else f"<{tag}{attrs}/>{inner}"


_TEXT = st.sampled_from(["chữ", "a &amp; b", "&lt;script&gt;", "<!-- c -->", "<img src=x onerror=alert(1)>", "<![CDATA[x]]>",
                         "]]>", "-->", "<", ">", "&nbsp;", "\xa0", "<?x y?>", "</p>", "</svg>",
                         "<!--<img src=x onerror=alert(1)>-->"])
HOSTILE_MARKUP = st.recursive(_TEXT, lambda children: _element(children), max_leaves=25)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(HOSTILE_MARKUP, min_size=1, max_size=4).map("".join))
def test_generated_hostile_markup_leaves_only_the_allow_list(markup: str) -> None:
    out = sanitized(LEGIT + markup)  # first: an unclosed <script> or <title> would swallow what follows
    assert unsafe_parts(out) == [], out
    assert out.startswith('<p style="text-align:center">Công an tỉnh <a href="https://congan.laichau.gov.vn/a/b-2.html"')


# ----- legitimate bodies keep everything -----------------------------------------------------

def _shape(html: str) -> list[tuple[str, dict[str, str]]]:
    """Elements with their attributes as a browser parses them, each ``style`` as its declarations
    (the sanitizer rewrites "text-align: center;" as "text-align:center")."""
    out = []
    for el in browser_elements(html):
        attrs = dict(el.attrs)
        if "style" in attrs:
            attrs["style"] = ";".join(
                f"{n.strip()}:{v.strip()}" for n, _, v in (d.partition(":") for d in (attrs["style"] or "").split(";")) if n.strip()
            )
        out.append((el.tag, attrs))
    return out


def _legit_bodies() -> list[tuple[str, bytes, str]]:
    pages = []
    for golden in sorted(ARTICLES.glob("*.json")):
        pages.append((golden.stem, golden.with_suffix(".html").read_bytes(), json.loads(golden.read_text("utf-8"))["fetched_url"]))
    site, base = Site(n_articles=40, seed=3), "http://127.0.0.1:8000"
    for a in [a for a in site.articles if a.id not in site.missing_ids][:12]:
        pages.append((f"replica-{a.id}", render_article(site, a, base).encode(), base + site.article_url_path(a)))
    legacy = LegacySite(n_articles=8, seed=3)
    for a in legacy.articles:
        pages.append((f"legacy-replica-{a.id}", render_legacy_article(a, legacy.base).encode(), legacy_article_url(legacy.host, a.id)))
    return pages


LEGIT_PAGES = _legit_bodies()


@pytest.mark.parametrize(("name", "page", "url"), LEGIT_PAGES, ids=[p[0] for p in LEGIT_PAGES])
def test_legitimate_bodies_keep_every_element_attribute_and_text(name: str, page: bytes, url: str) -> None:
    raw = extract_article(page, url).body_html
    out = build_record(extract_article(page, url)).body_html
    assert unsafe_parts(out) == []
    assert _shape(out) == _shape(raw)
    assert LexborHTMLParser(out).body.text() == LexborHTMLParser(raw).body.text()


# ----- end to end: hostile bits in real fixture pages ----------------------------------------

#: Hostile markup without visible text, slipped into a fixture's body: the record's text fields
#: must come out as from the clean page.
INJECTED = (
    '<svg width="1" height="1"><a xlink:href="javascript:alert(1)"><rect width="1" height="1"></rect></a>'
    '<animate attributeName="href" values="javascript:alert(2)"></animate><set attributeName="href" to="javascript:alert(3)"></set></svg>'
    '<math><mi xlink:href="javascript:alert(4)"></mi></math>'
    '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/">'
    '<link rel="stylesheet" href="https://evil.example/x.css">'
    '<div style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:99999"></div>'
)
BODY_OPENINGS = {
    "nukeviet-default": '<div id="news-bodyhtml" class="bodytext margin-bottom-lg">',
    "nukeviet-print": '<div id="bodytext" class="clearfix">',
    "legacy-div": '<div id="ctl00_ContentPlaceHolder1_divNoiDung" class="news-content">',
    "legacy-seed": '<div id="ctl00_ContentPlaceHolder1_divNoiDung" class="NoiDung">',
}


@pytest.mark.parametrize("fixture", BODY_OPENINGS)
def test_hostile_fixture_page_gives_a_clean_body_html_and_the_same_text(fixture: str) -> None:
    path: Path = ARTICLES / f"{fixture}.html"
    golden = json.loads(path.with_suffix(".json").read_text("utf-8"))
    html = path.read_text("utf-8")
    opening = BODY_OPENINGS[fixture]
    assert html.count(opening) == 1
    hostile_page = html.replace(opening, opening + INJECTED).encode()
    raw = extract_article(hostile_page, golden["fetched_url"]).body_html
    assert unsafe_parts(raw), "the page objects alone leave the injected markup in"
    hostile = record_dict(build_record(extract_article(hostile_page, golden["fetched_url"])))
    clean = record_dict(build_record(extract_article(html.encode(), golden["fetched_url"])))
    assert unsafe_parts(hostile["body_html"]) == []
    assert "javascript" not in hostile["body_html"] and "evil.example" not in hostile["body_html"]
    assert hostile["body_text"] == clean["body_text"] == golden["body_text"]
    for field in clean:
        if field not in ("body_html", "fetched_at"):
            assert hostile[field] == clean[field], field
