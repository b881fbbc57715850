"""The listing page object over the replica's category pages."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from scraper.items import ArticleItem
from scraper.pages.listing import ListingEntry, ListingPage, apply_listing, merge_entry
from scraper.pipelines import build_record
from scraper.replica import Site
from scraper.replica.render import render_category, render_home

BASE = "http://127.0.0.1:9"


def test_category_page_entries_pager_and_menu() -> None:
    site = Site(n_articles=120, n_categories=3, seed=1)
    cat = site.categories[0]
    page = ListingPage.from_html(render_category(site, cat, 1, BASE), f"{BASE}/{cat.alias}/")
    main = page.entries_to_follow()
    shown = site.category_page(cat.alias, 1)
    assert [e.title for e in main] == [a.title for a in shown]
    assert all(e.primary and e.published_raw and e.views_raw for e in main)
    assert main[0].published_raw == shown[0].published.strftime("%d/%m/%Y %H:%M:%S")
    assert page.next_url() == f"{BASE}/{cat.alias}/page-2/"
    assert page.last_page() == site.page_count(cat.alias)
    assert page.categories() == [f"{BASE}/{c.alias}/" for c in site.categories]
    last = ListingPage.from_html(render_category(site, cat, site.page_count(cat.alias), BASE), f"{BASE}/{cat.alias}/page-{site.page_count(cat.alias)}/")
    assert last.next_url() is None


def test_home_page_entries_are_all_followed() -> None:
    site = Site(n_articles=40, n_categories=2, seed=1)
    page = ListingPage.from_html(render_home(site, BASE), f"{BASE}/")
    assert len(page.entries_to_follow()) >= site.latest_count


def test_listing_fills_only_what_the_page_lacks() -> None:
    entry = ListingEntry(url="u", title="t", published_raw="05/12/2023 10:15:32", views_raw="1.254")
    item = ArticleItem(url="https://x/a/b-1.html", fetched_url="https://x/a/b-1.html", layout="nukeviet", title="T", body_text="x")
    rec = build_record(apply_listing(item, entry))
    assert rec.published_at == "2023-12-05T10:15:32+07:00" and rec.views == 1254
    shown = ArticleItem(url="https://x/a/b-1.html", fetched_url="https://x/a/b-1.html", layout="nukeviet", title="T",
                        body_text="x", published_at_raw="Thứ ba - 05/12/2023 10:15", views="7")
    rec = build_record(apply_listing(shown, entry))
    assert rec.published_at == "2023-12-05T10:15:00+07:00" and rec.views == 7


def test_merge_prefers_main_listing_data() -> None:
    side = ListingEntry(url="u", title=None, published_raw="05/12/2023")
    main = ListingEntry(url="u", title="T", published_raw="05/12/2023 10:15:32", views_raw="12")
    merge_entry(side, main)
    assert (side.published_raw, side.views_raw, side.title) == ("05/12/2023 10:15:32", "12", "T")


_raws = st.sampled_from([None, "05/12/2023", "05/12/2023 10:15", "05/12/2023 10:15:32", "Thứ ba - 05/12/2023 10:15"])
_entries = st.builds(
    ListingEntry, url=st.just("u"), title=st.sampled_from([None, "T", "Tiêu đề", "Tiêu đề dài"]),
    published_raw=_raws, views_raw=st.sampled_from([None, "7", "12", "1.254", "Đã xem: 1.300"]),
)


@given(st.lists(_entries, min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_merging_listings_does_not_depend_on_their_order(entries, rnd) -> None:
    """A record must not depend on which listing page came first (crawl, WARC replay alike)."""

    def merged(order):
        into = dataclasses.replace(order[0])
        for other in order[1:]:
            merge_entry(into, dataclasses.replace(other))
        return (into.published_raw, into.views_raw, into.title)

    shuffled = list(entries)
    rnd.shuffle(shuffled)
    assert merged(entries) == merged(shuffled)


def test_hand_built_listing_matches_its_golden() -> None:
    import json

    from tests.conftest import FIXTURES

    golden = json.loads((FIXTURES / "listings" / "category-page-2.json").read_text("utf-8"))
    page = ListingPage.from_html((FIXTURES / "listings" / "category-page-2.html").read_bytes(), golden["url"])
    entries = [
        {"url": e.url, "title": e.title, "published_raw": e.published_raw, "views_raw": e.views_raw, "primary": e.primary}
        for e in page.entries()
    ]
    assert entries == golden["entries"]
    assert len(page.entries_to_follow()) == golden["entries_to_follow"]
    assert page.next_url() == golden["next_url"]
    assert page.last_page() == golden["last_page"]
    assert page.categories() == golden["categories"]


def test_a_mistyped_scheme_does_not_stand_for_the_article() -> None:
    """On the home page (every entry followed) the first link to an article has a broken scheme:
    the crawl must get the working address, which it would otherwise skip as already scheduled
    under the same article key."""
    html = (
        "<html><body><ul>"
        "<li><a href='htfps://congan.laichau.gov.vn/an-ninh-trat-tu/khoi-to-5302.html'>Khởi tố</a></li>"
        "<li><a href='/an-ninh-trat-tu/khoi-to-5302.html'>Khởi tố</a> 08/01/2021 17:58:02</li>"
        "</ul></body></html>"
    )
    page = ListingPage.from_html(html, "https://congan.laichau.gov.vn/")
    assert [e.url for e in page.entries_to_follow()] == ["https://congan.laichau.gov.vn/an-ninh-trat-tu/khoi-to-5302.html"]
