"""Sitemap, RSS and robots.txt as NukeViet 4.5 generates them, traps included.

Kept apart from the HTML renderer because they are XML/text with their own rules:
the sitemap holds only the newest 1,000 articles and the RSS ``pubDate`` carries
the month in its minutes field (a bug in the CMS), which crawlers must not trust.
"""

from __future__ import annotations

from datetime import UTC
from xml.sax.saxutils import escape as xesc

from .site import Article, Category, Site

SITEMAP_LIMIT = 1000
RSS_LIMIT = 30
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
ROBOTS_DISALLOW = ["/data/", "/includes/", "/install/", "/modules/", "/robots.php", "/web.config"]


def render_robots(base: str) -> str:
    lines = ["User-agent: *", *(f"Disallow: {p}" for p in ROBOTS_DISALLOW), f"Sitemap: {base}/sitemap.xml"]
    return "\n".join(lines) + "\n"


def render_sitemap_index(site: Site, base: str) -> str:
    newest = site.latest(1)
    lastmod = f"<lastmod>{newest[0].edited.isoformat()}</lastmod>" if newest else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"<sitemap><loc>{xesc(base)}/sitemap-vi.news.xml</loc>{lastmod}</sitemap>\n"
        "</sitemapindex>\n"
    )


def render_sitemap_news(site: Site, base: str) -> str:
    """Newest 1,000 articles only: a full archive needs the category pages."""
    urls = "".join(
        f"<url><loc>{xesc(base + site.article_url_path(a))}</loc>"
        f"<lastmod>{a.edited.isoformat()}</lastmod><changefreq>daily</changefreq>"
        "<priority>0.8</priority></url>\n"
        for a in site.latest(SITEMAP_LIMIT)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'
    )


def rss_pubdate(a: Article) -> str:
    """GMT, with the month number where the minutes belong (NukeViet's ``H:m:s`` bug)."""
    t = a.published.astimezone(UTC)
    day = f"{_DAYS[t.weekday()]}, {t.day:02d} {_MONTHS[t.month - 1]} {t.year}"
    return f"{day} {t.hour:02d}:{t.month:02d}:{t.second:02d} GMT"


def _rss_item(site: Site, a: Article, base: str) -> str:
    url = base + site.article_url_path(a)
    img = a.lead_image
    desc = (f'<img src="{base}{img.thumb}" width="100" align="left" border="0">' if img else "") + a.hometext
    return (
        f"<item><title>{xesc(a.title)}</title><link>{xesc(url)}</link>"
        f'<guid isPermaLink="false">{a.category.alias}_{a.id}</guid>'
        f"<description><![CDATA[{desc}]]></description><pubDate>{rss_pubdate(a)}</pubDate></item>\n"
    )


def render_rss(site: Site, base: str, cat: Category | None = None) -> str:
    """RSS 2.0 of the newest 30 (site-wide or one category), summaries only."""
    arts = (site.category_articles(cat.alias) if cat else site.latest())[:RSS_LIMIT]
    title = site.host_label + (f" - {cat.name}" if cat else "")
    link = f"{base}/{cat.alias}/" if cat else f"{base}/"
    self_url = f"{base}/rss/{cat.alias}/" if cat else f"{base}/rss/"
    pub = f"<pubDate>{rss_pubdate(arts[0])}</pubDate>" if arts else ""
    items = "".join(_rss_item(site, a, base) for a in arts)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
        f"<title>{xesc(title)}</title><link>{xesc(link)}</link>"
        f"<description>{xesc(title)}</description><language>vi</language>"
        f'<atom:link href="{xesc(self_url)}" rel="self" type="application/rss+xml"/>'
        f"{pub}<generator>NukeViet v4.5</generator>\n{items}</channel>\n</rss>\n"
    )
