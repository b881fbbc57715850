"""The offline ``extract`` command: JSON Lines out, one-line errors, the other files still done."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from scraper.extract import run
from tests.conftest import ARTICLES, ROOT

SEED = ARTICLES / "legacy-seed.html"


def test_command_prints_unescaped_json_lines() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "scraper", "extract", str(SEED), "--url", "http://congan.laichau.gov.vn/ChiTietTin.aspx?ID=1893"],
        capture_output=True, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    lines = proc.stdout.decode("utf-8").splitlines()
    assert len(lines) == 1
    assert "Hiệu quả thiết thực từ công tác dân vận" in lines[0]  # not \u-escaped
    record = json.loads(lines[0])
    assert record["url"] == "http://congan.laichau.gov.vn/ChiTietTin.aspx?ID=1893"
    assert record["published_at"] == "2021-01-08T17:58:02+07:00"


def test_bad_inputs_get_one_line_errors_and_the_rest_still_runs(tmp_path) -> None:
    listing = tmp_path / "listing.html"
    listing.write_text("<html><body><h2><a href='/a/b-1.html'>Tin</a></h2></body></html>", "utf-8")
    missing = tmp_path / "missing.html"
    out, err = io.StringIO(), io.StringIO()
    code = run([missing, SEED, listing, ARTICLES / "nukeviet-default.html"], None, out, err)
    assert code == 1
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["layout"] for r in records] == ["legacy", "nukeviet"]
    errors = err.getvalue().splitlines()
    assert len(errors) == 2
    assert errors[0].startswith("error: ") and "missing.html" in errors[0] and "cannot read" in errors[0]
    assert "listing.html" in errors[1] and "not an article" in errors[1]


def test_without_url_the_file_address_is_used() -> None:
    out = io.StringIO()
    assert run([SEED], None, out, io.StringIO()) == 0
    record = json.loads(out.getvalue())
    assert record["fetched_url"] == SEED.resolve().as_uri()
    assert record["images"][0]["url"].startswith("file://")
