"""Every NukeViet address scheme read back into (language, module, op), one canonical article each."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scraper.sites import addresses
from scraper.sites.addresses import (
    DEFAULT,
    DEFAULT_OTHER_MODULES,
    FOLDERS,
    NEWS_FUNCS,
    RESERVED,
    Form,
    Kind,
    SiteProfile,
    article_key,
    build_url,
    canonical_article_url,
    parse,
)

H = "https://so.tinhmau.gov.vn"
#: A site that writes /vi/tin-tuc/…, with its modules known.
LANG_SITE = SiteProfile(
    languages=frozenset({"vi", "en"}), language="vi", lang_in_path=True, drops_home=False,
    news_modules=frozenset({"tin-tuc", "thong-bao"}), other_modules=frozenset({"gioi-thieu", "van-ban"}),
    modules_known=True, form=Form.REWRITE,
)
#: congan.laichau.gov.vn: the news module ("news") left out of every address, no language.
DROPPED = SiteProfile(languages=frozenset(), home_module="news", modules_known=True, form=Form.REWRITE)


# (address, module, lang, view, canonical) of one article (id 12 in category an-ninh, slug bai-viet)
ARTICLE = "an-ninh/bai-viet-12.html"
SCHEMES = [
    # the module left out (congan.laichau.gov.vn), with and without index.php/
    (f"{H}/{ARTICLE}", "", None, None, f"{H}/{ARTICLE}"),
    (f"{H}/index.php/{ARTICLE}", "", None, None, f"{H}/{ARTICLE}"),
    (f"{H}/print/{ARTICLE}", "", None, "print", f"{H}/{ARTICLE}"),
    (f"{H}/index.php/savefile/{ARTICLE}?x=1#y", "", None, "savefile", f"{H}/{ARTICLE}"),
    # a named module, with and without language and index.php/
    (f"{H}/tin-tuc/{ARTICLE}", "tin-tuc", None, None, f"{H}/tin-tuc/{ARTICLE}"),
    (f"{H}/vi/tin-tuc/{ARTICLE}", "tin-tuc", "vi", None, f"{H}/vi/tin-tuc/{ARTICLE}"),
    (f"{H}/index.php/vi/tin-tuc/{ARTICLE}", "tin-tuc", "vi", None, f"{H}/vi/tin-tuc/{ARTICLE}"),
    (f"{H}/index.php/tin-tuc/{ARTICLE}", "tin-tuc", None, None, f"{H}/tin-tuc/{ARTICLE}"),
    # print/ and savefile/ sit after the language and the module: they open the op
    (f"{H}/vi/tin-tuc/print/{ARTICLE}", "tin-tuc", "vi", "print", f"{H}/vi/tin-tuc/{ARTICLE}"),
    (f"{H}/index.php/vi/tin-tuc/savefile/{ARTICLE}", "tin-tuc", "vi", "savefile", f"{H}/vi/tin-tuc/{ARTICLE}"),
    (f"{H}/tin-tuc/print/{ARTICLE}", "tin-tuc", None, "print", f"{H}/tin-tuc/{ARTICLE}"),
    # the language with the module left out
    (f"{H}/vi/{ARTICLE}", "", "vi", None, f"{H}/vi/{ARTICLE}"),
    (f"{H}/vi/print/{ARTICLE}", "", "vi", "print", f"{H}/vi/{ARTICLE}"),
    # the query form: op with or without .html, encoded or not, parameters in any order, &amp; left in
    (f"{H}/index.php?language=vi&nv=tin-tuc&op=an-ninh/bai-viet-12.html", "tin-tuc", "vi", None, None),
    (f"{H}/index.php?language=vi&nv=tin-tuc&op=an-ninh/bai-viet-12", "tin-tuc", "vi", None, None),
    (f"{H}/index.php?language=vi&nv=tin-tuc&op=an-ninh%2Fbai-viet-12.html", "tin-tuc", "vi", None, None),
    (f"{H}/index.php?op=an-ninh%2Fbai-viet-12&nv=tin-tuc&language=vi", "tin-tuc", "vi", None, None),
    (f"{H}/index.php?language=vi&amp;nv=tin-tuc&amp;op=an-ninh/bai-viet-12.html", "tin-tuc", "vi", None, None),
    (f"{H}/index.php?language=vi&nv=tin-tuc&op=print/an-ninh/bai-viet-12.html", "tin-tuc", "vi", "print", None),
    (f"{H}/index.php?language=vi&nv=tin-tuc&op=savefile%2Fan-ninh%2Fbai-viet-12", "tin-tuc", "vi", "savefile", None),
    (f"{H}/index.php?language=vi&nv=tin-tuc/an-ninh/bai-viet-12.html", "tin-tuc", "vi", None, None),  # op in nv
    (f"{H}/?language=vi&nv=tin-tuc&op=an-ninh/bai-viet-12.html&download=1", "tin-tuc", "vi", None, None),
]
QUERY_CANON = f"{H}/index.php?language=vi&nv=tin-tuc&op=an-ninh/bai-viet-12.html"


@pytest.mark.parametrize(("url", "module", "lang", "view", "canonical"), SCHEMES)
def test_every_scheme_gives_the_article(url, module, lang, view, canonical) -> None:
    a = parse(url)
    assert a.is_article and a.kind is Kind(view or "article")
    assert (a.id, a.category, a.slug, a.module, a.lang, a.view) == ("12", "an-ninh", "bai-viet", module, lang, view)
    assert a.canonical == (canonical or QUERY_CANON)
    assert parse(a.canonical).kind is Kind.ARTICLE and parse(a.canonical).canonical == a.canonical


@pytest.mark.parametrize(("url", "kind", "fields"), [
    (f"{H}/an-ninh/", Kind.CATEGORY, {"category": "an-ninh", "page": 1, "module": ""}),
    (f"{H}/an-ninh/page-3/", Kind.CATEGORY_PAGE, {"category": "an-ninh", "page": 3}),
    (f"{H}/an-ninh/page-3", Kind.CATEGORY_PAGE, {"category": "an-ninh", "page": 3}),
    (f"{H}/vi/tin-tuc/an-ninh/", Kind.CATEGORY, {"category": "an-ninh", "module": "tin-tuc", "lang": "vi"}),
    (f"{H}/index.php/vi/tin-tuc/an-ninh/page-2/", Kind.CATEGORY_PAGE, {"page": 2, "module": "tin-tuc", "form": Form.INDEX_PHP}),
    (f"{H}/index.php?language=vi&nv=tin-tuc&op=an-ninh/page-4", Kind.CATEGORY_PAGE, {"page": 4, "module": "tin-tuc"}),
    (f"{H}/index.php?language=vi&nv=tin-tuc&op=an-ninh", Kind.CATEGORY, {"category": "an-ninh", "form": Form.QUERY}),
    # tag pages take no rewrite_endurl; their alias may be paged
    (f"{H}/tag/ma-tuy", Kind.TAG, {"tag": "ma-tuy", "module": ""}),
    (f"{H}/vi/tin-tuc/tag/phong-chong-toi-pham/page-2", Kind.TAG, {"tag": "phong-chong-toi-pham", "page": 2, "module": "tin-tuc"}),
    (f"{H}/index.php?language=vi&nv=tin-tuc&op=tag/ma-tuy", Kind.TAG, {"tag": "ma-tuy"}),
    (f"{H}/rss/", Kind.RSS, {"module": "", "category": None}),
    (f"{H}/rss/an-ninh/", Kind.RSS, {"category": "an-ninh"}),
    (f"{H}/vi/tin-tuc/rss/an-ninh/", Kind.RSS, {"module": "tin-tuc", "lang": "vi", "category": "an-ninh"}),
    (f"{H}/index.php?language=vi&nv=tin-tuc&op=rss", Kind.RSS, {"module": "tin-tuc"}),
    # the sitemap index and each module's sitemap, in every form nv_xmlSitemapIndex_generate writes
    (f"{H}/sitemap.xml", Kind.SITEMAP_INDEX, {}),
    (f"{H}/sitemap-vi.xml", Kind.SITEMAP_INDEX, {"lang": "vi"}),
    (f"{H}/index.php?nv=SitemapIndex", Kind.SITEMAP_INDEX, {}),
    (f"{H}/sitemap-vi.tin-tuc.xml", Kind.SITEMAP, {"module": "tin-tuc", "lang": "vi"}),
    (f"{H}/index.php/tin-tuc/sitemap/", Kind.SITEMAP, {"module": "tin-tuc"}),
    (f"{H}/index.php/vi/tin-tuc/sitemap/", Kind.SITEMAP, {"module": "tin-tuc", "lang": "vi"}),
    (f"{H}/index.php?language=vi&nv=tin-tuc&op=sitemap", Kind.SITEMAP, {"module": "tin-tuc"}),
    # module roots and the home module's own pages
    (f"{H}/", Kind.MODULE, {"module": ""}),
    (f"{H}/vi/", Kind.MODULE, {"module": "", "lang": "vi"}),
    (f"{H}/page-2/", Kind.MODULE, {"module": "", "page": 2}),
    (f"{H}/index.php?language=vi&nv=tin-tuc", Kind.MODULE, {"module": "tin-tuc"}),
    (f"{H}/index.php?language=vi&nv=tin-tuc/page-3", Kind.MODULE, {"module": "tin-tuc", "page": 3}),
    # never an article or a category
    (f"{H}/an-ninh/page-2.html", Kind.OTHER, {}),  # functions.php reads <cat>/page-* before articles
    (f"{H}/an-ninh/page-rank-la-gi-12.html", Kind.OTHER, {}),
    (f"{H}/topic/", Kind.OTHER, {}),
    (f"{H}/sendmail/an-ninh/bai-viet-12.html", Kind.OTHER, {}),
    (f"{H}/print/tag/bai-viet-12.html", Kind.OTHER, {}),
    (f"{H}/uploads/news/2024_01/bai-12.html", Kind.OTHER, {}),
    (f"{H}/about/gioi-thieu-2.html", Kind.OTHER, {"module": "about"}),
    (f"{H}/vi/contact/x/bai-12.html", Kind.OTHER, {"module": "contact"}),
    (f"{H}/index.php?language=vi&nv=users&op=login", Kind.OTHER, {"module": "users"}),
    (f"{H}/an-ninh", Kind.OTHER, {}),  # rewrite_endurl "/": the address must end with it
    (f"{H}/an-ninh/bai-viet-12.html/", Kind.OTHER, {}),
    (f"{H}/a//bai-12.html", Kind.OTHER, {}),
])
def test_kinds(url, kind, fields) -> None:
    a = parse(url)
    assert a.kind is kind
    for name, value in fields.items():
        assert getattr(a, name) == value, name
    assert (a.canonical is None) is (kind not in (Kind.ARTICLE, Kind.PRINT, Kind.SAVEFILE))


def test_a_first_segment_is_a_language_or_a_module_as_the_profile_says() -> None:
    """/a/b/c-12.html: module a with category b, or language a on a site that leaves its news
    module out; without a profile, two-letter language codes are languages and the rest modules."""
    assert (parse(f"{H}/tin-tuc/an-ninh/bai-12.html").module, parse(f"{H}/tin-tuc/an-ninh/bai-12.html").lang) == ("tin-tuc", None)
    assert (parse(f"{H}/en/an-ninh/bai-12.html").module, parse(f"{H}/en/an-ninh/bai-12.html").lang) == ("", "en")
    no_languages = SiteProfile(languages=frozenset())
    assert (parse(f"{H}/en/an-ninh/bai-12.html", no_languages).module, parse(f"{H}/en/an-ninh/bai-12.html", no_languages).lang) == ("en", None)
    khmer = SiteProfile(languages=frozenset({"vi", "km"}))
    assert parse(f"{H}/km/an-ninh/bai-12.html", khmer).lang == "km"
    # with the site's modules known, a name that is no module is the home module's op (NukeViet's
    # own rule in index.php): three segments are then no article of the home module
    assert parse(f"{H}/la/an-ninh/bai-12.html", DROPPED).kind is Kind.OTHER
    assert parse(f"{H}/news/an-ninh/bai-12.html", DROPPED).module == "news"
    assert parse(f"{H}/gioi-thieu/an-ninh/bai-12.html", LANG_SITE).kind is Kind.OTHER
    assert parse(f"{H}/vi/gioi-thieu/lich-su-2.html", LANG_SITE).kind is Kind.OTHER
    # with no module left out, a lone "<x>/" is a module's root, not a category
    assert parse(f"{H}/vi/tin-tuc/", LANG_SITE).kind is Kind.MODULE
    assert parse(f"{H}/vi/tin-tuc/", DEFAULT).kind is Kind.CATEGORY


def test_a_two_segment_article_or_page_is_always_the_home_modules() -> None:
    """An op needs a category before <slug>-<id>.html or page-N: "vi" there is a category."""
    a = parse(f"{H}/vi/bai-12.html")
    assert (a.kind, a.lang, a.module, a.category) == (Kind.ARTICLE, None, "", "vi")
    assert (parse(f"{H}/vi/page-2/").kind, parse(f"{H}/vi/page-2/").category) == (Kind.CATEGORY_PAGE, "vi")


def test_the_sites_scheme_shapes_the_canonical_address() -> None:
    via_index = SiteProfile(languages=frozenset({"vi"}), language="vi", lang_in_path=True, form=Form.INDEX_PHP)
    assert canonical_article_url(f"{H}/vi/tin-tuc/print/{ARTICLE}", via_index) == f"{H}/index.php/vi/tin-tuc/{ARTICLE}"
    assert canonical_article_url(f"{H}/tin-tuc/{ARTICLE}", via_index) == f"{H}/index.php/vi/tin-tuc/{ARTICLE}"
    query = SiteProfile(language="vi", form=Form.QUERY)
    assert canonical_article_url(f"{H}/vi/tin-tuc/{ARTICLE}", query) == QUERY_CANON
    assert canonical_article_url(f"{H}/index.php?nv=tin-tuc&op=an-ninh/bai-viet-12", query) == QUERY_CANON
    # the home module named explicitly collapses onto the address that leaves it out
    assert canonical_article_url(f"{H}/news/{ARTICLE}", DROPPED) == f"{H}/{ARTICLE}"
    assert canonical_article_url(f"{H}/index.php?language=vi&nv=news&op={ARTICLE}", DROPPED) == f"{H}/{ARTICLE}"
    dropped_query = SiteProfile(home_module="news", form=Form.QUERY, language="vi")
    assert canonical_article_url(f"{H}/print/{ARTICLE}", dropped_query) == f"{H}/index.php?language=vi&nv=news&op={ARTICLE}"
    assert canonical_article_url(f"{H}/an-ninh/", DROPPED) is None


def test_keys_are_per_module() -> None:
    assert article_key(f"{H}/{ARTICLE}") == "id:12"
    assert article_key(f"{H}/vi/tin-tuc/print/{ARTICLE}") == "tin-tuc:id:12"
    assert article_key(f"{H}/index.php?language=vi&nv=thong-bao&op={ARTICLE}") == "thong-bao:id:12"
    # the home module's id, however the address names it
    assert {article_key(u, DROPPED) for u in (f"{H}/{ARTICLE}", f"{H}/news/{ARTICLE}", f"{H}/index.php?nv=news&op={ARTICLE}")} == {"id:12"}
    assert article_key(f"{H}/an-ninh/#x") == f"url:{H}/an-ninh/"


def test_rewrite_endurl() -> None:
    """rewrite_endurl "/" (the default) or empty: categories end in it; ".html" (allowed when it
    equals rewrite_exturl) gives category pages an .html ending that is no article's."""
    empty = SiteProfile(endurl="")
    assert parse(f"{H}/an-ninh", empty).kind is Kind.CATEGORY
    assert parse(f"{H}/vi/tin-tuc", LANG_SITE).kind is Kind.OTHER
    assert parse(f"{H}/vi/tin-tuc", replace(LANG_SITE, endurl="")).kind is Kind.MODULE
    html = SiteProfile(endurl=".html")
    assert (parse(f"{H}/an-ninh/page-2.html", html).kind, parse(f"{H}/an-ninh/page-2.html", html).page) == (Kind.CATEGORY_PAGE, 2)
    assert parse(f"{H}/an-ninh/bai-12.html", html).kind is Kind.ARTICLE
    assert build_url(H, empty, "an-ninh", module="tin-tuc") == f"{H}/tin-tuc/an-ninh"
    assert build_url(H, DEFAULT, "an-ninh", module="tin-tuc") == f"{H}/tin-tuc/an-ninh/"
    assert build_url(H, DEFAULT, "tag/ma-tuy", module="tin-tuc") == f"{H}/tin-tuc/tag/ma-tuy"
    assert build_url(H, DEFAULT, ARTICLE) == f"{H}/{ARTICLE}"


