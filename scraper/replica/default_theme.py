"""Pages of a ``Portal`` in NukeViet 4.5's default theme (``themes/default``), any scheme.

The markup follows the default templates element for element where a crawler reads it
(``detail.tpl``, ``print.tpl``, ``viewcat_page.tpl``, ``viewcat_list.tpl``, the bootstrap menu, the
hidden ``temp-breadcrumbs``, ``nv_alias_page``'s pager) and is written afresh elsewhere; the text
is generated (``words.py``). Deliberate departures, each a case a spider must survive: the pager
and the head carry no ``rel=next``/``rel=prev`` at all, and the ``«``/``»`` links are titled
"Trang trước"/"Trang sau" as ``nv_generate_page`` titles them. Every function returns text; a
page's addresses are paths written by the portal's scheme (``Portal.url``), escaped for HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from xml.sax.saxutils import escape as xesc

from . import words as W
from .feeds import rss_pubdate
from .portal import CONTACT_MODULE, HOME_LABEL, LAWS_MODULE, PAGE_MODULE, AboutPage, Document, Portal
from .render import body_html, esc, esc_title, visible_date
from .site import Article, Category

_VIEWS_SEP = "."
SITEMAP_LIMIT = 1000
RSS_LIMIT = 30


def href(path: str) -> str:
    """An address as an attribute value: the query form's ``&`` written ``&amp;``, as NukeViet does."""
    return escape(path, quote=True)


def _views(n: int) -> str:
    return f"{n:,}".replace(",", _VIEWS_SEP)


# ----- the page shell ----------------------------------------------------------------------------


def _menu(portal: Portal) -> str:
    """The bootstrap menu (``modules/menu/global.bootstrap.tpl``): each module, its items below."""
    items = [
        f'<li><a class="home" title="{HOME_LABEL}" href="{href(portal.home_path())}"><em class="fa fa-lg fa-home">&nbsp;</em>'
        f'<span class="visible-xs-inline-block"> {HOME_LABEL}</span></a></li>'
    ]

    def top(path: str, title: str, subs: list[tuple[str, str]]) -> str:
        caret = ' <strong class="caret">&nbsp;</strong>' if subs else ""
        toggle = ' class="dropdown-toggle"' if subs else ""
        sub = ""
        if subs:
            lis = "".join(f'\n          <li><a href="{href(p)}" title="{esc(t)}">{esc(t)}</a></li>' for p, t in subs)
            sub = f'\n        <ul class="dropdown-menu">{lis}\n        </ul>\n      '
        return (f'<li role="presentation"><a{toggle} href="{href(path)}" role="button" aria-expanded="false" '
                f'title="{esc(title)}"> {esc(title)}{caret}</a>{sub}</li>')

    items.append(top(portal.module_path(PAGE_MODULE), portal.other_modules[PAGE_MODULE][1],
                     [(portal.about_path(p), p.title) for p in portal.about]))
    for m in portal.news:
        cats = [(portal.category_path(m.name, c.alias), c.name) for c in m.site.categories]
        items.append(top(portal.module_path(m.name), m.title, cats))
    for name in (LAWS_MODULE, CONTACT_MODULE):
        items.append(top(portal.module_path(name), portal.other_modules[name][1], []))
    return "\n      ".join(items)


def _crumbs(portal: Portal, crumbs: list[tuple[str, str]]) -> str:
    """The hidden ``temp-breadcrumbs`` (BreadcrumbList microdata) the theme's script shows."""
    if not crumbs:
        return '<span class="current-time">Chủ nhật, 01/11/2026</span>'
    home = (
        '<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
        f'<a href="{href(portal.home_path())}" itemprop="item" title="{HOME_LABEL}"><span itemprop="name">{HOME_LABEL}</span></a>'
        '<i class="hidden" itemprop="position" content="1"></i></li>'
    )
    loop = "".join(
        '<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
        f'<a href="{href(path)}" itemprop="item" title="{esc(name)}"><span class="txt" itemprop="name">{esc(name)}</span></a>'
        f'<i class="hidden" itemprop="position" content="{pos}"></i></li>'
        for pos, (name, path) in enumerate(crumbs, start=2)
    )
    return (
        '<div class="breadcrumbs-wrap">\n    <div class="display">'
        '<a class="show-subs-breadcrumbs hidden" href="#" onclick="showSubBreadcrumbs(this, event);">'
        '<em class="fa fa-lg fa-angle-right"></em></a><ul class="breadcrumbs list-none"></ul></div>\n'
        '    <ul class="subs-breadcrumbs"></ul>\n'
        '    <ul class="temp-breadcrumbs hidden" itemscope itemtype="https://schema.org/BreadcrumbList">\n      '
        f"{home}{loop}\n    </ul>\n  </div>"
    )


