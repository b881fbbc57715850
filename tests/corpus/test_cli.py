"""``python -m scraper corpus``: bad options refused in one line naming the option (exit 2, no
traceback, DEST untouched); a build says what it did in one line."""

from __future__ import annotations

import pytest

from tests.corpus.conftest import corpus_cli, write_feed


def _one_error(done, *words: str) -> str:
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, done.stderr
    assert all(w in errors[0] for w in words), errors[0]
    return errors[0]


@pytest.fixture
def src(tmp_path, goldens):
    write_feed(tmp_path / "output" / "articles-20250110T191500Z.jsonl", goldens[:3])
    return tmp_path / "output"


@pytest.mark.parametrize(("args", "words"), [
    (["{src}"], ["the following arguments are required: --to"]),
    (["{missing}", "--to", "{dest}"], ["SRC {missing}: not a folder"]),
    (["{src}/articles-20250110T191500Z.jsonl", "--to", "{dest}"], ["SRC {src}/articles-20250110T191500Z.jsonl: not a folder"]),
    (["{src}", "--to", "{src}"], ["--to {src}: must not be SRC"]),
    (["{src}", "--to", "{file}"], ["--to {file}: is a file"]),
    (["{src}", "--to", "{other}"], ["--to {other}: holds files but no corpus", "new or empty folder"]),
    (["{src}", "--to", "{dest}", "--threshold", "0.5"], ["unrecognized arguments: --threshold"]),
])
def test_a_bad_option_is_refused_in_one_line_naming_it(tmp_path, src, args, words) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("a folder of the user's: never to be replaced")
    names = {"src": src, "dest": tmp_path / "corpus", "file": tmp_path / "file", "other": tmp_path / "other",
             "missing": tmp_path / "missing"}
    done = corpus_cli(*(a.format(**names) for a in args))
    _one_error(done, *(w.format(**names) for w in words))
    assert "usage:" in done.stderr
    assert not (tmp_path / "corpus").exists()
    assert (tmp_path / "other" / "notes.txt").read_text() == "a folder of the user's: never to be replaced"


def test_a_build_says_what_it_did_and_a_rerun_that_nothing_is_new(tmp_path, src) -> None:
    done = corpus_cli(src, "--to", tmp_path / "corpus")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"corpus: {tmp_path / 'corpus'}: 3 articles (3 new, 0 new revisions), 0 near-duplicates;")
    assert "built from all 3 records from 1 of 1 feed file(s)" in done.stdout and "; 3 of 3 month(s) written;" in done.stdout
    assert done.stderr == ""
    again = corpus_cli(src, "--to", tmp_path / "corpus")
    assert again.returncode == 0 and "is up to date: 3 articles; nothing new in 1 feed file(s)" in again.stdout
    assert {p.relative_to(tmp_path / "corpus").as_posix() for p in (tmp_path / "corpus").rglob("*")} == {
        "articles", "jsonl", "jsonl/articles", "jsonl/revisions", "README.md", "report.html", "corpus.sqlite", "manifest.json",
        *(f"{kind}/{month}.{ext}" for month in ("2021-01", "2021-02", "2021-03")
          for kind, ext in (("articles", "parquet"), ("jsonl/articles", "jsonl"))),
    }


def test_a_dest_holding_only_what_a_killed_first_build_left_is_taken(tmp_path, src) -> None:
    dest = tmp_path / "corpus"
    dest.mkdir()
    (dest / ".corpus.sqlite.tmp-x1y2").write_bytes(b"half a database")  # the first build was killed merging
    done = corpus_cli(src, "--to", dest)
    assert done.returncode == 0, done.stderr
    assert "3 articles" in done.stdout and not (dest / ".corpus.sqlite.tmp-x1y2").exists()
