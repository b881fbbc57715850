"""Near-duplicates: a planted copy is flagged (never removed), distinct articles are not, the
earliest article is the original, also across incremental runs; the SQLite buckets are datasketch's."""

from __future__ import annotations

import shutil
from datetime import timedelta

from datasketch import MinHashLSH

from scraper.corpus.build import build
from scraper.corpus.neardup import MIN_WORDS, NUM_PERM, THRESHOLD, NearDuplicates, shingles
from scraper.corpus.store import Store
from scraper.replica import Site
from tests.corpus.conftest import articles_of, complete, data_files, edited, write_feed

SISTER = "https://congan.dienbien.example.vn/tin-tuc/ban-tin-{}.html"


def copy_of(record: dict, n: int, published_at: str, every: int = 50) -> dict:
    """The article republished on a sister portal: one word in ``every`` changed, a line added."""
    words = record["body_text"].split(" ")
    for i in range(7, len(words), every):
        words[i] = "đã"
    body = " ".join(words) + "\n\nTheo Công an tỉnh Lai Châu."
    return complete({**record, "url": SISTER.format(n), "fetched_url": SISTER.format(n), "article_id": str(n),
                     "published_at": published_at, "body_text": body}, "2025-01-12T19:15:00Z")


def _rows(dest) -> dict[str, dict]:
    return {r["url"]: r for r in articles_of(dest)}


def test_a_planted_near_copy_is_flagged_and_kept(tmp_path, goldens) -> None:
    original = goldens[4]  # nukeviet-default, 2023-12-05
    copy = copy_of(original, 901, "2023-12-07T08:00:00+07:00")
    assert copy["body_text"] != original["body_text"]
    write_feed(tmp_path / "src" / "a.jsonl", [*goldens, copy])
    outcome = build(tmp_path / "src", tmp_path / "corpus")
    rows = _rows(tmp_path / "corpus")
    assert len(rows) == len(goldens) + 1  # flagged, not removed
    assert rows[copy["url"]]["near_duplicate_of"] == original["url"]
    assert [u for u, r in rows.items() if r["near_duplicate_of"]] == [copy["url"]]  # the twelve real articles: none
    assert outcome.near_duplicates == 1
    assert f"`{copy['url']}`" not in (tmp_path / "corpus" / "README.md").read_text("utf-8")  # the card counts; the report lists
    assert "1 articles name an earlier article" in (tmp_path / "corpus" / "README.md").read_text("utf-8")
    report = (tmp_path / "corpus" / "report.html").read_text("utf-8")
    assert f"<code>{copy['url']}</code> → <code>{original['url']}</code>" in report


def test_a_heavier_rewrite_and_templated_articles_are_not_flagged(tmp_path, goldens) -> None:
    rewrite = copy_of(goldens[4], 902, "2023-12-07T08:00:00+07:00", every=8)  # one word in eight changed: another text
    site = Site(n_articles=200, n_categories=5, seed=3)  # 200 articles written from the same 17 sentences
    templated = [
        complete({**goldens[0], "url": f"https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-{a.id}.html", "article_id": str(a.id),
                  "layout": "nukeviet", "published_at": a.published.strftime("%Y-%m-%dT%H:%M:%S+07:00"), "body_text": a.body_text})
        for a in site.articles
    ]
    write_feed(tmp_path / "src" / "a.jsonl", [*goldens, rewrite, *templated])
    outcome = build(tmp_path / "src", tmp_path / "corpus")
    assert outcome.articles == len(goldens) + 1 + 200 and outcome.near_duplicates == 0
    assert all(r["near_duplicate_of"] is None for r in articles_of(tmp_path / "corpus"))


def test_short_bodies_are_never_compared(tmp_path, goldens) -> None:
    notice = "Xem chi tiết trong tệp đính kèm dưới đây."
    assert len(notice.split()) < MIN_WORDS and shingles(notice) == []
    a = complete({**goldens[6], "body_text": notice})
    b = complete({**goldens[7], "body_text": notice})
    write_feed(tmp_path / "src" / "a.jsonl", [a, b])
    build(tmp_path / "src", tmp_path / "corpus")
    assert [r["near_duplicate_of"] for r in articles_of(tmp_path / "corpus")] == [None, None]