def _block(title: str, inner: str) -> str:
    """A side block in the theme's ``block.primary.tpl`` frame."""
    return f'<div class="panel panel-primary">\n  <div class="panel-heading">{title}</div>\n  <div class="panel-body">{inner}\n  </div>\n</div>'


def _latest_block(portal: Portal) -> str:
    """"Tin mới nhất": the news module's ``block_news.tpl``, titles only."""
    lis = "".join(
        f'\n    <li class="clearfix"><a title="{esc_title(a.title)}" class="show" href="{href(portal.article_path(m, a))}" '
        f'data-content="{esc(a.hometext)}" data-img="" data-rel="block_news_tooltip">{esc_title(a.title)}</a></li>'
        for m, a in portal.side_articles()
    )
    return _block("Tin mới nhất", f'\n  <ul class="block_news list-none list-items">{lis}\n  </ul>')


def _documents_block(portal: Portal) -> str:
    """The home page's "Văn bản mới": links into the legal-documents module, shaped like news."""
    lis = "".join(
        f'\n    <li><a href="{href(portal.document_path(d))}" title="{esc(d.title)}">{esc(d.number)}: {esc(d.title)}</a></li>'
        for d in reversed(portal.documents[-5:])
    )
    return _block("Văn bản mới", f'\n  <ul class="list-none list-items">{lis}\n  </ul>') if lis else ""


def _rss_links(portal: Portal, module: str | None) -> str:
    """``link rel=alternate`` for the module a page belongs to and each of its categories."""
    if module is None or not portal.is_news(module):
        return ""
    m = portal.module(module)
    links = [(portal.rss_path(module), m.title)] + [
        (portal.rss_path(module, c.alias), f"{m.title} - {c.name}") for c in m.site.categories
    ]
    return "\n".join(
        f'<link rel="alternate" href="{href(p)}" title="{esc(t)}" type="application/rss+xml">' for p, t in links
    )


def layout(
    portal: Portal, *, title: str, main: str, head: str = "", crumbs: list[tuple[str, str]] | None = None,
    module: str | None = None, func: str = "main", side: str = "",
) -> str:
    """The page shell (``header_only.tpl``, ``header_extended.tpl``, ``layout.main-right.tpl``)."""
    nv_module = module or portal.news[0].name
    return f"""<!DOCTYPE html>
<html lang="vi" xmlns="http://www.w3.org/1999/xhtml" prefix="og: http://ogp.me/ns#">
<head>
<title>{title}</title>
<meta name="generator" content="NukeViet v4.5">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{head}
{_rss_links(portal, module)}
<link rel="shortcut icon" href="/favicon.ico">
<link rel="stylesheet" href="/themes/default/css/style.css">
<script>var nv_base_siteurl="/",nv_lang_data="vi",nv_lang_interface="vi",nv_name_variable="nv",nv_fc_variable="op",nv_lang_variable="language",nv_module_name="{esc(nv_module)}",nv_func_name="{esc(func)}";</script>
</head>
<body>
<header>
  <div class="section-header"><div class="wraper"><div id="header">
    <div class="logo"><a title="{esc(portal.host_label)}" href="{href(portal.home_path())}"><img src="/uploads/logo.png" alt="{esc(portal.host_label)}"></a>
      <span class="site_name">{esc(portal.host_label)}</span></div>
  </div></div></div>
</header>
<nav class="second-nav" id="menusite"><div class="container"><div class="row"><div class="bg box-shadow">
<div class="navbar navbar-default navbar-static-top" role="navigation">
  <div class="collapse navbar-collapse" id="menu-site-default">
    <ul class="nav navbar-nav">
      {_menu(portal)}
    </ul>
  </div>
</div>
</div></div></div></nav>
<section><div class="container" id="body">
<nav class="third-nav"><div class="row"><div class="bg"><div class="clearfix"><div class="col-xs-24 col-sm-18 col-md-18">
  {_crumbs(portal, crumbs or [])}
</div></div></div></div></nav>
<div class="row">
<div class="col-sm-16 col-md-18">
{main}
</div>
<div class="col-sm-8 col-md-6">
{side}{_latest_block(portal)}
</div>
</div>
</div></section>
<footer><div class="container">
  <div class="copyright">© {esc(portal.host_label)}. Ghi rõ nguồn khi phát hành lại thông tin từ trang này.</div>
</div></footer>
</body>
</html>
"""


