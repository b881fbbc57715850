"""Deterministic model of the portal's content, shared by the renderer, the server and tests.

Tests need to know exactly what a crawler *should* find (ids, titles, dates, body
text), so the content is generated from a seed instead of being stored. Each
article draws from its own ``random.Random`` seeded by ``(seed, position)``, and its id,
time, address and 404/stale-slug fate are functions of ``(seed, position)`` too (position 0
is the oldest): a site of ``n + k`` articles is the site of ``n`` plus ``k`` newer ones, so a
test can "publish" articles by growing ``n_articles`` (or with ``add_articles``) and see an
incremental crawl fetch exactly those.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from math import ceil

from . import words as W

#: Asia/Ho_Chi_Minh: UTC+7 without daylight saving since 1975, so a fixed offset is exact.
VN_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")
FIRST_ID = 2665
#: Positions laid out together: the first block is the default site's (spread over START..END);
#: every block holds its share of 404 and stale-slug articles (``missing_rate``, ``wrong_slug_rate``).
BATCH = 200
START = datetime(2022, 3, 1, 7, 0, 0, tzinfo=VN_TZ)
END = datetime(2026, 11, 20, 16, 47, 23, tzinfo=VN_TZ)


def nfc(s: str) -> str:
    """NFC-normalise: the portal's text is NFC and the record schema demands it."""
    return unicodedata.normalize("NFC", s)


def slugify(s: str) -> str:
    """NukeViet's ``change_alias``: strip diacritics, ``đ`` → ``d``, non-alphanumerics → ``-``."""
    s = s.replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


@dataclass(frozen=True)
class Category:
    """A news category; ``alias`` is opaque (it may end in a number)."""

    catid: int
    alias: str
    name: str


@dataclass(frozen=True)
class Tag:
    """A keyword; its page lives at ``/tag/<alias>``."""

    alias: str
    name: str


@dataclass(frozen=True)
class Image:
    """An article image. ``style`` picks the caption markup: lead, figure, em or table."""

    path: str
    alt: str
    caption: str
    style: str
    after: int = -1  # body paragraph index it follows; -1 for the lead image

    @property
    def thumb(self) -> str:
        """Listing thumbnail: the same file under ``/assets/`` (as seen on the portal)."""
        return "/assets/" + self.path.removeprefix("/uploads/")


@dataclass
class Article:
    """One article with everything the pages show about it."""

    id: int
    slug: str
    category: Category
    title: str
    published: datetime
    edited: datetime  # what the datePublished trap shows
    views: int
    hometext: str
    paragraphs: list[str]
    images: list[Image] = field(default_factory=list)
    author: str | None = None
    source: str | None = None
    tags: list[Tag] = field(default_factory=list)
    br_join: int | None = None  # paragraphs br_join and br_join+1 share one <p> (ENTER_BR)

    @property
    def lead_image(self) -> Image | None:
        return next((i for i in self.images if i.style == "lead"), None)

    @property
    def body_images(self) -> list[Image]:
        return [i for i in self.images if i.style != "lead"]

    @property
    def body_text(self) -> str:
        """The body as the record schema wants it: paragraphs joined by a blank line."""
        return "\n\n".join(self.paragraphs)


@dataclass
class _Index:
    by_id: dict[int, Article]
    by_cat: dict[str, list[Article]]  # newest first
    by_tag: dict[str, list[Article]]  # newest first
    tags: dict[str, Tag]
    newest: list[Article]


