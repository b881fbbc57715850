"""The crawl state's layout (a state written before keys named their site is migrated in place),
and the run's tables it keeps beside it."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.pages.listing import ListingEntry, merge_entry
from scraper.state import CACHE_KIB, VERSION, FoundTable, StateStore, WrittenTable
from scraper.urls import site_key


def test_a_state_from_before_site_keys_knows_what_it_captured(tmp_path) -> None:
    path = tmp_path / "state.sqlite"
    url = "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-viet-12.html"
    old = StateStore(path)  # today's tables, then rewound to the layout without site keys
    old.db.execute("INSERT INTO articles VALUES ('id:12', ?, NULL, NULL, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')", (url,))
    old.db.execute("INSERT INTO gone VALUES ('id:13', ?, 404, '2025-01-01T00:00:00Z', '2999-01-01T00:00:00Z')",
                   ("http://127.0.0.1:8000/a/b-13.html",))
    old.db.execute("INSERT INTO pending VALUES ('@journal', '', '[]')")
    old.db.execute("PRAGMA user_version = 0")
    old.close()

    state = StateStore(path)
    assert state.known([site_key(url), "127.0.0.1 id:13", "id:12"]) == {"congan.laichau.gov.vn id:12", "127.0.0.1 id:13"}
    assert state.db.execute("SELECT article_key FROM pending").fetchall() == [("@journal",)]  # the journal row stays itself
    state.close()
    again = StateStore(path)  # migrated once: a key is never prefixed twice
    assert again.db.execute("SELECT article_key FROM articles").fetchall() == [("congan.laichau.gov.vn id:12",)]
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == VERSION
    again.close()


def test_one_article_id_on_two_portals_is_two_articles() -> None:
    a = site_key("https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-12.html")
    b = site_key("https://sotttt.example.gov.vn/vi/tin-tuc/thong-bao/bai-12.html")
    assert a != b and a.endswith("id:12") and b.endswith("tin-tuc:id:12")


# -- this run's tables: what the crawl remembers on disk instead of in the spider --------------------

_TIMES = st.sampled_from([None, "12/03/2024", "12/03/2024 08:15", "12/03/2024 08:15:30"])
_VIEWS = st.sampled_from([None, "7", "1.254", "90"])
_TITLES = st.sampled_from([None, "Tin", "Tin dài hơn"])
_SIGHTINGS = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), _TITLES, _TIMES, _VIEWS, st.sampled_from([None, "h/x", "h/y"])),
    max_size=12,
)


def _found(sightings, listings: int = 3) -> dict[str, tuple]:
    """Each sighting added, as listings of ``listings`` entries would add them; then every row taken."""
    table = FoundTable.private()
    for i in range(0, len(sightings), listings):
        for key, title, shown, views, walk in sightings[i : i + listings]:
            table.add([(key, ListingEntry(f"https://h/c/{key}-1.html", title, shown, views))], walk)
    rows = table.take(100)
    assert table.waiting() == 0 and len(rows) == len({s[0] for s in sightings})
    return {key: (e.title, e.published_raw, e.views_raw) for key, e, _ in rows}


@settings(max_examples=200, deadline=None)
@given(_SIGHTINGS, st.randoms(use_true_random=False))
def test_found_rows_merge_by_merge_entrys_rule_whatever_the_order(sightings, rnd) -> None:
    shuffled = list(sightings)
    rnd.shuffle(shuffled)
    assert _found(sightings) == _found(shuffled, listings=1)
    for key, (title, shown, views) in _found(sightings).items():  # each fact the maximum merge_entry keeps
        expected = ListingEntry("u", None)
        for k, t, s, v, _ in sightings:
            if k == key:
                merge_entry(expected, ListingEntry("u", t, s, v))
        assert (title, shown, views) == (expected.title, expected.published_raw, expected.views_raw)


def test_found_rows_are_taken_once_in_the_order_found_and_then_left_alone(tmp_path) -> None:
    state = StateStore(tmp_path / "state.sqlite")
    found = state.found
    found.add([(f"k{i}", ListingEntry(f"https://h/c/a-{i}.html", "T")) for i in range(5)], "h/c")
    found.add([("k1", ListingEntry("https://h/c/b-1.html", "Tin dài", "01/02/2024 10:00", "5"))], None)
    assert found.waiting() == 5 and "k4" in found and "k9" not in found
    first = found.take(2)
    assert [(k, e.url, e.title, w) for k, e, w in first] == [("k0", "https://h/c/a-0.html", "T", "h/c"),
                                                              ("k1", "https://h/c/a-1.html", "Tin dài", "h/c")]
    assert first[1][1].published_raw == "01/02/2024 10:00" and first[1][1].views_raw == "5"
    found.add([("k1", ListingEntry("https://h/c/a-1.html", "Tin dài nhất", None, "9")), ("k5", ListingEntry("u5", None))], "h/d")
    rest = found.take(10)
    assert [k for k, _, _ in rest] == ["k2", "k3", "k4", "k5"]  # k1 was requested: never handed out again
    assert found.take(10) == [] and found.waiting() == 0 and found.added == 6
    state.close()
    again = StateStore(tmp_path / "state.sqlite")  # TEMP: a run's found articles are gone with it
    assert again.found.waiting() == 0 and "k0" not in again.found
    assert again.db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'found'").fetchone()[0] == 0
    again.close()


def test_written_table_knows_each_key_and_each_bodys_first_address(tmp_path) -> None:
    state = StateStore(tmp_path / "state.sqlite")
    for written in (state.written, WrittenTable.private()):
        assert written.first("h id:1") and not written.first("h id:1") and written.first("h id:2")
        assert written.first_with_body("abc", "https://h/a-1.html") == "https://h/a-1.html"
        assert written.first_with_body("abc", "https://h/a-2.html") == "https://h/a-1.html"
        assert written.first_with_body("def", "https://h/a-2.html") == "https://h/a-2.html"
    state.close()


def test_the_state_and_the_runs_tables_keep_small_page_caches(tmp_path) -> None:
    store = StateStore(tmp_path / "state.sqlite")
    caches = [store.db.execute(f"PRAGMA {schema}.cache_size").fetchone()[0] for schema in ("main", "temp")]
    assert caches == [-CACHE_KIB, -CACHE_KIB]
    # the run's tables keep theirs wherever they are made: a Redis worker's, a state-less crawl's
    for db in (FoundTable.private().db, WrittenTable(sqlite3.connect("", isolation_level=None)).db):
        assert db.execute("PRAGMA temp.cache_size").fetchone()[0] == -CACHE_KIB
    assert CACHE_KIB < 2000  # below SQLite's default, 2,000 KiB a database