# ----- listings ----------------------------------------------------------------------------------


def pager(page_path: Callable[[int], str], page: int, last: int, title: str) -> str:
    """``ul.pagination > li.page-item > a.page-link``: numbers around the current page, ``«`` and
    ``»`` titled "Trang trước"/"Trang sau", no ``rel`` anywhere."""
    if last <= 1:
        return ""
    off = '<li class="page-item disabled"><a class="page-link" href="javascript:void(0)">{}</a></li>'
    lis = [
        f'<li class="page-item"><a class="page-link" title="Trang trước" href="{href(page_path(page - 1))}">&laquo;</a></li>'
        if page > 1 else off.format("&laquo;")
    ]
    prev = 0
    for n in sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)}):
        if n - prev > 1:
            lis.append('<li class="page-item disabled"><span>...</span></li>')
        if n == page:
            lis.append(f'<li class="page-item active"><a class="page-link" href="javascript:void(0)">{n}</a></li>')
        else:
            lis.append(f'<li class="page-item"><a class="page-link" title="{esc(title)} - Trang {n}" href="{href(page_path(n))}">{n}</a></li>')
        prev = n
    lis.append(
        f'<li class="page-item"><a class="page-link" title="Trang sau" href="{href(page_path(page + 1))}">&raquo;</a></li>'
        if page < last else off.format("&raquo;")
    )
    return '<div class="clearfix"></div>\n<div class="text-center">\n<ul class="pagination">' + "".join(lis) + "</ul>\n</div>"


def _page_item(portal: Portal, module: str, a: Article, featured: bool) -> str:
    """One article in ``viewcat_page.tpl``: thumbnail, title, time with seconds, views, lead."""
    link, t = href(portal.listing_path(module, a)), esc_title(a.title)
    img = ""
    if a.lead_image:
        img = (f'\n      <a href="{link}" title="{t}"><img alt="{esc(a.lead_image.alt)}" src="{esc(a.lead_image.thumb)}" '
               'width="100" class="img-thumbnail pull-left imghome" /></a>')
    tag, cls = ("h2", "panel-body featured") if featured else ("h3", "panel-body")
    return f"""  <div class="panel panel-default">
    <div class="{cls}">{img}
      <{tag}><a href="{link}" title="{t}">{t}</a></{tag}>
      <div class="text-muted">
        <ul class="list-unstyled list-inline">
          <li><em class="fa fa-clock-o">&nbsp;</em> {a.published:%d/%m/%Y %H:%M:%S}</li>
          <li><em class="fa fa-eye">&nbsp;</em> Đã xem: {_views(a.views)}</li>
          <li><em class="fa fa-comment-o">&nbsp;</em> Phản hồi: 0</li>
        </ul>
      </div>
      {esc(a.hometext)}
    </div>
  </div>"""


def viewcat_page(portal: Portal, module: str, arts: list[Article], others: list[Article], first_page: bool) -> str:
    """``viewcat_page.tpl``: items with dates and views, then "Các tin khác" with dates."""
    items = "\n".join(_page_item(portal, module, a, first_page and i == 0) for i, a in enumerate(arts))
    out = f'<div class="news_column">\n{items}\n</div>'
    if others:
        lis = "".join(
            f'\n  <li><em class="fa fa-angle-right">&nbsp;</em><a href="{href(portal.listing_path(module, a))}" '
            f'title="{esc_title(a.title)}">{esc_title(a.title)} <em>({a.published:%d/%m/%Y}) </em></a></li>'
            for a in others
        )
        out += f'\n<hr/>\n<h4>Các tin khác</h4>\n<ul class="related list-items">{lis}\n</ul>'
    return out


