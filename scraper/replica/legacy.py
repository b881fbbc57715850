"""Deterministic model and markup of the 2021-era ASP.NET portal, as web archives hold it.

Only the visible text of that site survives (see shared/research/portal.md), so the
markup imitates the two hand-built legacy fixtures: a table layout with ``ctl00_…`` ids
and a div layout. Articles alternate between them by id parity, so a crawler's legacy
page object must work on both. Like ``site.py``, each article draws from its own
``random.Random`` so it does not depend on what was generated before it, and each
article object carries exactly what an extracted record should contain.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape

from . import words as W
from .site import VN_TZ, nfc, slugify

__all__ = [
    "LEGACY_CATEGORIES", "LEGACY_HOST", "LegacyArticle", "LegacyCategory", "LegacyImage", "LegacySite",
    "RelatedLink", "format_legacy_datetime", "render_legacy_article", "render_legacy_category",
    "render_legacy_home", "render_legacy_robots",
]

LEGACY_HOST = "congan.laichau.gov.vn"
FIRST_ID = 1800
START = datetime(2020, 3, 2, 7, 0, 0, tzinfo=VN_TZ)
END = datetime(2021, 6, 28, 17, 0, 0, tzinfo=VN_TZ)
FOOTER_TITLE = "TRANG THÔNG TIN ĐIỆN TỬ CÔNG AN TỈNH LAI CHÂU"
MIDDLE_CRUMB = "Chuyên mục tin tức"
RELATED = "Tin liên quan"
LATEST = "Tin mới nhất"


@dataclass(frozen=True)
class LegacyCategory:
    """A 2021 menu entry; its page is ``ChuyenMuc.aspx?ID=<catid>``."""

    catid: int
    name: str


#: The legacy menu as the fixtures show it (ids 1, 3 and 7 are seen there; the rest plausible).
LEGACY_CATEGORIES: list[LegacyCategory] = [
    LegacyCategory(1, "Tin tức - Sự kiện"),
    LegacyCategory(3, "An ninh trật tự"),
    LegacyCategory(7, "Công an nhân dân"),
    LegacyCategory(9, "Phòng chống ma túy"),
    LegacyCategory(12, "An toàn giao thông"),
]

# ----- word pools of the 2020–2021 news (written for the replica; shared pools from words.py) -----

_LEGACY_TITLES: list[str] = [
    "{unit} triển khai cấp căn cước công dân gắn chíp tại {place}",
    "{unit} ra quân bảo đảm trật tự an toàn giao thông dịp Tết Nguyên đán Tân Sửu",
    "Hội nghị sơ kết công tác Công an quý I/{y}",
    "{unit} tăng cường phòng, chống dịch Covid-19 tại các chốt kiểm soát",
    "Bắt giữ {n} đối tượng vận chuyển trái phép chất ma túy tại {place}",
    "Những điều cần biết về tuyển sinh CAND năm {y}",
    "{unit} bảo đảm an ninh trật tự cuộc bầu cử đại biểu Quốc hội khóa XV",
    "Giám đốc Công an tỉnh kiểm tra các mặt công tác tại {place}",
    "{unit} phát động đợt cao điểm tấn công, trấn áp tội phạm",
    "Tình người nơi “vùng lõm” {place}",
    "Phát hiện, xử lý {n} đối tượng sử dụng trái phép chất ma túy",
    "{unit} tuyên truyền Luật Cư trú năm 2020 cho đồng bào tại {place}",
]

_LEGACY_SENTENCES: list[str] = [
    "Thực hiện Chỉ thị số 09/CT-BCA-V28 của Bộ trưởng Bộ Công an, {unit} đã chủ động tham mưu cấp ủy, chính quyền địa phương.",
    "Lực lượng Công an đã cắm chốt {n} ngày đêm tại {place} để kiểm soát người, phương tiện ra vào địa bàn.",
    "Qua đó góp phần quan trọng vào việc giữ vững an ninh chính trị, trật tự an toàn xã hội trên địa bàn {place}.",
    "Phong trào “Toàn dân bảo vệ an ninh Tổ quốc” tiếp tục được duy trì, nhân rộng với {n} mô hình tự quản.",
    "Các đơn vị thực hiện nghiêm phương châm “Trọng dân, gần dân, hiểu dân, học dân”.",
    "Đến ngày {d}/{m}/{y}, toàn tỉnh đã thu nhận {n}.000 hồ sơ đề nghị cấp căn cước công dân.",
]

_LEGACY_CAPTIONS: list[str] = [
    "Cán bộ Công an thu nhận hồ sơ cấp căn cước công dân cho người dân {place}",
    "Tổ công tác kiểm tra phương tiện tại chốt kiểm soát dịch Covid-19",
    "Lãnh đạo {unit} trao quà cho học sinh nghèo vượt khó",
    "Lực lượng chức năng tuần tra trên tuyến biên giới thuộc {place}",
]


class _Filler:
    """Fills ``{place}``, ``{unit}``… placeholders from the article's own rng."""

    def __init__(self, rng: random.Random, when: datetime) -> None:
        self.rng = rng
        self.when = when

    def __call__(self, template: str) -> str:
        r = self.rng
        day = self.when - timedelta(days=r.randint(0, 6))
        subject = r.choice(W.SUBJECTS).format(name=r.choice(W.NAMES))
        return nfc(template.format(
            n=r.randint(2, 120), y=self.when.year, place=r.choice(W.PLACES), unit=r.choice(W.UNITS),
            subject=subject, h=r.randint(6, 22), d=day.day, m=day.month,
        ))


