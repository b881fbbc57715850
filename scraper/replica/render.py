"""Pure functions turning the site model into the NukeViet 4.5 default-theme markup.

The project's page objects are written against /tmp/brief/nukeviet-markup.md, so the
markup here follows it element for element; only the content varies. Every function
takes the site and the server's base URL and returns text, so tests can render pages
without a server. Feeds (sitemap, RSS, robots.txt) live in ``feeds.py``.
"""

from __future__ import annotations

from html import escape

from .feeds import render_robots, render_rss, render_sitemap_index, render_sitemap_news
from .site import Article, Category, Image, Site

__all__ = [
    "WEEKDAYS", "body_html", "render_article", "render_category", "render_home",
    "render_not_found", "render_print", "render_robots", "render_rss",
    "render_sitemap_index", "render_sitemap_news", "render_tag", "visible_date",
]

#: Monday first, as ``datetime.weekday()`` counts.
WEEKDAYS = ["Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật"]


def esc(s: str) -> str:
    return escape(s, quote=True)


def esc_title(s: str) -> str:
    """Titles are stored entity-encoded by NukeViet, ``/`` included (seen: ``&#x002F;``)."""
    return escape(s, quote=True).replace("/", "&#x002F;")


def visible_date(a: Article) -> str:
    """``Thứ ba - 05/12/2023 10:15``: the date a crawler should trust."""
    return f"{WEEKDAYS[a.published.weekday()]} - {a.published:%d/%m/%Y %H:%M}"


def _day(a: Article) -> str:
    return f"{a.published:%d/%m/%Y}"