def viewcat_list(portal: Portal, module: str, arts: list[Article], start: int) -> str:
    """``viewcat_list.tpl``: numbered titles, no dates, no views."""
    items = "".join(
        f'\n  <a class="show h4" href="{href(portal.listing_path(module, a))}" title="{esc_title(a.title)}">'
        f'\n    <h4 class="list-group-item-heading"><span class="label label-default">{start + i}</span>&nbsp;&nbsp;{esc_title(a.title)}</h4>\n  </a>'
        for i, a in enumerate(arts, start=0)
    )
    return f'<div class="list-group">{items}\n</div>'


def _listing(portal: Portal, module: str, layout_name: str, all_arts: list[Article], page: int) -> str:
    per = portal.per_page
    arts = all_arts[(page - 1) * per: page * per]
    if layout_name == "list":
        return viewcat_list(portal, module, arts, (page - 1) * per + 1)
    others = all_arts[page * per: page * per + portal.site.other_links]
    return viewcat_page(portal, module, arts, others, page == 1)


def render_category(portal: Portal, module: str, cat: Category, page: int, base: str) -> str:
    """A category's page ``page`` (it exists) in the category's layout, with its pager."""
    m = portal.module(module)
    last = m.site.page_count(cat.alias)
    path = portal.category_path(module, cat.alias, page)
    main = _listing(portal, module, portal.category_layout(module, cat.alias), m.site.category_articles(cat.alias), page)
    main += "\n" + pager(lambda n: portal.category_path(module, cat.alias, n), page, last, cat.name)
    title = esc(cat.name) + (f" - Trang {page}" if page > 1 else "") + f" - {esc(m.title)} - {esc(portal.host_label)}"
    head = f'<link rel="canonical" href="{href(base + path)}">'
    crumbs = [(m.title, portal.module_path(module)), (cat.name, portal.category_path(module, cat.alias))]
    return layout(portal, title=title, main=main, head=head, crumbs=crumbs, module=module, func="viewcat")


def render_module(portal: Portal, module: str, page: int, base: str) -> str:
    """A news module's main page ``page``: every article of the module, newest first."""
    m = portal.module(module)
    main = _listing(portal, module, m.layout, portal.module_articles(module), page)
    main += "\n" + pager(lambda n: portal.module_path(module, n), page, portal.module_page_count(module), m.title)
    title = esc(m.title) + (f" - Trang {page}" if page > 1 else "") + f" - {esc(portal.host_label)}"
    head = f'<link rel="canonical" href="{href(base + portal.module_path(module, page))}">'
    return layout(portal, title=title, main=main, head=head, crumbs=[(m.title, portal.module_path(module))], module=module)


def render_home(portal: Portal, base: str) -> str:
    """The home page: the home module's main page 1 (its pager leads into the module's page 2),
    the menu of every module, the newest legal documents aside."""
    m = portal.news[0]
    main = _listing(portal, m.name, m.layout, portal.module_articles(m.name), 1)
    main += "\n" + pager(lambda n: portal.module_path(m.name, n), 1, portal.module_page_count(m.name), m.title)
    head = f'<link rel="canonical" href="{href(base + portal.home_path())}">'
    return layout(portal, title=esc(portal.host_label), main=main, head=head, module=m.name, side=_documents_block(portal) + "\n")


def render_tag(portal: Portal, module: str, alias: str, base: str) -> str:
    """``tag/<alias>``: the module's articles with that keyword, titles and dates."""
    site = portal.module(module).site
    tag = site.tags[alias]
    main = f'<h1>{esc(tag.name)}</h1>\n' + viewcat_page(portal, module, site.tag_articles(alias), [], False)
    head = f'<link rel="canonical" href="{href(base + portal.tag_path(module, alias))}">'
    m = portal.module(module)
    crumbs = [(m.title, portal.module_path(module)), (tag.name, portal.tag_path(module, alias))]
    return layout(portal, title=f"{esc(tag.name)} - {esc(portal.host_label)}", main=main, head=head, crumbs=crumbs,
                  module=module, func="tag")


# ----- article -----------------------------------------------------------------------------------


def _lead_figure(a: Article) -> str:
    """``detail.tpl``'s home image with its note: a figure *beside* ``.hometext``."""
    img = a.lead_image
    if img is None:
        return ""
    return (
        '<figure class="article left pointer" onclick="modalShowByObj(\'#imgpreview\');">\n'
        '                <div style="width:460px;">\n'
        f'                    <p class="text-center"><img alt="{esc(img.alt)}" src="{esc(img.path)}" class="img-thumbnail"/></p>\n'
        f"                    <figcaption>{esc(img.caption)}</figcaption>\n"
        "                </div>\n            </figure>\n            "
    )


