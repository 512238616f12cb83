"""The fonts a page embeds: one shared subset for the pages the reports write, the page's own
characters added only when it has some the repertoire lacks and the typeface has."""
from __future__ import annotations

import base64
import io
import re

import pytest

from fontTools.ttLib import TTFont

from workbench.present.fonts import REPERTOIRE, font_css

_WOFF = re.compile(r'font-family: "([^"]+)"; src: url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\) format\("woff"\); font-weight: (\d+); font-style: (\w+)')


def _faces(css: str) -> dict[tuple[str, str, str], set[str]]:
    """(family, weight, style) -> the characters its embedded font has glyphs for."""
    out = {}
    for family, data, weight, style in _WOFF.findall(css):
        font = TTFont(io.BytesIO(base64.b64decode(data)))
        out[(family, weight, style)] = {chr(c) for c in font.getBestCmap()}
    return out


def test_pages_in_english_russian_and_kazakh_share_one_subset(tmp_path):
    english = font_css("Leadership and direction — 42 %", tmp_path)
    russian = font_css("Лидерство и стратегическое направление «Ёлка»", tmp_path)
    kazakh = font_css("Көшбасшылық және стратегиялық бағыт: әғқңөұүһі ӘҒҚҢӨҰҮҺІ", tmp_path)
    assert english == russian == kazakh
    faces = _faces(kazakh)
    assert len(faces) == 5
    for chars in faces.values():
        assert set("әғқңөұүһіӘҒҚҢӨҰҮҺІёЁ«»—") <= chars
        assert set("ąėįšųžéèçœ") <= chars  # Lithuanian and French names


def test_a_character_beyond_the_repertoire_is_added_when_the_typeface_has_it(tmp_path):
    assert "Ω" not in REPERTOIRE
    shared = font_css("plain text", tmp_path)
    greek = font_css("plain text Ω", tmp_path)
    assert greek != shared
    assert all("Ω" in chars for chars in _faces(greek).values())
    # a letter no face has (Japanese) changes nothing: the page falls back to the reader's fonts for it
    assert font_css("plain text 標準", tmp_path) == shared


def test_subsets_are_kept_in_the_cache_and_reused(tmp_path):
    first = font_css("Лидерство", tmp_path)
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert len(kept) == 5
    assert font_css("Leadership", tmp_path) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == kept


def test_a_second_checkout_gets_the_subsets_without_cutting_them_again(tmp_path, monkeypatch):
    """Every test project (and any process exporting pages of two checkouts) paid 1.6 s for the cuts."""
    from workbench.present import fonts

    first, second = tmp_path / "one", tmp_path / "two"
    css = font_css("Лидерство ≠", first)
    monkeypatch.setattr(fonts, "_subset", lambda *args: pytest.fail("a subset was cut again"))
    assert font_css("Лидерство ≠", second) == css
    assert sorted(p.name for p in second.iterdir()) == sorted(p.name for p in first.iterdir())
    assert all((second / p.name).read_bytes() == p.read_bytes() for p in first.iterdir())
