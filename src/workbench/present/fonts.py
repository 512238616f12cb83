"""One typeface for every letter: the report's fonts embedded, subset to the characters of the page.

A Linux machine resolves "Georgia, Times New Roman" to Liberation Serif, which has no ә, ғ, қ, ң,
ө, ұ, ү, һ: a Kazakh word then mixes two typefaces. Every page therefore carries its own serif and
sans-serif faces (DejaVu, which has every Russian and Kazakh letter; matplotlib ships the files, so
nothing new is installed and nothing is fetched), cut down with fontTools and inlined as WOFF data.
The cut keeps the letters of the scripts the reports are written and quote in (:data:`REPERTOIRE`:
Latin with its accented letters, Cyrillic with every Kazakh letter, punctuation and the signs we
print) and any other character of the page the font has: most pages share one subset per face,
made once (about 0.15 s a face) instead of once a page. A subset depends only on the font file and
the characters, so it is kept in a cache folder.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import io
import logging
import re
from pathlib import Path
from typing import Iterable

from workbench.model.outputs import atomic_write

__all__ = ["FACES", "SERIF", "SANS", "REPERTOIRE", "font_css", "embed_fonts"]

#: The families the style sheet names first.
SERIF, SANS = "WB Serif", "WB Sans"
#: (family, file in matplotlib's font folder, weight, style).
FACES = (
    (SERIF, "DejaVuSerif.ttf", 400, "normal"),
    (SERIF, "DejaVuSerif-Bold.ttf", 700, "normal"),
    (SERIF, "DejaVuSerif-Italic.ttf", 400, "italic"),
    (SANS, "DejaVuSans.ttf", 400, "normal"),
    (SANS, "DejaVuSans-Bold.ttf", 700, "normal"),
)
_ALWAYS = "".join(chr(c) for c in range(32, 127)) + "«»“”‘’—–…†·×→≥≤%№"


def _block(first: int, last: int) -> str:
    return "".join(chr(c) for c in range(first, last + 1))


#: Every face keeps these: ASCII, Latin-1 and Latin Extended-A (French, Lithuanian, ... names and
#: quotations), the Russian and Kazakh alphabets, the common punctuation, and signs.
REPERTOIRE = "".join(sorted(set(_ALWAYS + _block(0xA0, 0x17F) + _block(0x410, 0x44F) + "Ёё" + "ӘәҒғҚқҢңӨөҰұҮүҺһІі"
                                + _block(0x2010, 0x2027) + _block(0x2030, 0x203A) + "−≈≠")))


def _font_folder() -> Path:
    import matplotlib  # deferred: matplotlib's data folder, only when a page is written

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _subset(path: Path, chars: str) -> bytes:
    """The WOFF bytes of ``path`` holding only ``chars`` (no hinting: a screen and a PDF need none)."""
    # deferred: fontTools loads only when a page is exported
    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "FFTM NOT subset" is no news to a reader
    options = subset.Options()
    options.flavor, options.hinting, options.desubroutinize = "woff", False, True
    options.name_IDs, options.notdef_outline = ["*"], True
    font = TTFont(str(path), lazy=True, recalcTimestamp=False)  # the same bytes on every run
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=sorted({ord(c) for c in chars}))
    cutter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff"
    font.save(out)
    return out.getvalue()


#: Bump when :func:`_subset` changes how it cuts a font: a subset kept in the cache is then made again.
_SUBSET_RULES = "woff; no hinting; desubroutinized; every name; notdef outline; original timestamps"


@functools.lru_cache(maxsize=None)
def _font_key(path: Path) -> bytes:
    """What a subset of ``path`` depends on besides its characters: the font file, fontTools' version
    and our rules (read once per process: five faces for every page of a run)."""
    import fontTools  # deferred: fontTools loads only when a page is exported

    return hashlib.sha256(path.read_bytes()).digest() + f"{fontTools.version}|{_SUBSET_RULES}".encode()


@functools.lru_cache(maxsize=32)
def _subset_once(path: Path, chars: str) -> bytes:
    """:func:`_subset`, kept for the process: cutting the five faces takes about 1.6 s, and a process
    that exports pages of several checkouts (each with its own cache folder) needs each cut once."""
    return _subset(path, chars)


def _cached_subset(path: Path, chars: str, cache: Path | None) -> bytes:
    if cache is None:
        return _subset_once(path, chars)
    key = hashlib.sha256(_font_key(path) + chars.encode("utf-8")).hexdigest()[:24]
    kept = cache / f"{path.stem}-{key}.woff"
    if kept.exists():
        return kept.read_bytes()
    data = _subset_once(path, chars)
    atomic_write(kept, data)
    return data


@functools.lru_cache(maxsize=None)
def _covered(path: Path) -> frozenset[str]:
    """The characters ``path`` has a glyph for (read once per process)."""
    from fontTools.ttLib import TTFont  # deferred: fontTools loads only when a page is exported

    return frozenset(chr(c) for c in TTFont(str(path), lazy=True).getBestCmap())


@functools.lru_cache(maxsize=64)
def _face_rule(family: str, name: str, weight: int, style: str, text: str, cache: Path | None) -> str:
    """One ``@font-face`` rule, its font subset to ``text`` (kept for the pages that share it)."""
    data = base64.b64encode(_cached_subset(_font_folder() / name, text, cache)).decode("ascii")
    return (f'@font-face {{ font-family: "{family}"; src: url(data:font/woff;base64,{data}) format("woff"); '
            f"font-weight: {weight}; font-style: {style}; font-display: block; }}")


def font_css(chars: Iterable[str], cache: Path | None = None) -> str:
    """``@font-face`` rules embedding every face of :data:`FACES`, each subset to the
    :data:`REPERTOIRE` and the characters of ``chars`` the face has."""
    wanted = set("".join(chars)) - set(REPERTOIRE)
    rules = []
    for family, name, weight, style in FACES:
        text = REPERTOIRE + "".join(sorted(wanted & _covered(_font_folder() / name)))
        rules.append(_face_rule(family, name, weight, style, text, cache))
    return "\n".join(rules)


def embed_fonts(page: str, cache: Path | None = None) -> str:
    """``page`` with its fonts embedded in a ``<style>`` at the top of ``<head>``.

    The subset holds every character of the page's text (markup and data URIs add only ASCII).
    """
    body = re.sub(r"data:[^\"')\s]+", "", page)
    css = font_css(set(body), cache)
    return page.replace("<head>", f'<head>\n<style type="text/css">\n{css}\n</style>', 1)
