"""The crawl state's layout: a state written before keys named their site is migrated in place."""

from __future__ import annotations

import sqlite3

from scraper.state import VERSION, StateStore
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