def test_profile_json_round_trip_and_hash() -> None:
    for p in (DEFAULT, LANG_SITE, DROPPED, SiteProfile(form=Form.QUERY, endurl="")):
        back = SiteProfile.from_json(p.to_json())
        assert back == p and hash(back) == hash(p)
    assert LANG_SITE != DROPPED


#: Names a site may give its modules and categories (NukeViet's own names and the languages aside).
_ALIASES = st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True).filter(
    lambda s: s not in RESERVED | FOLDERS | DEFAULT_OTHER_MODULES | {"vi", "en"} and not s.startswith("page-")
)
_SLUGS = st.from_regex(r"[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,5}){0,3}", fullmatch=True).filter(lambda s: not s.startswith("page-"))


@settings(max_examples=400, deadline=None)
@given(
    module=_ALIASES, category=_ALIASES, slug=_SLUGS, id_=st.integers(1, 10**7),
    lang=st.sampled_from([None, "vi", "en"]), dropped=st.booleans(), view=st.sampled_from([None, "print", "savefile"]),
    form=st.sampled_from(list(Form)), endurl=st.sampled_from(["/", ""]),
)
def test_what_the_rewriter_writes_reads_back(module, category, slug, id_, lang, dropped, view, form, endurl) -> None:
    """build_url writes an op as nv_url_rewrite_callback would on a site with these settings;
    parse with the same settings reads back the same article, and its canonical address."""
    assume(category != module)  # /<x>/ would be module x's root on NukeViet itself
    profile = SiteProfile(
        languages=frozenset({lang}) if lang else frozenset(), language=lang, lang_in_path=bool(lang),
        home_module=module if dropped else None, news_modules=frozenset({module}), modules_known=True,
        form=form, endurl=endurl,
    )
    op = f"{category}/{slug}-{id_}.html"
    url = build_url(H, profile, f"{view}/{op}" if view else op, module=module)
    a = parse(url, profile)
    assert a.is_article and a.view == view
    assert (a.category, a.slug, a.id) == (category, slug, str(id_))
    assert a.module == ("" if dropped and form is not Form.QUERY else module)
    assert a.canonical == build_url(H, profile, op, module=module)
    assert article_key(url, profile) == (f"id:{id_}" if dropped else f"{module}:id:{id_}")
    # and its category's pages
    for page in (1, 2):
        cat_url = build_url(H, profile, category if page == 1 else f"{category}/page-{page}", module=module)
        c = parse(cat_url, profile)
        assert (c.kind, c.category, c.page) == (Kind.CATEGORY if page == 1 else Kind.CATEGORY_PAGE, category, page)


