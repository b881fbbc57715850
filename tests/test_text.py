"""Text cleaning: the fast paths give exactly what the plain definition gives."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.text import INVISIBLE, clean, clean_lines, decode_entities

# Vietnamese letters, every kind of white space split() knows, entities and invisible characters.
PIECES = st.sampled_from([
    "a", "Đ", "ệ", unicodedata.normalize("NFD", "ệ"), " ", "  ", "\t", "\n", "\u00a0", "\u2028", "\u3000",
    "\x1c", "&amp;", "&#x002F;", "&lt;b&gt;", "\u200b", "\u00ad", "\ufeff", "Tin liên quan", "12:30", "x",
])
TEXTS = st.lists(PIECES, max_size=12).map("".join)


def reference_clean(text: str) -> str | None:
    text = unicodedata.normalize("NFC", INVISIBLE.sub("", decode_entities(text)))
    return " ".join(text.split()) or None


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_clean_matches_its_plain_definition(text: str) -> None:
    assert clean(text) == reference_clean(text)
    assert clean(clean(text) or "") == clean(text)  # idempotent


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_clean_lines_keeps_single_breaks_and_nothing_else(text: str) -> None:
    cleaned = clean_lines(text)
    expected = "\n".join(
        line for line in (" ".join(part.split()) for part in
                          unicodedata.normalize("NFC", INVISIBLE.sub("", decode_entities(text))).split("\n")) if line
    )
    assert cleaned == expected
    assert unicodedata.is_normalized("NFC", cleaned) and not INVISIBLE.search(cleaned)