class Site:
    """The whole portal: categories, articles (oldest first) and the traps a crawler must survive."""

    def __init__(
        self,
        n_articles: int = 200,
        n_categories: int = 5,
        per_page: int = 20,
        seed: int | str = 0,
        host_label: str = "Công an tỉnh Lai Châu",
        missing_rate: float = 0.01,
        wrong_slug_rate: float = 0.02,
        related_count: int = 5,
        other_links: int = 10,
        latest_count: int = 10,
        categories: list[tuple[str, str]] | None = None,
        upload_dir: str = "news",
    ) -> None:
        """``categories`` (alias, name) replaces the portal's own menu, and ``upload_dir`` names the
        images' folder under ``/uploads/``: another news module of another portal (``portal.py``)."""
        if n_categories < 1 and not categories:
            raise ValueError("a site needs at least one category")
        self.seed = seed
        self.per_page = per_page
        self.host_label = host_label
        self.missing_rate = missing_rate
        self.wrong_slug_rate = wrong_slug_rate
        self.related_count = related_count
        self.other_links = other_links
        self.latest_count = latest_count
        self.upload_dir = upload_dir
        self.categories: list[Category] = (
            [Category(i + 1, alias, name) for i, (alias, name) in enumerate(categories)]
            if categories else _make_categories(n_categories)
        )
        wr = random.Random(f"{seed}:weights")
        self._weights = [wr.uniform(0.5, 2.0) for _ in self.categories]
        self.articles: list[Article] = []
        self.missing_ids: set[int] = set()
        self.wrong_slug_ids: set[int] = set()
        # per position, its id and time (see ``_slot``): laid out a block at a time
        self._ids: list[int] = []
        self._times: list[datetime] = []
        self._next_id = FIRST_ID
        self._picks_of: dict[int, tuple[set[int], set[int]]] = {}
        #: Bumped by every change of content, so a server's rendered pages know when they are stale.
        self.generation = 0
        self._generate_initial(n_articles)

    # ----- generation -------------------------------------------------------------------

    def _generate_initial(self, n: int) -> None:
        self._set_articles([self._make_article(pos, *self._slot(pos)) for pos in range(n)])

    def add_articles(self, k: int) -> list[Article]:
        """Publish ``k`` newer articles, as happens between crawl runs: the next ``k`` positions,
        so a site grown by ``k`` equals ``Site(n_articles=n + k)`` of the same seed."""
        pos0 = len(self.articles)
        new = [self._make_article(pos, *self._slot(pos)) for pos in range(pos0, pos0 + k)]
        self._set_articles(self.articles + new)
        return new

    def _slot(self, pos: int) -> tuple[int, datetime]:
        """Position ``pos``'s id and publication time; files it under ``missing_ids`` or
        ``wrong_slug_ids`` if its block of positions picked it. A function of (seed, pos) alone."""
        while len(self._ids) <= pos:
            self._extend_slots()
        aid = self._ids[pos]
        picked = self._picks(pos // BATCH)
        if pos % BATCH in picked[0]:
            self.missing_ids.add(aid)
        elif pos % BATCH in picked[1]:
            self.wrong_slug_ids.add(aid)
        return aid, self._times[pos]

    def _extend_slots(self) -> None:
        """Lay out the next block of ``BATCH`` positions. The first is spread over START..END, as
        the replica always was at its default size; each later one is published 10 minutes to 12
        hours after the position before it, as a portal adds news."""
        if not self._ids:
            rng = random.Random(f"{self.seed}:batch")
            span = (END - START).total_seconds()
            offsets = sorted(rng.uniform(0, span) for _ in range(BATCH))
            offsets = [o * span / offsets[-1] for o in offsets]  # the newest lands on END
            for off in offsets:
                t = START + timedelta(seconds=int(off))
                if self._times and t <= self._times[-1]:
                    t = self._times[-1] + timedelta(seconds=rng.randint(30, 900))
                self._times.append(t)
            next_id = FIRST_ID
            for _ in range(BATCH):
                self._ids.append(next_id)
                next_id += 1 if rng.random() < 0.9 else rng.randint(2, 4)
            self._next_id = next_id
            self._picks_of[0] = self._pick(rng)
            return
        for pos in range(len(self._ids), len(self._ids) + BATCH):
            rng = random.Random(f"{self.seed}:slot:{pos}")
            self._times.append(self._times[-1] + timedelta(seconds=rng.randint(600, 12 * 3600)))
            self._ids.append(self._next_id)
            self._next_id += 1 if rng.random() < 0.9 else rng.randint(2, 4)

    def _picks(self, block: int) -> tuple[set[int], set[int]]:
        """The offsets within ``block`` answered 404, and those listed under a stale slug."""
        if block not in self._picks_of:
            self._picks_of[block] = self._pick(random.Random(f"{self.seed}:picks:{block}"))
        return self._picks_of[block]

    def _pick(self, rng: random.Random) -> tuple[set[int], set[int]]:
        """A block's share of each trap, at least one while its rate is set (as the default site
        always had): a fixed count, not a draw per article, so 600 articles hold exactly 6 404s."""
        k_miss = max(1, round(BATCH * self.missing_rate)) if self.missing_rate > 0 else 0
        k_wrong = max(1, round(BATCH * self.wrong_slug_rate)) if self.wrong_slug_rate > 0 else 0
        picked = rng.sample(range(BATCH), min(BATCH, k_miss + k_wrong))
        return set(picked[:k_miss]), set(picked[k_miss:])

    def _make_article(self, pos: int, aid: int, published: datetime) -> Article:
        rng = random.Random(f"{self.seed}:article:{pos}")
        cat = rng.choices(self.categories, weights=self._weights)[0]
        ctx = _Ctx(rng, published)
        title = nfc(_title(rng, ctx, cat))
        slug = slugify(title)
        paragraphs = [ctx.fill(rng.choice(W.OPENINGS)) + " " + ctx.fill(rng.choice(W.SENTENCES))]
        for _ in range(rng.randint(1, 5)):
            paragraphs.append(" ".join(ctx.fill(s) for s in rng.sample(W.SENTENCES, rng.randint(2, 3))))
        paragraphs = [nfc(p) for p in paragraphs]
        hometext = nfc(ctx.fill(rng.choice(W.OPENINGS)))
        br_join = None
        if len(paragraphs) >= 3 and rng.random() < 0.25:
            br_join = rng.randrange(len(paragraphs) - 1)
        images = _images(rng, ctx, published, slug, len(paragraphs), br_join, self.upload_dir)
        edited = published + timedelta(seconds=rng.randint(600, 5 * 86400))
        if edited.strftime("%H:%M") == published.strftime("%H:%M"):
            edited += timedelta(minutes=7)
        tags = [Tag(slugify(n), n) for n in rng.sample(W.TAGS, rng.choice([0, 1, 1, 2, 2, 3]))]
        return Article(
            id=aid,
            slug=slug,
            category=cat,
            title=title,
            published=published,
            edited=edited,
            views=min(250_000, int(rng.lognormvariate(6.3, 1.0))),
            hometext=hometext,
            paragraphs=paragraphs,
            images=images,
            author=rng.choice(W.AUTHORS) if rng.random() < 0.5 else None,
            source=rng.choice(W.SOURCES) if rng.random() < 0.4 else None,
            tags=tags,
            br_join=br_join,
        )

    def _set_articles(self, arts: list[Article]) -> None:
        """Swap in the article list and a fresh index in two assignments (readers never lock)."""
        newest = sorted(arts, key=lambda a: (a.published, a.id), reverse=True)
        by_cat: dict[str, list[Article]] = {c.alias: [] for c in self.categories}
        by_tag: dict[str, list[Article]] = {}
        tags: dict[str, Tag] = {}
        for a in newest:
            by_cat[a.category.alias].append(a)
            for t in a.tags:
                tags.setdefault(t.alias, t)
                by_tag.setdefault(t.alias, []).append(a)
        self._idx = _Index({a.id: a for a in arts}, by_cat, by_tag, tags, newest)
        self.articles = arts
        self.generation += 1

    # ----- queries ----------------------------------------------------------------------

    @property
    def tags(self) -> dict[str, Tag]:
        return self._idx.tags

    def expected_ids(self) -> set[int]:
        """Ids a correct crawler can fetch: every listed article except the 404 ones."""
        return {a.id for a in self.articles} - self.missing_ids

    def article(self, aid: int) -> Article | None:
        return self._idx.by_id.get(aid)

    def category(self, alias: str) -> Category | None:
        return next((c for c in self.categories if c.alias == alias), None)

    def article_url_path(self, a: Article) -> str:
        return f"/{a.category.alias}/{a.slug}-{a.id}.html"

    def listing_url_path(self, a: Article) -> str:
        """The address listings link to: canonical, or a stale slug for ``wrong_slug_ids``."""
        if a.id in self.wrong_slug_ids:
            return f"/{a.category.alias}/{wrong_slug(a.slug)}-{a.id}.html"
        return self.article_url_path(a)

    def print_url_path(self, a: Article, kind: str = "print") -> str:
        return f"/{kind}{self.article_url_path(a)}"

    def latest(self, k: int | None = None) -> list[Article]:
        """Newest first across the site."""
        return self._idx.newest[: k if k is not None else len(self._idx.newest)]

    def category_articles(self, alias: str) -> list[Article]:
        return self._idx.by_cat.get(alias, [])

    def tag_articles(self, alias: str) -> list[Article]:
        return self._idx.by_tag.get(alias, [])

    def page_count(self, alias: str) -> int:
        return max(1, ceil(len(self.category_articles(alias)) / self.per_page))

    def category_page(self, alias: str, page: int) -> list[Article]:
        start = (page - 1) * self.per_page
        return self.category_articles(alias)[start : start + self.per_page]

    def category_page_path(self, alias: str, page: int) -> str:
        return f"/{alias}/" if page <= 1 else f"/{alias}/page-{page}/"

    def newer_in_category(self, a: Article) -> list[Article]:
        """"Những tin mới hơn": the nearest newer ones, newest first."""
        lst = self.category_articles(a.category.alias)
        i = lst.index(a)
        return lst[max(0, i - self.related_count) : i]

    def older_in_category(self, a: Article) -> list[Article]:
        """"Những tin cũ hơn": the nearest older ones, newest first."""
        lst = self.category_articles(a.category.alias)
        i = lst.index(a)
        return lst[i + 1 : i + 1 + self.related_count]


def wrong_slug(slug: str) -> str:
    """A stale slug (the title was edited after publication): first words only."""
    parts = slug.split("-")
    return "-".join(parts[:4]) if len(parts) > 4 else slug + "-cu"


def _make_categories(n: int) -> list[Category]:
    cats = [Category(i + 1, a, nm) for i, (a, nm) in enumerate(W.KNOWN_CATEGORIES[:n])]
    for i in range(len(cats), n):
        j = i - len(W.KNOWN_CATEGORIES)
        name = W.EXTRA_CATEGORIES[j] if j < len(W.EXTRA_CATEGORIES) else f"Chuyên mục {i + 1}"
        cats.append(Category(i + 1, slugify(name), name))
    return cats


class _Ctx:
    """Fills ``{place}``, ``{unit}``... placeholders with values drawn from the article's rng."""

    def __init__(self, rng: random.Random, when: datetime) -> None:
        self.rng = rng
        self.when = when

    def fill(self, template: str) -> str:
        r = self.rng
        day = self.when - timedelta(days=r.randint(0, 6))
        subject = r.choice(W.SUBJECTS).format(name=r.choice(W.NAMES))
        return template.format(
            n=r.randint(2, 120), y=self.when.year, place=r.choice(W.PLACES),
            unit=r.choice(W.UNITS), subject=subject, h=r.randint(6, 22),
            d=day.day, m=day.month,
        )


#: Categories whose articles are notices (the portal's own, and a second news module's).
NOTICE_ALIASES = frozenset({"thong-bao", "thong-bao-chung", "canh-bao"})


def _title(rng: random.Random, ctx: _Ctx, cat: Category) -> str:
    if cat.alias in NOTICE_ALIASES or rng.random() < 0.08:
        return ctx.fill(rng.choice(W.NOTICE_TITLES))
    crime = cat.alias in ("an-ninh-trat-tu", "thu-doan-pham-toi") or rng.random() < 0.3
    action = ctx.fill(rng.choice(W.CRIME_ACTIONS if crime else W.EVENT_ACTIONS))
    title = f"{rng.choice(W.UNITS)} {action}"
    if rng.random() < 0.3:
        title += f" tại {rng.choice(W.PLACES)}"
    return title


def _images(
    rng: random.Random, ctx: _Ctx, when: datetime, slug: str, n_par: int, br_join: int | None, upload_dir: str = "news",
) -> list[Image]:
    count = rng.choices([0, 1, 2], weights=[3, 4, 3])[0]
    folder = f"/uploads/{upload_dir}/{when:%Y_%m}/"
    stem = "-".join(slug.split("-")[:6])
    out: list[Image] = []
    for k in range(count):
        cap = nfc(ctx.fill(rng.choice(W.CAPTIONS)))
        path = f"{folder}{stem}-{k + 1}.jpg"
        if k == 0 and rng.random() < 0.6:
            out.append(Image(path, cap, cap, "lead"))
            continue
        style = rng.choice(["figure", "em", "table"])
        after = rng.randrange(n_par)
        if after == br_join:  # never split the <br><br> pair
            after += 1
        out.append(Image(path, cap if style == "figure" else "", cap, style, after))
    return out