def test_news_functions_are_never_modules_or_categories() -> None:
    for func in NEWS_FUNCS:
        assert parse(f"{H}/{func}/").kind is not Kind.CATEGORY
        assert parse(f"{H}/{func}/an-ninh/bai-12.html").module in ("", None)


_SEGMENTS = st.sampled_from([
    "an-ninh", "tin-tuc", "news", "vi", "print", "savefile", "about", "laws", "admin", "page", "x_y", "12",
    "bai-viet-12.html", "12.html", "page-2.html", "page-x-3.html", "a.b-4.htm", "abc5.html", "bai-7.HTML",
])
_PROFILES = st.sampled_from([DEFAULT, LANG_SITE, DROPPED, SiteProfile(drops_home=False), SiteProfile(home_module="an-ninh"),
                             SiteProfile(news_modules=frozenset({"an-ninh"}), other_modules=frozenset({"x_y"}))])


@settings(max_examples=1500, deadline=None)
@given(index=st.booleans(), segs=st.lists(_SEGMENTS, min_size=1, max_size=4), profile=_PROFILES)
def test_the_fast_path_reads_as_the_general_rule(index, segs, profile) -> None:
    """The one-match reading of the portal's own article addresses is only a shortcut."""
    parts = urlsplit(f"{H}/{'index.php/' if index else ''}{'/'.join(segs)}")
    fast = addresses._fast_path(parts, profile)
    if fast is not None:
        assert fast == addresses._parse_path(parts, profile)


def test_the_fast_path_takes_the_portals_articles() -> None:
    for url in (f"{H}/{ARTICLE}", f"{H}/index.php/print/{ARTICLE}", f"{H}/savefile/an-ninh/12.html"):
        assert addresses._fast_path(urlsplit(url), DEFAULT) == addresses._parse_path(urlsplit(url), DEFAULT)
    assert addresses._fast_path(urlsplit(f"{H}/an-ninh/page-2.html"), DEFAULT) is None