def _related_block(portal: Portal, module: str, a: Article) -> str:
    """``detail.tpl``'s others: ``p.h3 > strong`` over ``ul.detail-related``, each item
    ``em.fa + h4 > a`` and the date in an ``<em>`` after the ``h4``."""
    site = portal.module(module).site
    parts = []
    for label, lst in (("Những tin mới hơn", site.newer_in_category(a)), ("Những tin cũ hơn", site.older_in_category(a))):
        if not lst:
            continue
        lis = "".join(
            f'\n                <li>\n                    <em class="fa fa-angle-right">&nbsp;</em>\n'
            f'                    <h4><a href="{href(portal.article_path(module, r))}" title="{esc_title(r.title)}">{esc_title(r.title)}</a></h4>\n'
            f"                    <em>({r.published:%d/%m/%Y})</em>\n                </li>"
            for r in lst
        )
        parts.append(
            f'        <p class="h3"><strong>{label}</strong></p>\n        <div class="clearfix">\n'
            f'            <ul class="detail-related related list-none list-items">{lis}\n            </ul>\n        </div>'
        )
    if not parts:
        return ""
    inner = "\n".join(parts)
    return f'<div class="news_column panel panel-default">\n    <div class="panel-body other-news">\n{inner}\n    </div>\n</div>'


def _author_block(a: Article) -> str:
    ps = "".join(
        f'\n            <p class="h5 text-right">\n                <strong>{label}: </strong>{esc(value)}\n            </p>'
        for label, value in (("Tác giả", a.author), ("Nguồn tin", a.source)) if value
    )
    return f'<div class="margin-bottom-lg">{ps}\n        </div>' if ps else ""


def _tags_block(portal: Portal, module: str, a: Article) -> str:
    if not a.tags:
        return ""
    links = ", ".join(
        f'<a title="{esc(t.name)}" href="{href(portal.tag_path(module, t.alias))}"><em>{esc(t.name)}</em></a>' for t in a.tags
    )
    return (
        '<div class="news_column panel panel-default">\n    <div class="panel-body">\n        <div class="h5">\n'
        f'            <em class="fa fa-tags">&nbsp;</em><strong>Từ khóa: </strong>{links}\n'
        "        </div>\n    </div>\n</div>"
    )


def render_article(portal: Portal, module: str, a: Article, base: str) -> str:
    """``detail.tpl``: the canonical link names the article's own address in the scheme."""
    url = base + portal.article_path(module, a)
    m, cat = portal.module(module), a.category
    og_image = f'<meta property="og:image" content="{esc(base + a.images[0].path)}">\n' if a.images else ""
    head = (
        f'<meta name="description" content="{esc(a.hometext)}">\n'
        f'<meta property="og:title" content="{esc_title(a.title)}">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:url" content="{href(url)}">\n{og_image}'
        f'<meta property="article:published_time" content="{a.published:%Y-%m-%d}+07{a.published:%H:%M:%S}">\n'
        f'<meta property="article:section" content="{esc(cat.name)}">\n'
        f'<link rel="canonical" href="{href(url)}">'
    )
    print_path, save_path = portal.view_path(module, a, "print"), portal.view_path(module, a, "savefile")
    main = f"""<div class="news_column panel panel-default" itemtype="http://schema.org/NewsArticle" itemscope>
    <div class="panel-body">
        <h1 class="title margin-bottom-lg" itemprop="headline">{esc_title(a.title)}</h1>
        <div class="hidden hide d-none" itemprop="author" itemtype="http://schema.org/Person" itemscope>
            <span itemprop="name">{esc(a.author or portal.host_label)}</span>
        </div>
        <span class="hidden hide d-none" itemprop="datePublished">{a.edited.isoformat()}</span>
        <span class="hidden hide d-none" itemprop="dateModified">{a.edited.isoformat()}</span>
        <span class="hidden hide d-none" itemprop="mainEntityOfPage">{href(url)}</span>
        <div class="row margin-bottom-lg">
            <div class="col-md-12">
                <span class="h5">{visible_date(a)}</span>
            </div>
            <div class="col-md-12">
                <ul class="list-inline text-right">
                    <li><a class="dimgray" rel="nofollow" title="In ra" href="javascript: void(0)" onclick="nv_open_browse('{href(print_path)}','{esc_title(a.title)}',840,500,'resizable=yes,scrollbars=yes,toolbar=no,location=no,status=no');return false"><em class="fa fa-print fa-lg">&nbsp;</em></a></li>
                    <li><a class="dimgray" rel="nofollow" title="Lưu bài viết này" href="{href(save_path)}"><em class="fa fa-save fa-lg">&nbsp;</em></a></li>
                </ul>
            </div>
        </div>
        <div class="clearfix">
            {_lead_figure(a)}<div class="hometext m-bottom" itemprop="description">{esc(a.hometext)}</div>
        </div>
        <div id="news-bodyhtml" class="bodytext margin-bottom-lg">
            {body_html(a)}
        </div>
        {_author_block(a)}
    </div>
</div>
{_tags_block(portal, module, a)}
{_related_block(portal, module, a)}"""
    title = f"{esc_title(a.title)} - {esc(cat.name)} - {esc(m.title)} - {esc(portal.host_label)}"
    crumbs = [(m.title, portal.module_path(module)), (cat.name, portal.category_path(module, cat.alias))]
    return layout(portal, title=title, main=main, head=head, crumbs=crumbs, module=module, func="detail")


