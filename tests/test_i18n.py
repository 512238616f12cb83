"""Issue 22: the gettext way through the make targets: extract, update (a changed English string turns
fuzzy in both catalogues), compile, and the draft it shows as in the next report."""
from __future__ import annotations

import re
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import REPO, workbench_executable
from workbench.model import catalogues, i18n
from workbench.model.messages import MESSAGES

KEY, OLD, NEW = "ui.references", "References", "Sources cited"


WORDS = REPO / "src" / "workbench" / "model" / "message_words.py"


def _make(target: str, locale: Path, sources: Path) -> subprocess.CompletedProcess:
    """A make target on a copy of the catalogues, extracting from ``sources`` and the words' module."""
    return subprocess.run(["make", "-s", target, f"LOCALE={locale}", f"I18N_SOURCES={sources} {WORDS}"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def changed_english(tmp_path: Path) -> Path:
    """A copy of the catalogues after ``References`` became ``Sources cited`` in the English source,
    extracted and merged with the make targets."""
    if not (REPO / ".venv" / "bin" / "pybabel").exists():
        pytest.skip("the make targets run the checkout's virtualenv (make test creates it)")
    locale = tmp_path / "locale"
    shutil.copytree(REPO / "src" / "workbench" / "locale", locale, ignore=shutil.ignore_patterns("*.mo"))
    sources = tmp_path / "messages.py"
    text = (REPO / "src" / "workbench" / "model" / "messages.py").read_text(encoding="utf-8")
    assert f'N_("{KEY}", "{OLD}")' in text
    sources.write_text(text.replace(f'N_("{KEY}", "{OLD}")', f'N_("{KEY}", "{NEW}")'), encoding="utf-8")
    for target in ("i18n-extract", "i18n-update", "i18n-compile"):
        done = _make(target, locale, sources)
        assert done.returncode == 0, done.stdout + done.stderr
    return locale


def test_the_make_targets_leave_the_catalogues_unchanged_when_nothing_changed(tmp_path):
    if not (REPO / ".venv" / "bin" / "pybabel").exists():
        pytest.skip("the make targets run the checkout's virtualenv (make test creates it)")
    locale = tmp_path / "locale"
    shutil.copytree(REPO / "src" / "workbench" / "locale", locale, ignore=shutil.ignore_patterns("*.mo"))
    sources = REPO / "src" / "workbench" / "model" / "messages.py"
    for target in ("i18n-extract", "i18n-update"):
        assert _make(target, locale, sources).returncode == 0
    for rel in ("workbench.pot", "ru/LC_MESSAGES/workbench.po", "kk/LC_MESSAGES/workbench.po"):
        assert (locale / rel).read_text(encoding="utf-8") == (REPO / "src/workbench/locale" / rel).read_text(encoding="utf-8"), rel
    done = _make("i18n-compile", locale, sources)
    assert done.returncode == 0 and not re.search(r"(?<![0-9])0 of", done.stderr)  # no catalogue with nothing translated
    assert (locale / "ru" / "LC_MESSAGES" / "workbench.mo").exists() and (locale / "kk" / "LC_MESSAGES" / "workbench-fuzzy.mo").exists()


def test_a_changed_english_string_turns_fuzzy_in_both_catalogues(changed_english):
    for lang in ("ru", "kk"):
        with open(changed_english / lang / "LC_MESSAGES" / "workbench.po", "rb") as fh:
            catalog = read_po(fh)
        message = catalog.get(NEW, context=KEY)
        assert message is not None and message.fuzzy, lang
        assert message.string  # the old translation is kept for the translator to check
        assert catalog.get(OLD, context=KEY) is None


def test_a_fuzzy_string_shows_as_a_draft_in_the_next_report(changed_english, monkeypatch):
    monkeypatch.setenv("WORKBENCH_LOCALE_DIR", str(changed_english))
    monkeypatch.setitem(MESSAGES, KEY, NEW)
    assert catalogues.locale_dir() == changed_english
    assert i18n.t(KEY, "ru") == "Источники" + i18n.DRAFT_MARK  # the old translation, marked
    assert i18n.t(KEY, "en") == NEW
    assert i18n.missing("kk") == [f"{KEY}:kk"]
    # the report's References heading and the legend of the mark, as a report renders them
    from workbench import present
    from workbench.model.dataset import load

    ds = load(REPO / "data")
    present.use(ds, "ru")
    heading = present.references_html(ds.sources, ["seed001"], "ru").markup
    assert f"<h2>Источники{i18n.DRAFT_MARK}</h2>" in heading
    assert i18n.t("ui.draft_mark_legend", "ru").startswith("†")


def test_a_translation_with_a_wrong_placeholder_is_a_draft_and_an_error_of_validate(tmp_path, monkeypatch):
    locale = tmp_path / "locale"
    shutil.copytree(REPO / "src" / "workbench" / "locale", locale, ignore=shutil.ignore_patterns("*.mo"))
    po = locale / "ru" / "LC_MESSAGES" / "workbench.po"
    text = po.read_text(encoding="utf-8")
    assert 'msgstr "дата обращения: {date}"' in text
    po.write_text(text.replace('msgstr "дата обращения: {date}"', 'msgstr "дата обращения: {dat}"'), encoding="utf-8")
    monkeypatch.setenv("WORKBENCH_LOCALE_DIR", str(locale))
    # the report goes on: the English text, marked as a draft, instead of a KeyError midway
    assert i18n.t("ui.accessed", "ru", date="2026-12-05") == "accessed 2026-12-05" + i18n.DRAFT_MARK
    line = next(i for i, l in enumerate(po.read_text(encoding="utf-8").split("\n"), 1) if 'msgctxt "ui.accessed"' in l)
    done = subprocess.run([workbench_executable(), "validate"], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "WORKBENCH_LOCALE_DIR": str(locale)}, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().startswith(f"{po}:") and "'ui.accessed': placeholder {dat} is not in the English text" in done.stderr
    assert abs(int(done.stderr.split(":")[1]) - line) <= 3


def test_an_unreadable_catalogue_is_one_line_naming_it(tmp_path, monkeypatch):
    locale = tmp_path / "locale"
    shutil.copytree(REPO / "src" / "workbench" / "locale", locale, ignore=shutil.ignore_patterns("*.mo"))
    po = locale / "kk" / "LC_MESSAGES" / "workbench.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgctxt "ui.kicker"', 'a line a translator pasted by mistake\nmsgctxt "ui.kicker"'),
                  encoding="utf-8")
    monkeypatch.setenv("WORKBENCH_LOCALE_DIR", str(locale))
    from workbench.model.errors import InputError

    with pytest.raises(InputError) as err:
        i18n.t("ui.kicker", "kk")
    assert str(err.value.problems[0]).startswith(str(po))
