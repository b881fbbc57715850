"""The body's paragraph splitter: its one-pass form gives exactly what the plain definition gives."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.pages.body import _BR, _PB, split_paragraphs
from scraper.text import clean_lines
from tests.test_text import PIECES

#: A stream comes from a parsed page, which is NFC already (parse() sees to it).
NFC_PIECES = PIECES.filter(lambda piece: unicodedata.is_normalized("NFC", piece))
STREAMS = st.lists(st.one_of(NFC_PIECES, st.sampled_from([_PB, _BR, f"{_BR} {_BR}", f"{_BR}\n\t{_BR}"])), max_size=16).map("".join)


def reference_split(stream: str) -> list[str]:
    """Blocks and runs of line breaks end a paragraph; one line break stays "\\n"; each line is
    cleaned on its own."""
    out = []
    for chunk in re.sub(f"{_BR}(?:\\s*{_BR})+", _PB, stream).split(_PB):
        lines = [" ".join(part.split()) for part in chunk.split(_BR)]
        text = clean_lines("\n".join(line for line in lines if line))
        if text:
            out.append(text)
    return out


@settings(max_examples=600, deadline=None)
@given(STREAMS)
def test_split_paragraphs_matches_its_plain_definition(stream: str) -> None:
    assert split_paragraphs(stream) == reference_split(stream)


def test_split_paragraphs_on_a_marked_body() -> None:
    stream = f"{_PB} Công an  tỉnh{_BR} Lai Châu {_PB}{_PB}\n Đoạn &amp; hai{_BR}\n{_BR}Đoạn ba\u200b "
    assert split_paragraphs(stream) == ["Công an tỉnh\nLai Châu", "Đoạn & hai", "Đoạn ba"]
