"""``python -m scraper demo`` runs the real spider over the replica and summarises it."""

from __future__ import annotations

import json

from scraper.demo import run


def test_demo_crawls_the_replica(tmp_path, capsys) -> None:
    assert run(out_dir=tmp_path / "demo", articles=60) == 0
    printed = capsys.readouterr().out
    feeds = list((tmp_path / "demo").glob("articles-*.jsonl"))
    assert len(feeds) == 1
    recs = [json.loads(line) for line in feeds[0].read_text("utf-8").splitlines()]
    assert len(recs) >= 55  # 60 articles, one or two of which the replica answers 404
    assert f"{len(recs)} records" in printed