def test_the_earliest_article_is_the_original_across_incremental_runs(tmp_path, goldens) -> None:
    a = goldens[4]  # published 2023-12-05T10:15
    b = copy_of(a, 903, "2023-12-07T08:00:00+07:00")
    src, dest = tmp_path / "src", tmp_path / "corpus"
    write_feed(src / "articles-1.jsonl", [a, b])
    build(src, dest)
    assert _rows(dest)[b["url"]]["near_duplicate_of"] == a["url"]

    c = copy_of(a, 904, "2023-11-28T07:00:00+07:00")  # an older copy turns up (a web archive, a sister portal), in another month
    write_feed(src / "articles-2.jsonl", [c])
    outcome = build(src, dest)
    assert outcome.records == 1 and not outcome.full and outcome.months_written == 2  # c's month, and a's and b's
    rows = _rows(dest)
    assert rows[a["url"]]["near_duplicate_of"] == c["url"]  # re-pointed, though a itself did not change
    assert rows[b["url"]]["near_duplicate_of"] == c["url"]
    assert rows[c["url"]]["near_duplicate_of"] is None

    c_rewritten = edited({**c}, goldens[0]["body_text"], "2025-01-20T19:15:00Z")  # its body replaced: no longer a copy
    write_feed(src / "articles-3.jsonl", [c_rewritten])
    build(src, dest)
    rows = _rows(dest)
    assert rows[a["url"]]["near_duplicate_of"] is None and rows[b["url"]]["near_duplicate_of"] == a["url"]
    assert rows[c["url"]]["near_duplicate_of"] is None and rows[c["url"]]["revision_count"] == 2

    full = tmp_path / "full"  # the same as building from scratch
    build(src, full, full=True)
    assert data_files(full) == data_files(dest)


def test_a_copy_names_its_originals_new_address_though_only_the_original_was_merged_again(tmp_path, goldens) -> None:
    a = complete(goldens[4], "2025-01-10T19:15:00Z")  # 2023-12
    b = copy_of(a, 906, "2024-02-07T08:00:00+07:00")  # another month's file
    src, dest = tmp_path / "src", tmp_path / "corpus"
    write_feed(src / "articles-1.jsonl", [a, b])
    build(src, dest)
    assert _rows(dest)[b["url"]]["near_duplicate_of"] == a["url"]
    moved = complete({**a, "url": a["url"].replace("triet-pha", "triet-pha-thanh-cong")}, "2025-01-20T19:15:00Z")  # slug edited
    write_feed(src / "articles-2.jsonl", [moved])
    again = build(src, dest)
    assert again.records == 1 and again.months_written == 2  # its month and the copy's
    assert _rows(dest)[b["url"]]["near_duplicate_of"] == moved["url"] != a["url"]
    build(src, tmp_path / "full", full=True)
    assert data_files(tmp_path / "full") == data_files(dest)


def test_sqlite_buckets_give_the_candidates_datasketch_lsh_gives(tmp_path, goldens) -> None:
    copies = [copy_of(g, 910 + i, "2025-01-01T00:00:00+07:00", every=12 + i) for i, g in enumerate(goldens)]
    write_feed(tmp_path / "src" / "a.jsonl", [*goldens, *copies])
    build(tmp_path / "src", tmp_path / "corpus")
    shutil.copyfile(tmp_path / "corpus" / "corpus.sqlite", tmp_path / "copy.sqlite")
    near = NearDuplicates(Store(tmp_path / "copy.sqlite"))
    signed = near.store.db.execute("SELECT id, signature FROM articles WHERE signature IS NOT NULL").fetchall()
    assert len(signed) == 2 * len(goldens)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    for aid, blob in signed:
        lsh.insert(aid, near._from_blob(blob))
    pairs = 0
    for aid, blob in signed:
        ours = {other for other, _ in near.candidates(aid)}
        assert ours == set(lsh.query(near._from_blob(blob))) - {aid}, aid
        pairs += len(ours)
    assert pairs >= 2  # some copies share buckets with their originals, some (more edited) do not
    assert pairs < 2 * len(goldens)


def test_an_articles_date_decides_which_one_names_the_other(tmp_path, goldens) -> None:
    a = goldens[4]
    early = copy_of(a, 905, (_shift(a["published_at"], days=-3)))
    write_feed(tmp_path / "src" / "a.jsonl", [a, early])
    build(tmp_path / "src", tmp_path / "corpus")
    rows = _rows(tmp_path / "corpus")
    assert rows[a["url"]]["near_duplicate_of"] == early["url"] and rows[early["url"]]["near_duplicate_of"] is None


def _shift(iso: str, days: int) -> str:
    from datetime import datetime

    return (datetime.fromisoformat(iso) + timedelta(days=days)).isoformat()