# ----- the model -----------------------------------------------------------------------------------


def format_legacy_datetime(dt: datetime) -> str:
    """.NET vi-VN ``dd/MM/yyyy h:mm:ss tt``: SA = AM, CH = PM, 12 SA = midnight, 12 CH = noon."""
    h12 = dt.hour % 12 or 12
    return f"{dt:%d/%m/%Y} {h12}:{dt:%M:%S} {'SA' if dt.hour < 12 else 'CH'}"


@dataclass(frozen=True)
class LegacyImage:
    """A body image. ``style``: ``table`` (caption in the next row), ``em``/``i`` (caption paragraph)."""

    url: str  # absolute, what a record should hold
    src: str  # as written in the markup: ``/Uploads/…`` or ``Uploads/…``
    alt: str | None  # None when absent or empty
    caption: str
    style: str
    after: int  # index of the body paragraph it follows; -1 = before the first paragraph


@dataclass(frozen=True)
class RelatedLink:
    """One item of a "Tin liên quan" / "Tin mới nhất" list."""

    section: str
    title: str
    url: str
    published: datetime

    @property
    def published_raw(self) -> str:
        return format_legacy_datetime(self.published)


@dataclass
class LegacyArticle:
    """A 2021 article page with everything a correct extraction must report about it."""

    id: int
    host: str
    title: str
    published: datetime
    category: LegacyCategory
    paragraphs: list[str]
    images: list[LegacyImage]
    variant: str  # "table" or "div"
    online: int
    views: int | None = None  # shown ("Lượt xem: 1.254") only in the div variant
    author: str | None = None  # shown ("Tác giả:") only in the div variant
    related: list[RelatedLink] = field(default_factory=list)
    spacers: frozenset[int] = frozenset()  # paragraph indexes followed by ``<p>&nbsp;</p>``
    layout: str = "legacy"

    @property
    def url(self) -> str:
        return legacy_article_url(self.host, self.id)

    @property
    def published_raw(self) -> str:
        return format_legacy_datetime(self.published)

    @property
    def category_name(self) -> str:
        return self.category.name

    @property
    def body_text(self) -> str:
        """Paragraphs joined by a blank line; captions and the author line are not body text."""
        return "\n\n".join(self.paragraphs)

    @property
    def breadcrumbs(self) -> list[tuple[str, str | None]]:
        """(name, absolute url or None) as each variant links them."""
        base = f"http://{self.host}"
        cat_url = f"{base}/ChuyenMuc.aspx?ID={self.category.catid}"
        if self.variant == "table":
            return [("Trang chủ", f"{base}/Default.aspx"), (MIDDLE_CRUMB, None), (self.category.name, cat_url)]
        return [("Trang chủ", f"{base}/"), (MIDDLE_CRUMB, f"{base}/TinTuc.aspx"), (self.category.name, cat_url)]

    def related_in(self, section: str) -> list[RelatedLink]:
        return [r for r in self.related if r.section == section]