def render_print(portal: Portal, module: str, a: Article, base: str, kind: str = "print") -> str:
    """``print.tpl`` (print and savefile alike): the home image and its note inside ``#hometext``
    before the lead, and the article's address as plain text after "URL của bản tin này:"."""
    url = base + portal.article_path(module, a)
    own = base + portal.view_path(module, a, kind)
    img = a.lead_image
    imghome = ""
    if img:
        imghome = (
            f'\n\t\t\t<div class="pull-left imghome">\n\t\t\t\t<img alt="{esc(img.alt)}" src="{esc(img.path)}" width="460" class="img-thumbnail" />'
            f"\n\t\t\t\t<p>\n\t\t\t\t\t<em>{esc(img.caption)}</em>\n\t\t\t\t</p>\n\t\t\t</div>"
        )
    author = "".join(
        f"\n\t\t\t<p>\n\t\t\t\t<strong>{label}:</strong>\n\t\t\t\t{esc(value)}\n\t\t\t</p>"
        for label, value in (("Tác giả", a.author), ("Nguồn tin", a.source)) if value
    )
    author_div = f'\n\t\t<div id="author">{author}\n\t\t</div>' if author else ""
    t = esc_title(a.title)
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{t}</title>
<meta name="robots" content="index, archive, follow">
<link rel="canonical" href="{href(own)}">
<link rel="stylesheet" href="/themes/default/css/style.css">
</head>
<body>
<style type="text/css">
	body{{background: #fff;}}
</style>
<div id="print">
	<div id="hd_print">
		<h2 class="pull-left">{esc(portal.host_label)}</h2>
		<p class="pull-right"><a title="{esc(portal.host_label)}" href="{href(base)}/">{esc(base)}</a></p>
	</div>
	<div class="clear"></div>
	<hr />
	<div id="content">
		<h1>{t}</h1>
		<ul class="list-inline">
			<li>{visible_date(a)}</li>
			<li class="hidden-print txtrequired"><em class="fa fa-print">&nbsp;</em><a title="In ra" href="javascript:;" onclick="window.print()">In ra</a></li>
			<li class="hidden-print txtrequired"><em class="fa fa-power-off">&nbsp;</em><a title="Đóng cửa sổ này" href="javascript:;" onclick="window.close()">Đóng cửa sổ này</a></li>
		</ul>
		<div class="clear"></div>
		<div id="hometext">{imghome}
			{esc(a.hometext)}
		</div>
		<div id="bodytext" class="clearfix">
			{body_html(a)}
		</div>{author_div}
	</div>
	<div id="footer" class="clearfix">
		<div id="url">
			<strong>URL của bản tin này: </strong>{href(url)}
		</div>
		<div class="clear"></div>
		<div class="copyright">
			&copy; {esc(portal.host_label)}
		</div>
	</div>
</div>
</body>
</html>
"""


# ----- modules that are not news -----------------------------------------------------------------


def render_about_list(portal: Portal, base: str) -> str:
    """The page module's main page: its items."""
    title = portal.other_modules[PAGE_MODULE][1]
    lis = "".join(f'\n    <li><a href="{href(portal.about_path(p))}" title="{esc(p.title)}">{esc(p.title)}</a></li>' for p in portal.about)
    main = f'<div class="page panel panel-default"><div class="panel-body">\n  <h1>{esc(title)}</h1>\n  <ul class="list-items">{lis}\n  </ul>\n</div></div>'
    head = f'<link rel="canonical" href="{href(base + portal.module_path(PAGE_MODULE))}">'
    return layout(portal, title=f"{esc(title)} - {esc(portal.host_label)}", main=main, head=head,
                  crumbs=[(title, portal.module_path(PAGE_MODULE))], module=PAGE_MODULE)


def render_about(portal: Portal, item: AboutPage, base: str) -> str:
    """A page module item (``modules/page/main.tpl``): a headline and a body like an article's."""
    title = portal.other_modules[PAGE_MODULE][1]
    paras = "\n            ".join(f"<p>{esc(p)}</p>" for p in item.paragraphs)
    main = f"""<div class="page panel panel-default" itemtype="http://schema.org/Article" itemscope>
    <div class="panel-body">
        <h1 class="title margin-bottom-lg" itemprop="headline">{esc(item.title)}</h1>
        <div class="clear"></div>
        <div id="page-bodyhtml" class="bodytext margin-bottom-lg">
            {paras}
        </div>
    </div>
</div>"""
    path = portal.about_path(item)
    head = f'<link rel="canonical" href="{href(base + path)}">'
    return layout(portal, title=f"{esc(item.title)} - {esc(portal.host_label)}", main=main, head=head,
                  crumbs=[(title, portal.module_path(PAGE_MODULE)), (item.title, path)], module=PAGE_MODULE)


def render_laws(portal: Portal, page: int, base: str) -> str:
    """The legal-documents module's list, newest first, with its own pager."""
    title = portal.other_modules[LAWS_MODULE][1]
    per = portal.documents_per_page
    docs = list(reversed(portal.documents))[(page - 1) * per: page * per]
    rows = "".join(
        f'\n      <tr><td><a href="{href(portal.document_path(d))}">{esc(d.number)}</a></td><td>{d.issued:%d/%m/%Y}</td>'
        f'<td><a href="{href(portal.document_path(d))}" title="{esc(d.title)}">{esc(d.title)}</a></td></tr>'
        for d in docs
    )
    main = (
        f'<div class="laws">\n  <h1>{esc(title)}</h1>\n  <table class="table table-striped table-bordered">\n'
        f"    <thead><tr><th>Số hiệu</th><th>Ngày ban hành</th><th>Trích yếu</th></tr></thead>\n    <tbody>{rows}\n    </tbody>\n"
        "  </table>\n</div>\n" + pager(portal.laws_path, page, portal.laws_page_count(), title)
    )
    head = f'<link rel="canonical" href="{href(base + portal.laws_path(page))}">'
    return layout(portal, title=f"{esc(title)} - {esc(portal.host_label)}", main=main, head=head,
                  crumbs=[(title, portal.laws_path())], module=LAWS_MODULE)


def render_document(portal: Portal, doc: Document, base: str) -> str:
    """One legal document's page: its particulars in a table, no article markup."""
    title = portal.other_modules[LAWS_MODULE][1]
    rows = "".join(
        f"\n      <tr><th>{k}</th><td>{esc(v)}</td></tr>"
        for k, v in (("Số hiệu", doc.number), ("Loại văn bản", doc.kind), ("Ngày ban hành", f"{doc.issued:%d/%m/%Y}"),
                     ("Người ký", doc.signer), ("Trích yếu", doc.title))
    )
    main = (
        f'<div class="laws detail">\n  <h1>{esc(doc.title)}</h1>\n  <table class="table table-bordered">{rows}\n  </table>\n'
        f"  <p>{esc(doc.kind)} có hiệu lực kể từ ngày ký. Các đơn vị, cá nhân liên quan chịu trách nhiệm thi hành.</p>\n</div>"
    )
    path = portal.document_path(doc)
    head = f'<link rel="canonical" href="{href(base + path)}">'
    return layout(portal, title=f"{esc(doc.number)} - {esc(portal.host_label)}", main=main, head=head,
                  crumbs=[(title, portal.laws_path()), (doc.number, path)], module=LAWS_MODULE, func="detail")


def render_contact(portal: Portal, base: str) -> str:
    title = portal.other_modules[CONTACT_MODULE][1]
    path = portal.module_path(CONTACT_MODULE)
    lines = "".join(f"\n  <p>{esc(line)}</p>" for line in W.CONTACT_LINES)
    main = (
        f'<div class="contact panel panel-default"><div class="panel-body">\n  <h1>{esc(title)}</h1>{lines}\n'
        f'  <form method="post" action="{href(path)}"><input type="text" name="ftitle" placeholder="Tiêu đề">'
        '<textarea name="fcon"></textarea><button type="submit">Gửi</button></form>\n</div></div>'
    )
    head = f'<link rel="canonical" href="{href(base + path)}">'
    return layout(portal, title=f"{esc(title)} - {esc(portal.host_label)}", main=main, head=head,
                  crumbs=[(title, path)], module=CONTACT_MODULE)


def render_not_found(portal: Portal) -> str:
    main = '<div class="alert alert-danger">Không tìm thấy trang bạn yêu cầu (404).</div>'
    return layout(portal, title=f"Lỗi 404 - {esc(portal.host_label)}", main=main)


# ----- feeds -------------------------------------------------------------------------------------

_XML = '<?xml version="1.0" encoding="UTF-8"?>'
_SCHEMA = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def render_sitemap_index(portal: Portal, base: str) -> str:
    """NukeViet's sitemap index (``nv_xmlSitemapIndex_generate``): one entry per module with a
    sitemap, in the form the server's rewriting gives it."""
    locs = "".join(f"<sitemap><loc>{xesc(base + portal.sitemap_path(m))}</loc></sitemap>" for m in portal.sitemap_modules())
    return (f'{_XML}<?xml-stylesheet type="text/xsl" href="/assets/css/sitemapindex.xsl"?>'
            f"<sitemapindex {_SCHEMA}>{locs}</sitemapindex>")


def _urlset(entries: list[tuple[str, str]]) -> str:
    urls = "".join(
        f"<url><loc>{xesc(loc)}</loc><lastmod>{lastmod}</lastmod><changefreq>daily</changefreq><priority>0.8</priority></url>"
        for loc, lastmod in entries
    )
    return f'{_XML}<?xml-stylesheet type="text/xsl" href="/assets/css/sitemap.xsl"?><urlset {_SCHEMA}>{urls}</urlset>'


def render_sitemap(portal: Portal, module: str, base: str) -> str | None:
    """A module's sitemap: a news module's newest 1,000 articles, the page module's items, the
    legal documents; None for a module without one."""
    if portal.is_news(module):
        site = portal.module(module).site
        return _urlset([(base + portal.article_path(module, a), a.edited.isoformat()) for a in site.latest(SITEMAP_LIMIT)])
    if module == PAGE_MODULE:
        return _urlset([(base + portal.about_path(p), "2022-01-10T08:00:00+07:00") for p in portal.about])
    if module == LAWS_MODULE:
        return _urlset([(base + portal.document_path(d), d.issued.isoformat()) for d in reversed(portal.documents)])
    return None


def render_rss(portal: Portal, module: str, cat: Category | None, base: str) -> str:
    """A news module's RSS (``rss`` and ``rss/<cat>``): newest 30, summaries only; ``pubDate``
    carries NukeViet's month-for-minutes bug."""
    m = portal.module(module)
    arts = (m.site.category_articles(cat.alias) if cat else m.site.latest())[:RSS_LIMIT]
    title = f"{portal.host_label} - {m.title}" + (f" - {cat.name}" if cat else "")
    link = base + (portal.category_path(module, cat.alias) if cat else portal.module_path(module))
    items = "".join(
        f"<item><title>{xesc(a.title)}</title><link>{xesc(base + portal.article_path(module, a))}</link>"
        f'<guid isPermaLink="false">{a.category.alias}_{a.id}</guid>'
        f"<description><![CDATA[{a.hometext}]]></description><pubDate>{rss_pubdate(a)}</pubDate></item>\n"
        for a in arts
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
        f"<title>{xesc(title)}</title><link>{xesc(link)}</link><description>{xesc(title)}</description>"
        f"<language>vi</language><generator>NukeViet v4.5</generator>\n{items}</channel>\n</rss>\n"
    )
