"""Every fixture's record matches its hand-written golden JSON, field by field."""

from __future__ import annotations

import hashlib
import json

import pytest
from jsonschema import Draft202012Validator

from scraper.items import FIELDS, schema
from scraper.pages import extract_article
from scraper.pipelines import build_record, record_dict
from tests.conftest import golden_cases, load_golden

#: Fields a hand-written golden cannot hold; each is checked another way below.
DERIVED = {"body_html", "fetched_at", "word_count", "content_hash"}
CASES = golden_cases()


def _record(golden_path):
    golden = load_golden(golden_path)
    html = golden_path.with_suffix(".html").read_bytes()
    return golden, record_dict(build_record(extract_article(html, golden["fetched_url"])))


def test_every_layout_has_fixtures() -> None:
    layouts = {load_golden(p)["layout"] for p in CASES}
    assert layouts == {"nukeviet", "nukeviet-print", "legacy"}
    assert len(CASES) >= 8


@pytest.mark.parametrize("golden_path", CASES, ids=[p.stem for p in CASES])
@pytest.mark.parametrize("field", [f for f in FIELDS if f not in DERIVED])
def test_field_matches_golden(golden_path, field) -> None:
    golden, record = _record(golden_path)
    assert field in golden, f"golden {golden_path.name} lacks {field}"
    assert record[field] == golden[field]


@pytest.mark.parametrize("golden_path", CASES, ids=[p.stem for p in CASES])
def test_derived_fields(golden_path) -> None:
    golden, record = _record(golden_path)
    assert record["word_count"] == len(golden["body_text"].split())
    assert record["content_hash"] == hashlib.sha256(golden["body_text"].encode()).hexdigest()
    assert record["fetched_at"].endswith("Z")
    # the cleaned fragment holds the body and nothing executable
    html = record["body_html"]
    assert "<script" not in html and "onclick" not in html.lower()
    for image in golden["images"][len(golden["images"]) - sum(1 for i in golden["images"] if i["url"] in html):]:
        assert image["url"] in html


@pytest.mark.parametrize("golden_path", CASES, ids=[p.stem for p in CASES])
def test_record_and_golden_validate_against_schema(golden_path) -> None:
    golden, record = _record(golden_path)
    validator = Draft202012Validator(schema())
    assert list(validator.iter_errors(record)) == []
    filled = {**golden, "body_html": "", "fetched_at": "2026-01-01T00:00:00Z", "word_count": 0, "content_hash": "0" * 64}
    assert list(validator.iter_errors(filled)) == []


@pytest.mark.parametrize("golden_path", CASES, ids=[p.stem for p in CASES])
def test_record_is_json_serialisable_in_nfc(golden_path) -> None:
    import unicodedata

    _, record = _record(golden_path)
    text = json.dumps(record, ensure_ascii=False)
    assert unicodedata.is_normalized("NFC", text)
    assert "&#" not in record["title"] and "&amp;" not in record["body_text"]