def legacy_article_url(host: str, aid: int) -> str:
    return f"http://{host}/ChiTietTin.aspx?ID={aid}"


class LegacySite:
    """The 2021 portal's articles (oldest first, ids rising with dates) and its menu."""

    def __init__(self, n_articles: int = 30, seed: int = 0, host: str = LEGACY_HOST) -> None:
        self.seed = seed
        self.host = host
        self.base = f"http://{host}"
        self.categories = list(LEGACY_CATEGORIES)
        self.articles: list[LegacyArticle] = []
        self._by_id: dict[int, LegacyArticle] = {}
        self._generate(n_articles)

    def _generate(self, n: int) -> None:
        rng = random.Random(f"{self.seed}:legacy:batch")
        span = int((END - START).total_seconds())
        times = [START + timedelta(seconds=rng.randint(0, span)) for _ in range(n)]
        # Midnight and noon hours are where 12 SA / 12 CH parsing goes wrong: make sure they occur.
        for i in range(n):
            if i % 7 == 1:
                times[i] = times[i].replace(hour=0 if i % 14 == 1 else 12)
        times.sort()
        for i in range(1, n):
            if times[i] <= times[i - 1]:
                times[i] = times[i - 1] + timedelta(seconds=rng.randint(40, 600))
        ids: list[int] = []
        next_id = FIRST_ID + rng.randint(0, 20)
        gap = max(1, 260 // max(n, 1))
        for _ in range(n):
            ids.append(next_id)
            next_id += rng.randint(1, gap)
        arts = [self._make(pos, aid, t) for pos, (aid, t) in enumerate(zip(ids, times, strict=True))]
        self.articles = arts
        self._by_id = {a.id: a for a in arts}
        for a in arts:
            a.related = self._related(a)

    def _make(self, pos: int, aid: int, published: datetime) -> LegacyArticle:
        rng = random.Random(f"{self.seed}:legacy:article:{pos}")
        fill = _Filler(rng, published)
        variant = "table" if aid % 2 == 0 else "div"
        cat = rng.choice(self.categories)
        if rng.random() < 0.5:
            title = fill(rng.choice(_LEGACY_TITLES))
        else:
            title = fill(f"{rng.choice(W.UNITS)} {rng.choice(W.CRIME_ACTIONS + W.EVENT_ACTIONS)}")
        pool = W.SENTENCES + _LEGACY_SENTENCES
        paragraphs = [fill(rng.choice(W.OPENINGS)) + " " + fill(rng.choice(pool))]
        for _ in range(rng.randint(2, 5)):
            paragraphs.append(" ".join(fill(s) for s in rng.sample(pool, rng.randint(2, 3))))
        images = self._images(rng, fill, aid, variant, title, published, len(paragraphs))
        spacers = frozenset(i for i in range(len(paragraphs) - 1) if variant == "table" and rng.random() < 0.2)
        return LegacyArticle(
            id=aid, host=self.host, title=title, published=published, category=cat, paragraphs=paragraphs,
            images=images, variant=variant, online=rng.randint(800, 5200),
            views=min(99_999, int(rng.lognormvariate(6.5, 0.9))) if variant == "div" else None,
            author=rng.choice(W.AUTHORS) if variant == "div" and rng.random() < 0.7 else None,
            spacers=spacers,
        )

    def _images(
        self, rng: random.Random, fill: _Filler, aid: int, variant: str, title: str, when: datetime, n_par: int
    ) -> list[LegacyImage]:
        count = rng.randint(1, 3)
        slots = list(range(-1 if variant == "table" else 0, n_par - 1))
        afters = sorted(rng.sample(slots, min(count, len(slots))))
        styles = ("table", "em") if variant == "table" else ("em", "i")
        stem = "-".join(slugify(title).split("-")[:5])
        out = []
        for k, after in enumerate(afters):
            path = f"/Uploads/Images/{when:%Y}/{when:%m}/{stem}-{k + 1}.jpg"
            src = path[1:] if variant == "div" and k == 1 else path  # relative ``Uploads/…`` as seen
            cap = fill(rng.choice(W.CAPTIONS + _LEGACY_CAPTIONS))
            alt = rng.choice([None, "", cap.split(" ", 4)[-1] if " " in cap else cap])
            out.append(LegacyImage(f"{self.base}{path}", src, alt or None, cap, styles[(k + aid) % 2], after))
        return out

    def _related(self, a: LegacyArticle) -> list[RelatedLink]:
        """"Tin liên quan": nearest older ones of the category (else any); "Tin mới nhất": site newest."""
        k = 5 if a.variant == "table" else 3
        older = [b for b in reversed(self.articles) if b.published < a.published]
        same = [b for b in older if b.category == a.category]
        rel = (same + [b for b in older if b not in same])[:k]
        if not rel:
            rel = [b for b in self.articles if b is not a][:k]
        newest = [b for b in reversed(self.articles) if b is not a][:k]
        return [RelatedLink(RELATED, b.title, b.url, b.published) for b in rel] + [
            RelatedLink(LATEST, b.title, b.url, b.published) for b in newest
        ]

    # ----- queries ---------------------------------------------------------------------------

    def article(self, aid: int) -> LegacyArticle | None:
        return self._by_id.get(aid)

    def category(self, catid: int) -> LegacyCategory | None:
        return next((c for c in self.categories if c.catid == catid), None)

    def latest(self, k: int = 10) -> list[LegacyArticle]:
        return list(reversed(self.articles))[:k]

    def category_articles(self, catid: int) -> list[LegacyArticle]:
        """Newest first."""
        return [a for a in reversed(self.articles) if a.category.catid == catid]


def typo_title(title: str) -> str:
    """A first, uncorrected version of a title: its last word typed without diacritics (or doubled)."""
    head, _, last = title.rpartition(" ")
    bare = "".join(c for c in unicodedata.normalize("NFD", last) if not unicodedata.combining(c))
    bare = bare.replace("đ", "d").replace("Đ", "D")
    if bare == last:
        bare = f"{last} {last}"
    return f"{head} {bare}" if head else bare


# ----- markup --------------------------------------------------------------------------------------

_VIEWSTATE = "/wEPDwUKLTM4NzQyMTY1Ng9kFgJmD2QWAgIDD2QWBgIBD2QWAgIBDw8WAh4EVGV4dAUEMzI0MmRk"
_FOOTER_LINES = [
    "Giấy phép số: 81/GP-TTĐT do Sở Thông tin &amp; Truyền thông Lai Châu cấp ngày: 08/02/2017",
    "Địa chỉ: Tổ 16, Phường Tân Phong, TP. Lai Châu",
    "Số điện thoại: 0692 469 502",
    "Chịu trách nhiệm: Trưởng Ban Biên tập - Phó Giám đốc Công an tỉnh Đại tá Vừ A Chía",
    "Ghi rõ nguồn www.congan.laichau.gov.vn khi sử dụng thông tin trên website này",
]


def _esc(s: str) -> str:
    return escape(s, quote=True)


def _text(s: str, entities: bool) -> str:
    """Body text as the old editor stored it: curly quotes as ``&ldquo;``/``&rdquo;`` in the table theme."""
    out = escape(s, quote=False)
    return out.replace("“", "&ldquo;").replace("”", "&rdquo;") if entities else out


def _caption_markup(cap: str, salt: int) -> str:
    """Captions sometimes carry ``&nbsp;`` (inside, or leading) that an extractor must normalise."""
    t = _esc(cap)
    if salt % 3 == 0 and " " in t:
        a, b = t.rsplit(" ", 1)
        return f"{a}&nbsp;{b}"
    if salt % 3 == 1:
        return f"&nbsp;{t}"
    return t


def _img_tag(img: LegacyImage, table: bool) -> str:
    alt = "" if img.alt is None else f' alt="{_esc(img.alt)}"'
    if table and img.alt is None and img.style == "table":
        alt = ' alt=""'
    size = ' width="500" height="333" border="0"' if table else ' style="width: 520px; height: 346px;"'
    return f'<img{alt} src="{_esc(img.src)}"{size} />'


def _image_block(img: LegacyImage, k: int, table: bool) -> str:
    cap = _caption_markup(img.caption, k)
    if img.style == "table":
        return (
            '<table border="0" cellpadding="3" cellspacing="0" align="center" style="width: 500px;">\n<tbody>\n'
            f"<tr>\n<td>{_img_tag(img, table)}</td>\n</tr>\n"
            f'<tr>\n<td style="text-align: center;"><span style="font-size: 11px;">{cap}</span></td>\n</tr>\n'
            "</tbody>\n</table>"
        )
    tag = img.style
    return (
        f'<p style="text-align: center;">{_img_tag(img, table)}</p>\n'
        f'<p style="text-align: center;"><{tag}>{cap}</{tag}></p>'
    )


def legacy_body_html(a: LegacyArticle) -> str:
    """Paragraphs, images where they fall, ``&nbsp;`` spacers; the author line ends the div variant."""
    table = a.variant == "table"
    out: list[str] = []
    for k, img in enumerate(a.images):
        if img.after == -1:
            out.append(_image_block(img, k + a.id, table))
    for i, p in enumerate(a.paragraphs):
        out.append(f'<p style="text-align: justify;">{_text(p, table)}</p>')
        for k, img in enumerate(a.images):
            if img.after == i:
                out.append(_image_block(img, k + a.id, table))
        if i in a.spacers:
            out.append("<p>&nbsp;</p>")
    if a.author:
        out.append(f'<p style="text-align: right;"><strong>Tác giả: </strong>{_esc(a.author)}</p>')
    return "\n".join(out)


def _views(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _rel_href(r: RelatedLink) -> str:
    return "ChiTietTin.aspx?ID=" + r.url.rsplit("=", 1)[1]


def _table_related(a: LegacyArticle) -> str:
    """Table theme: "Tin liên quan" dates in a span after the link, "Tin mới nhất" dates in the link."""
    bullet = '<img src="/App_Themes/Default/images/bullet.gif" alt="" />&nbsp;'
    parts = []
    for section, tid, head, item, link in (
        (RELATED, "tblTinLienQuan", "TieuDeTinLienQuan", "TinLienQuanItem", "LinkTinLienQuan"),
        (LATEST, "tblTinMoiNhat", "TieuDeTinMoiNhat", "TinMoiItem", "LinkTinMoi"),
    ):
        rows = []
        for r in a.related_in(section):
            t, d = _esc(r.title), r.published_raw
            if section == RELATED:
                inner = f'<a href="{_rel_href(r)}" class="{link}">{t}</a><span class="NgayDangTinLienQuan">({d})</span>'
            else:
                inner = f'<a href="{_rel_href(r)}" class="{link}">{t}({d})</a>'
            rows.append(f'<tr>\n<td class="{item}">{bullet}{inner}</td>\n</tr>')
        if rows:
            parts.append(
                f'<tr>\n<td>\n<table id="ctl00_ContentPlaceHolder1_{tid}" width="100%" border="0" cellpadding="2" '
                f'cellspacing="0">\n<tr>\n<td class="{head}">{section}</td>\n</tr>\n' + "\n".join(rows)
                + "\n</table>\n</td>\n</tr>"
            )
    return "\n".join(parts)


def _div_related(a: LegacyArticle) -> str:
    """Div theme: "Tin liên quan" dates inside the link, "Tin mới nhất" dates in a span."""
    parts = []
    for section in (RELATED, LATEST):
        lis = []
        for r in a.related_in(section):
            t, d = _esc(r.title), r.published_raw
            if section == RELATED:
                lis.append(f'      <li><a href="{_rel_href(r)}">{t}({d})</a></li>')
            else:
                lis.append(f'      <li><a href="{_rel_href(r)}">{t}</a><span class="date">({d})</span></li>')
        if lis:
            parts.append(
                f'    <div class="other-news">\n      <div class="other-news-title">{section}</div>\n      <ul>\n'
                + "\n".join(lis) + "\n      </ul>\n    </div>"
            )
    return "\n".join(parts)


def _menu_rows(categories: list[LegacyCategory]) -> str:
    rows = ['<tr><td class="MenuTrai"><a href="Default.aspx">Trang chủ</a></td></tr>']
    rows += [f'<tr><td class="MenuTrai"><a href="ChuyenMuc.aspx?ID={c.catid}">{_esc(c.name)}</a></td></tr>' for c in categories]
    return "\n".join(rows)


def _table_page(title: str, action: str, online: int, crumb: str, main: str) -> str:
    """The table theme's shell: ``form1``/``__VIEWSTATE``, banner, left menu, content cell, footer."""
    footer = "<br />\n".join([f"<b>{FOOTER_TITLE}</b>", *_FOOTER_LINES])
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head id="ctl00_Head1"><meta charset="utf-8" /><title>
	{title}
</title><link href="App_Themes/Default/StyleSheet.css" type="text/css" rel="stylesheet" />
</head>
<body style="margin: 0px;">
<form name="aspnetForm" method="post" action="{action}" id="form1">
<div>
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{_VIEWSTATE}" />
</div>
<table id="ctl00_tblMain" width="1000" border="0" cellpadding="0" cellspacing="0" align="center">
<tr>
<td colspan="2"><img src="/App_Themes/Default/images/banner.jpg" alt="Trang thông tin điện tử Công an tỉnh Lai Châu" width="1000" height="180" border="0" /></td>
</tr>
<tr>
<td colspan="2" class="ThanhMenu">
<table width="100%" border="0" cellpadding="0" cellspacing="0">
<tr>
<td class="MenuNgang"><a href="Default.aspx">TRANG CHỦ</a> | <a href="GioiThieu.aspx">GIỚI THIỆU</a> | <a href="ChuyenMuc.aspx?ID=1">TIN TỨC</a> | <a href="LienHe.aspx">LIÊN HỆ</a></td>
<td class="Online" align="right"><span id="ctl00_lblOnline">{online}</span> Người đang Online</td>
</tr>
</table>
</td>
</tr>
<tr>
<td width="220" valign="top" class="CotTrai">
<table width="100%" border="0" cellpadding="0" cellspacing="0">
<tr><td class="TieuDeKhoi">DANH MỤC</td></tr>
{_menu_rows(LEGACY_CATEGORIES)}
</table>
</td>
<td width="780" valign="top" class="CotGiua">
<table width="100%" border="0" cellpadding="5" cellspacing="0">
{crumb}
{main}
</table>
</td>
</tr>
<tr>
<td colspan="2" class="Footer" align="center">
{footer}
</td>
</tr>
</table>
</form>
</body>
</html>
"""


def _table_crumb(cat: LegacyCategory | None) -> str:
    tail = ""
    if cat is not None:
        tail = (
            f' &#8250; <a id="ctl00_ContentPlaceHolder1_hlChuyenMuc" href="ChuyenMuc.aspx?ID={cat.catid}">'
            f"{_esc(cat.name)}</a>"
        )
    return (
        '<tr>\n<td class="DuongDan"><a href="Default.aspx">Trang chủ</a> &#8250; '
        f'<span id="ctl00_ContentPlaceHolder1_lblChuyenMucCha">{MIDDLE_CRUMB}</span>{tail}</td>\n</tr>'
    )


def _render_table(a: LegacyArticle) -> str:
    main = f"""<tr>
<td><span id="ctl00_ContentPlaceHolder1_lblTieuDe" class="TieuDe">{_esc(a.title)}</span></td>
</tr>
<tr>
<td><span id="ctl00_ContentPlaceHolder1_lblNgayDang" class="NgayDang">(Ngày đăng :{a.published_raw})</span></td>
</tr>
<tr>
<td class="NoiDung"><div id="ctl00_ContentPlaceHolder1_divNoiDung" class="NoiDung">
{legacy_body_html(a)}
</div></td>
</tr>
{_table_related(a)}"""
    return _table_page(_esc(a.title), f"ChiTietTin.aspx?ID={a.id}", a.online, _table_crumb(a.category), main)


def _render_div(a: LegacyArticle, base: str) -> str:
    cat = a.category
    menu = "\n".join(
        [f'        <li><a href="{base}/">Trang chủ</a></li>']
        + [f'        <li><a href="{base}/ChuyenMuc.aspx?ID={c.catid}">{_esc(c.name)}</a></li>' for c in LEGACY_CATEGORIES]
    )
    views = ""
    if a.views is not None:
        views = (
            '\n        <span class="sep">|</span>\n'
            f'        <span id="ctl00_ContentPlaceHolder1_lblLuotXem" class="news-views">Lượt xem: {_views(a.views)}</span>'
        )
    footer = "\n".join(f"    <p>{line}</p>" for line in [f"<strong>{FOOTER_TITLE}</strong>", *_FOOTER_LINES])
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head><meta charset="utf-8" /><title>{_esc(a.title)}</title>
<link href="/Css/style.css" rel="stylesheet" type="text/css" />
</head>
<body>
<form method="post" action="ChiTietTin.aspx?ID={a.id}" id="form1">
<div class="aspNetHidden">
<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{_VIEWSTATE}" />
</div>
<div id="wrapper">
  <div id="header">
    <div class="banner"><a href="{base}/"><img src="/Images/banner2021.png" alt="Công an tỉnh Lai Châu" /></a></div>
    <div class="online"><span id="ctl00_lblSoNguoiOnline">{a.online}</span> Người đang Online</div>
    <div class="menu">
      <ul>
{menu}
      </ul>
    </div>
  </div>
  <div id="main">
    <div class="breadcrumb"><a href="/">Trang chủ</a> › <a href="/TinTuc.aspx">{MIDDLE_CRUMB}</a> › <a href="/ChuyenMuc.aspx?ID={cat.catid}">{_esc(cat.name)}</a></div>
    <div id="ctl00_ContentPlaceHolder1_pnlChiTiet" class="news-detail">
      <h2 class="news-title">{_esc(a.title)}</h2>
      <div class="news-info">
        <span id="ctl00_ContentPlaceHolder1_lblNgayDang" class="news-date">(Ngày đăng :{a.published_raw})</span>{views}
      </div>
      <div id="ctl00_ContentPlaceHolder1_divNoiDung" class="news-content">
{legacy_body_html(a)}
      </div>
    </div>
{_div_related(a)}
  </div>
  <div id="footer">
{footer}
  </div>
</div>
</form>
</body>
</html>
"""


def render_legacy_article(article: LegacyArticle, base: str) -> str:
    """``ChiTietTin.aspx?ID=<id>``: table theme for even ids, div theme for odd ones.

    ``base`` only feeds absolute navigation links; images and related links stay relative
    (as on the fixtures), so their expected absolute URLs are always on ``article.host``.
    """
    return _render_table(article) if article.variant == "table" else _render_div(article, base.rstrip("/"))


def _list_rows(arts: list[LegacyArticle], with_summary: bool) -> str:
    rows = []
    for a in arts:
        summary = ""
        if with_summary:
            first = a.paragraphs[0]
            summary = f'<br /><span class="TomTat">{_esc(first[:160].rsplit(" ", 1)[0])}…</span>'
        rows.append(
            f'<tr>\n<td class="TinItem"><a href="ChiTietTin.aspx?ID={a.id}" class="LinkTin">{_esc(a.title)}</a> '
            f'<span class="NgayTin">({a.published_raw})</span>{summary}</td>\n</tr>'
        )
    return "\n".join(rows)


def render_legacy_home(site: LegacySite, base: str, online: int = 3000) -> str:
    """``Default.aspx``: newest articles and the menu; no "Ngày đăng" line, so not an article."""
    main = f'<tr>\n<td class="TieuDeKhoi">TIN MỚI</td>\n</tr>\n{_list_rows(site.latest(10), True)}'
    crumb = '<tr>\n<td class="DuongDan"><a href="Default.aspx">Trang chủ</a></td>\n</tr>'
    return _table_page("Trang thông tin điện tử Công an tỉnh Lai Châu", "Default.aspx", online, crumb, main)


def render_legacy_category(site: LegacySite, catid: int, base: str, online: int = 3000) -> str:
    """``ChuyenMuc.aspx?ID=<n>``: the category's articles, newest first (no pager needed at this size)."""
    cat = site.category(catid)
    if cat is None:
        raise KeyError(catid)
    main = (
        f'<tr>\n<td class="TieuDeKhoi">{_esc(cat.name)}</td>\n</tr>\n'
        f"{_list_rows(site.category_articles(catid), True)}"
    )
    return _table_page(_esc(cat.name), f"ChuyenMuc.aspx?ID={catid}", online, _table_crumb(cat), main)


def render_legacy_robots() -> str:
    """The 2021 robots.txt: an IIS site hiding its admin folders."""
    return "User-agent: *\nDisallow: /Admin/\nDisallow: /App_Data/\nDisallow: /bin/\n"