def _views(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _menu(site: Site) -> str:
    items = ['<li><a href="/" title="Trang chủ">Trang chủ</a></li>']
    items += [f'<li><a href="/{c.alias}/" title="{esc(c.name)}">{esc(c.name)}</a></li>' for c in site.categories]
    return "\n  ".join(items)


def _crumbs(crumbs: list[tuple[str, str]]) -> str:
    out = []
    for pos, (name, href) in enumerate([("Trang chủ", "/"), *crumbs], start=1):
        out.append(
            '<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">'
            f'<a href="{esc(href)}" itemprop="item" title="{esc(name)}"><span itemprop="name">{esc(name)}</span></a>'
            f'<i class="hidden" itemprop="position" content="{pos}"></i></li>'
        )
    return "\n    ".join(out)


def _side(site: Site) -> str:
    lis = "".join(
        f'\n     <li><a href="{site.article_url_path(a)}" title="{esc_title(a.title)}">{esc_title(a.title)}</a></li>'
        for a in site.latest(site.latest_count)
    )
    return (
        '<div class="panel panel-primary"><div class="panel-heading">Tin mới nhất</div>'
        f'<div class="panel-body"><ul>{lis}\n  </ul></div></div>'
    )


def _layout(
    site: Site, *, title: str, main: str, head: str = "", crumbs: list[tuple[str, str]] | None = None
) -> str:
    """The page shell: head, header with the category menu, hidden breadcrumbs, columns, footer."""
    return f"""<!DOCTYPE html>
<html lang="vi" xmlns="http://www.w3.org/1999/xhtml" prefix="og: http://ogp.me/ns#">
<head>
<meta charset="utf-8">
<title>{title}</title>
<meta name="generator" content="NukeViet v4.5">
<meta name="robots" content="index, archive, follow">
{head}
<link rel="StyleSheet" href="/themes/default/css/news.css">
</head>
<body>
<header><div class="logo"><a href="/"><img src="/themes/dantri/images/logo.svg" alt="{esc(site.host_label)}"></a></div>
<nav><ul class="nav navbar-nav" id="menu-site-default">
  {_menu(site)}
</ul></nav></header>
<div class="breadcrumbs-wrap">
  <div class="display"><ul class="breadcrumbs list-none"></ul></div>
  <ul class="temp-breadcrumbs hidden" itemscope itemtype="https://schema.org/BreadcrumbList">
    {_crumbs(crumbs or [])}
  </ul>
</div>
<div class="col-md-16">
{main}
</div>
<div class="col-md-8">
  {_side(site)}
</div>
<footer><div class="copyright">© {esc(site.host_label)}</div></footer>
</body></html>
"""


# ----- article ------------------------------------------------------------------------


def _body_image(img: Image) -> str:
    src, alt, cap = esc(img.path), esc(img.alt), esc(img.caption)
    if img.style == "figure":
        return f'<figure class="image"><img alt="{alt}" src="{src}"><figcaption>{cap}</figcaption></figure>'
    if img.style == "em":
        return (
            f'<p style="text-align:center"><img alt="{alt}" src="{src}"></p>\n'
            f'<p style="text-align:center"><em>{cap}</em></p>'
        )
    return (
        f'<table class="image"><tr><td><img src="{src}" alt="{alt}"></td></tr>'
        f"<tr><td>{cap}</td></tr></table>"
    )


def body_html(a: Article) -> str:
    """The ``#news-bodyhtml`` content: paragraphs, images by caption style, one ENTER_BR pair."""
    out: list[str] = []
    i, n = 0, len(a.paragraphs)
    while i < n:
        if a.br_join == i and i + 1 < n:
            out.append(f"<p>{esc(a.paragraphs[i])}<br><br>{esc(a.paragraphs[i + 1])}</p>")
            last = i + 1
        else:
            out.append(f"<p>{esc(a.paragraphs[i])}</p>")
            last = i
        for j in range(i, last + 1):
            out += [_body_image(img) for img in a.body_images if img.after == j]
        i = last + 1
    return "\n      ".join(out)


def _lead_figure(a: Article) -> str:
    img = a.lead_image
    if img is None:
        return ""
    return (
        f'<figure class="article left pointer"><img alt="{esc(img.alt)}" src="{esc(img.path)}" '
        f'width="460" class="img-thumbnail"><figcaption>{esc(img.caption)}</figcaption></figure>\n      '
    )


def _author_block(a: Article) -> str:
    ps = []
    if a.author:
        ps.append(f'<p class="h5 text-right"><strong>Tác giả: </strong>{esc(a.author)}</p>')
    if a.source:
        ps.append(f'<p class="h5 text-right"><strong>Nguồn tin: </strong>{esc(a.source)}</p>')
    return f'<div class="margin-bottom-lg">\n      {"".join(ps)}\n    </div>' if ps else ""


def _tags_block(a: Article) -> str:
    if not a.tags:
        return ""
    links = ", ".join(
        f'<a title="{esc(t.name)}" href="/tag/{esc(t.alias)}"><em>{esc(t.name)}</em></a>' for t in a.tags
    )
    return (
        '<div class="news_column panel panel-default">\n  <div class="panel-body">\n'
        '    <div class="h5"><em class="fa fa-tags">&nbsp;</em><strong>Từ khóa: </strong>'
        f'<span itemprop="keywords">{links}</span></div>\n  </div>\n</div>'
    )


def _related_block(site: Site, a: Article) -> str:
    parts = []
    lists = (("Những tin mới hơn", site.newer_in_category(a)), ("Những tin cũ hơn", site.older_in_category(a)))
    for label, lst in lists:
        if not lst:
            continue
        lis = "".join(
            f'\n      <li><em class="fa fa-angle-right">&nbsp;</em><h4><a href="{site.article_url_path(r)}" '
            f'title="{esc_title(r.title)}">{esc_title(r.title)}</a> <em>({_day(r)})</em></h4></li>'
            for r in lst
        )
        parts.append(
            f'    <p class="h3"><strong>{label}</strong></p>\n'
            f'    <div class="clearfix"><ul class="detail-related related list-none list-items">{lis}\n    </ul></div>'
        )
    if not parts:
        return ""
    inner = "\n".join(parts)
    return (
        '<div class="news_column panel panel-default">\n  <div class="panel-body other-news">\n'
        f"{inner}\n  </div>\n</div>"
    )


def render_article(site: Site, a: Article, base: str) -> str:
    """The article page; its canonical link is always the clean address, even under /index.php/."""
    url = base + site.article_url_path(a)
    cat = a.category
    og_image = f'<meta property="og:image" content="{esc(base + a.images[0].path)}">\n' if a.images else ""
    head = (
        f'<meta name="description" content="{esc(a.hometext)}">\n'
        f'<meta property="og:title" content="{esc_title(a.title)}">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:url" content="{esc(url)}">\n{og_image}'
        f'<meta property="article:published_time" content="{a.published:%Y-%m-%d}+07{a.published:%H:%M:%S}">\n'
        f'<meta property="article:section" content="{esc(cat.name)}">\n'
        f'<link rel="canonical" href="{esc(url)}">'
    )
    main = f"""<div class="news_column panel panel-default" itemtype="http://schema.org/NewsArticle" itemscope>
  <div class="panel-body">
    <h1 class="title margin-bottom-lg" itemprop="headline">{esc_title(a.title)}</h1>
    <div class="row margin-bottom-lg">
      <div class="col-md-12"><span class="h5">{visible_date(a)}</span></div>
    </div>
    <span class="hidden hide d-none" itemprop="datePublished">{a.edited.isoformat()}</span>
    <div class="clearfix">
      {_lead_figure(a)}<div class="hometext m-bottom" itemprop="description">{esc(a.hometext)}</div>
    </div>
    <div id="news-bodyhtml" class="bodytext margin-bottom-lg">
      {body_html(a)}
    </div>
    {_author_block(a)}
  </div>
</div>
{_tags_block(a)}
{_related_block(site, a)}"""
    title = f"{esc_title(a.title)} - {esc(cat.name)} - {esc(site.host_label)}"
    return _layout(site, title=title, main=main, head=head, crumbs=[(cat.name, f"/{cat.alias}/")])


_PRINT_LI = (
    '<li class="hidden-print txtrequired"><a title="In ra" href="javascript:;" onclick="window.print()">In ra</a></li>'
)


def render_print(site: Site, a: Article, base: str, kind: str = "print") -> str:
    """Print and savefile views (same markup); canonical is the view's own address."""
    url = base + site.article_url_path(a)
    own = base + site.print_url_path(a, kind)
    img = a.lead_image
    imghome = ""
    if img:
        imghome = (
            f'<div class="imghome"><img alt="{esc(img.alt)}" src="{esc(img.path)}" width="460">'
            f"<p>{esc(img.caption)}</p></div>\n  "
        )
    author = "".join(
        f"<p><strong>{label}</strong>{esc(v)}</p>"
        for label, v in (("Tác giả: ", a.author), ("Nguồn tin: ", a.source)) if v
    )
    author_div = f'<div id="author">{author}</div>\n' if author else ""
    t = esc_title(a.title)
    url_link = f'<a href="{esc(url)}" title="{t}">{esc(url)}</a>'
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{t}</title><link rel="canonical" href="{esc(own)}"></head>
<body><div id="print"><div id="hd_print"><h2>{esc(site.host_label)}</h2></div>
<div id="content">
  <h1>{t}</h1>
  <ul class="list-inline"><li>{visible_date(a)}</li>{_PRINT_LI}</ul>
  <div class="clear"></div>
  <div id="hometext">{esc(a.hometext)}</div>
  {imghome}<div id="bodytext" class="clearfix">{body_html(a)}</div>
  {author_div}</div>
<div id="footer" class="clearfix"><div id="url"><strong>URL của bản tin này: </strong>{url_link}</div>
<div class="copyright">&copy; {esc(site.host_label)}</div></div>
</div></body></html>
"""


# ----- listings -----------------------------------------------------------------------


def _item(site: Site, a: Article, tag: str) -> str:
    href, t = site.listing_url_path(a), esc_title(a.title)
    thumb = ""
    if a.lead_image:
        thumb = (
            f'\n    <a href="{href}" title="{t}"><img alt="{t}" src="{esc(a.lead_image.thumb)}" '
            'width="100" class="img-thumbnail pull-left imghome"></a>'
        )
    return f"""  <div class="panel panel-default clearfix"><div class="panel-body">
    <{tag}><a href="{href}" title="{t}">{t}</a></{tag}>
    <div class="text-muted"><ul class="list-unstyled list-inline">
      <li><em class="fa fa-clock-o">&nbsp;</em> {a.published:%d/%m/%Y %H:%M:%S}</li>
      <li><em class="fa fa-eye">&nbsp;</em> Đã xem: {_views(a.views)}</li>
      <li><em class="fa fa-comment-o">&nbsp;</em> Phản hồi: 0</li>
    </ul></div>{thumb}
    <p>{esc(a.hometext)}</p>
  </div></div>"""


def _items(site: Site, arts: list[Article]) -> str:
    return "\n".join(_item(site, a, "h2" if i == 0 else "h3") for i, a in enumerate(arts))


def _others(site: Site, arts: list[Article]) -> str:
    if not arts:
        return ""
    lis = "".join(
        f'\n   <li><em class="fa fa-angle-right">&nbsp;</em><a href="{site.listing_url_path(a)}" '
        f'title="{esc_title(a.title)}">{esc_title(a.title)}</a> <em>({_day(a)})</em></li>'
        for a in arts
    )
    return (
        '<div class="news_column"><div class="panel panel-default"><div class="panel-heading">'
        f'<strong>Các tin khác</strong></div><div class="panel-body"><ul class="related">{lis}\n'
        "</ul></div></div></div>"
    )


def _pager(site: Site, alias: str, page: int, last: int) -> str:
    if last <= 1:
        return ""
    path = site.category_page_path
    lis = []
    if page > 1:
        lis.append(f'<li><a href="{path(alias, page - 1)}">«</a></li>')
    shown = sorted({1, last, *range(max(1, page - 3), min(last, page + 3) + 1)})
    prev = 0
    for p in shown:
        if p - prev > 1:
            lis.append('<li class="disabled"><span>...</span></li>')
        if p == page:
            lis.append(f'<li class="active"><a href="#">{p}</a></li>')
        else:
            lis.append(f'<li><a href="{path(alias, p)}">{p}</a></li>')
        prev = p
    if page < last:
        lis.append(f'<li><a rel="next" href="{path(alias, page + 1)}">»</a></li>')
    return '<div class="text-center"><ul class="pagination">\n  ' + "".join(lis) + "\n</ul></div>"


def render_category(site: Site, cat: Category, page: int, base: str) -> str:
    """Category page ``page`` (1-based, must exist); "Các tin khác" lists the next items."""
    last = site.page_count(cat.alias)
    path = site.category_page_path
    head = [f'<link rel="canonical" href="{esc(base + path(cat.alias, page))}">']
    if page > 1:
        head.append(f'<link rel="prev" href="{path(cat.alias, page - 1)}">')
    if page < last:
        head.append(f'<link rel="next" href="{path(cat.alias, page + 1)}">')
    arts = site.category_page(cat.alias, page)
    start = page * site.per_page
    others = site.category_articles(cat.alias)[start : start + site.other_links]
    main = (
        f'<div class="news_column">\n{_items(site, arts)}\n</div>\n'
        f"{_others(site, others)}\n{_pager(site, cat.alias, page, last)}"
    )
    title = esc(cat.name) + (f" - Trang {page}" if page > 1 else "") + f" - {esc(site.host_label)}"
    return _layout(site, title=title, main=main, head="\n".join(head), crumbs=[(cat.name, f"/{cat.alias}/")])


def render_home(site: Site, base: str) -> str:
    """Home: the menu plus the newest articles as listing items."""
    head = f'<link rel="canonical" href="{esc(base)}/">'
    main = f'<div class="news_column">\n{_items(site, site.latest(site.latest_count))}\n</div>'
    return _layout(site, title=esc(site.host_label), main=main, head=head)


def render_tag(site: Site, alias: str, base: str) -> str:
    """``/tag/<alias>``: every article with the keyword, newest first, no pager."""
    tag = site.tags[alias]
    head = f'<link rel="canonical" href="{esc(base)}/tag/{esc(alias)}">'
    items = _items(site, site.tag_articles(alias))
    main = f'<h1>Từ khóa: {esc(tag.name)}</h1>\n<div class="news_column">\n{items}\n</div>'
    return _layout(
        site, title=f"{esc(tag.name)} - {esc(site.host_label)}", main=main, head=head,
        crumbs=[(tag.name, f"/tag/{alias}")],
    )


def render_not_found(site: Site, base: str) -> str:
    main = '<div class="alert alert-danger">Không tìm thấy trang bạn yêu cầu (404).</div>'
    return _layout(site, title=f"Lỗi 404 - {esc(site.host_label)}", main=main)
