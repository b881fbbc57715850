"""Vietnamese dates: day first, SA/CH, weekday prefixes, precision and zone."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.dates import VN_TZ, find_time, parse_time

CASES = [
    # the 2021 portal (.NET vi-VN "dd/MM/yyyy h:mm:ss tt")
    ("08/01/2021 5:58:02 CH", "2021-01-08T17:58:02+07:00"),
    ("26/02/2021 7:49:19 SA", "2021-02-26T07:49:19+07:00"),
    ("01/02/2021 2:40:11 CH", "2021-02-01T14:40:11+07:00"),
    ("15/03/2021 12:10:44 CH", "2021-03-15T12:10:44+07:00"),  # 12 CH is noon
    ("15/03/2021 12:05:00 SA", "2021-03-15T00:05:00+07:00"),  # 12 SA is midnight
    ("31/12/2020 11:59:59 CH", "2020-12-31T23:59:59+07:00"),
    ("01/01/2021 12:00:00 SA", "2021-01-01T00:00:00+07:00"),
    ("(Ngày đăng :08/01/2021 5:58:02 CH)", "2021-01-08T17:58:02+07:00"),
    ("5/3/2021 9:04:00 sa", "2021-03-05T09:04:00+07:00"),
    ("05/03/2021 9:04 PM", "2021-03-05T21:04:00+07:00"),
    # NukeViet "l - d/m/Y H:i"
    ("Thứ ba - 05/12/2023 10:15", "2023-12-05T10:15:00+07:00"),
    ("Thứ hai - 01/01/2024 00:00", "2024-01-01T00:00:00+07:00"),
    ("Thứ bảy - 29/02/2020 23:59", "2020-02-29T23:59:00+07:00"),  # leap day
    ("Chủ nhật, 24/12/2023 - 08:27", "2023-12-24T08:27:00+07:00"),
    ("Thứ năm, 07/11/2024, 14:30", "2024-11-07T14:30:00+07:00"),
    # listings: "d/m/Y H:i:s"
    ("05/12/2023 10:15:32", "2023-12-05T10:15:32+07:00"),
    ("5/12/2023 7:05", "2023-12-05T07:05:00+07:00"),
    ("10:15 05/12/2023", "2023-12-05T10:15:00+07:00"),
    ("10h15, 05/12/2023", "2023-12-05T10:15:00+07:00"),
    # day precision
    ("(06/12/2023)", "2023-12-06"),
    ("Ngày 24/12/2025", "2025-12-24"),
    ("24-12-2025", "2025-12-24"),
    ("24.12.2025", "2025-12-24"),
    ("01/02/2021", "2021-02-01"),  # day first: 1 February, never 2 January
    ("12/01/2021", "2021-01-12"),
    # the rest goes to dateparser
    ("5 tháng 3 năm 2021", "2021-03-05"),
    ("2023-12-05T10:15:00+07:00", "2023-12-05T10:15:00+07:00"),
    ("2023-12-05T03:15:00Z", "2023-12-05T10:15:00+07:00"),
    # impossible or absent values: kept raw, no value
    ("31/02/2021", None),
    ("32/01/2021 10:00", None),
    ("13:00 CH 01/01/2021", None),
    ("25:61 05/12/2023", None),
    ("không rõ", None),
    ("hôm qua", None),
]


@pytest.mark.parametrize(("raw", "iso"), CASES)
def test_parse_time(raw: str, iso: str | None) -> None:
    parsed = parse_time(raw)
    assert parsed is not None
    assert parsed.iso == iso
    assert parsed.raw == " ".join(raw.split())


def test_times_carry_the_vietnam_zone() -> None:
    value = parse_time("08/01/2021 5:58:02 CH").value
    assert value.utcoffset() == VN_TZ.utcoffset(None)
    assert value.isoformat().endswith("+07:00")


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_no_string_is_none(raw: str | None) -> None:
    assert parse_time(raw) is None


def test_raw_is_nfc_and_trimmed() -> None:
    import unicodedata

    parsed = parse_time(unicodedata.normalize("NFD", "  Thứ ba -  05/12/2023 10:15 "))
    assert parsed.raw == "Thứ ba - 05/12/2023 10:15"
    assert parsed.iso == "2023-12-05T10:15:00+07:00"


def test_find_time_separates_title_from_date() -> None:
    text = "Tình người sau “song sắt”(05/02/2021 9:24:04 SA)"
    matched, parsed = find_time(text)
    assert text.replace(matched, "").rstrip("()") == "Tình người sau “song sắt”"
    assert parsed.iso == "2021-02-05T09:24:04+07:00"


def test_find_time_none_without_date() -> None:
    assert find_time("Tin liên quan") is None


# separators the known shapes use and some they do not, so a shape widened to a new one fails here
_PIECES = st.sampled_from(
    ["08", "1", "2021", "/", "-", ".", ",", "\u2013", "_", ":", " ", "5:58:02", "CH", "SA", "Thứ ba", "ngày", "lúc", "h", "x"]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_the_separator_shortcut_finds_what_the_full_search_finds(text: str) -> None:
    """Texts without "/", "-" or "." skip the search: no known shape can match them."""
    from scraper.dates import _KNOWN, _search

    full, quick = _KNOWN.search(text), _search(text)
    assert (full.span() if full else None) == (quick.span() if quick else None)


def test_a_time_shown_again_is_parsed_once_and_cannot_be_changed() -> None:
    """Related lists repeat their neighbours' dates: the second parse is the cached first."""
    first = parse_time("26/02/2021 7:49:19 SA")
    assert parse_time("26/02/2021 7:49:19 SA") is first
    assert first is not None and first.iso == "2021-02-26T07:49:19+07:00"
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.raw = "changed"  # type: ignore[misc]
