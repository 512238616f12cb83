"""English kept on purpose in a Russian or Kazakh page, marked as English (``<span lang="en">``).

Every interface string of a Russian or Kazakh report is translated (the catalogues' tests see to
it); what stays in Latin script is data in the language of its source: the author-year of an
English paper, a locator in it, an item's official label, a quotation, a web address. Screen
readers, hyphenation and spell checkers must read those runs as English, so each run of Latin-script
words in the page's text (outside ``code``, ``pre``, ``script``, ``style`` and elements already
marked ``lang="en"``) is wrapped in a ``<span lang="en">``. Tags, attributes, comments and the
contents of scripts and styles are kept byte for byte; text is written with its character references
as the characters they stand for (only ``&``, ``<`` and ``>`` escaped), so that an apostrophe
written ``&#x27;`` is a letter of the English word around it, not a break in the run.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

__all__ = ["mark_english", "LATIN_RUN"]

#: Latin letters, accented ones too (a French "Délégation" is one word, not "D", "é", "l"...).
_L = "A-Za-zÀ-ÖØ-öø-ɏ"
#: A run of Latin-script words, with the spaces and punctuation between them.
LATIN_RUN = re.compile(f"[{_L}][{_L}0-9'’.\\-]*(?:[ \\t\\n,;:()&/–\\-]+[{_L}0-9][{_L}0-9'’.\\-]*)*[{_L}0-9.)]?")
_SKIP = frozenset({"script", "style", "code", "pre", "kbd", "samp", "var", "math", "title", "textarea", "head", "svg"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


#: Elements whose text an HTML parser hands over as written (no character references read).
_RAW_TEXT = frozenset({"script", "style"})


def _marked(text: str) -> str:
    """``text`` (characters, not markup) escaped, with each Latin-script run marked English.

    >>> print(_marked("Источник: OPM's memo & Росстат <3"))
    Источник: <span lang="en">OPM's memo</span> &amp; Росстат &lt;3
    >>> print(_marked("Источник: Délégation interministérielle (DIESE)"))
    Источник: <span lang="en">Délégation interministérielle (DIESE)</span>
    """
    out, end = [], 0
    for m in LATIN_RUN.finditer(text):
        out += [html.escape(text[end:m.start()], quote=False), f'<span lang="en">{html.escape(m.group(0), quote=False)}</span>']
        end = m.end()
    return "".join(out) + html.escape(text[end:], quote=False)


class _Marker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, text inside is left as it is)

    def _kept(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())
        if tag in _VOID:
            return
        lang = dict(attrs).get("lang") or ""
        # an element that says its own language (English, a French quotation) is left as it is
        self.stack.append((tag, self._kept() or tag in _SKIP or (bool(lang) and not lang.startswith(("ru", "kk")))))

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")
        for i in range(len(self.stack) - 1, -1, -1):  # an end tag closes what an omitted end tag left open
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] in _RAW_TEXT:
            self.out.append(data)
        elif self._kept():
            self.out.append(html.escape(data, quote=False))
        else:
            self.out.append(_marked(data))

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.out.append(f"<![{data}]>")


def mark_english(page: str, lang: str) -> str:
    """``page`` with every run of Latin-script words in its text marked ``lang="en"``, when the page's
    language is not English (an English page is returned as it is).

    >>> mark_english('<p>Источник: Davletbayeva et al. 2024, <code>seed001</code></p>', "ru")
    '<p>Источник: <span lang="en">Davletbayeva et al. 2024</span>, <code>seed001</code></p>'
    >>> mark_english('<p lang="en">Kept</p><p>Only Russian</p>', "en")
    '<p lang="en">Kept</p><p>Only Russian</p>'
    >>> print(mark_english('<p title="a&#39;b">по OPM&#x27;s memo &lt;img&gt;</p><style>a > b {}</style><!-- x > y -->', "ru"))
    <p title="a&#39;b">по <span lang="en">OPM's memo</span> &lt;<span lang="en">img</span>&gt;</p><style>a > b {}</style><!-- x > y -->
    """
    if lang == "en":
        return page
    marker = _Marker()
    marker.feed(page)
    marker.close()
    return "".join(marker.out)
