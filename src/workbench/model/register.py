"""The register of policy options and its quotes as tables: one row per option, one per quote.

Texts keep one column per language (``title_en``, ``title_ru``, ``title_kk``...) and their review
state (``text_status_<lang>``); lists stay tuples (``concepts``, ``audience``...), and nested
citations (``models``, ``plans``) tuples of plain dicts, so that every analysis filters the
register with pandas and never needs the record classes.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.model.i18n import LANGUAGES
from workbench.model.validate.options import quote_spans

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["OPTION_COLUMNS", "QUOTE_COLUMNS", "option_frame", "quote_frame", "option_text"]

_TEXTS = ("title", "rationale", "kaz_text", "cost_reason", "risk", "indicator", "measured_in")
OPTION_COLUMNS = [
    "option_id", "concepts", "carries", *(f"{k}_{lang}" for k in _TEXTS for lang in LANGUAGES),
    *(f"text_status_{lang}" for lang in LANGUAGES), *(f"reviewed_by_{lang}" for lang in LANGUAGES),
    "models", "model_countries", "kaz_status", "kaz_source", "kaz_locator", "kaz_quotes", "plans", "audience",
    "instrument", "phase", "prerequisites", "cost_level", "risk_source", "risk_locator", "file", "line",
]
QUOTE_COLUMNS = ["quote_id", "source", "locator", "lang", "text", "document", "start", "end", "file", "line"]


def _by_language(prefix: str, texts: Any) -> dict[str, str]:
    return {f"{prefix}_{lang}": getattr(texts, lang) for lang in LANGUAGES}


def _option_row(o: Any, doc: Any, i: int) -> dict[str, Any]:
    models = tuple({"country": m.country, "source": m.source, "locator": m.locator, "quotes": tuple(m.quotes)}
                   for m in o.models)
    plans = tuple({"source": p.source, "locator": p.locator, "quotes": tuple(p.quotes),
                   **_by_language("text", p.text)} for p in o.kaz_plans)
    return {
        "option_id": o.id, "concepts": tuple(o.concepts), "carries": tuple(o.carries),
        **_by_language("title", o.title), **_by_language("rationale", o.rationale),
        **_by_language("kaz_text", o.kaz_now.text), **_by_language("cost_reason", o.cost.reason),
        **_by_language("risk", o.risk.text), **_by_language("indicator", o.indicator.text),
        **_by_language("measured_in", o.indicator.measured_in),
        **{f"text_status_{lang}": o.text_status[lang] for lang in LANGUAGES},
        **{f"reviewed_by_{lang}": o.reviewed_by.get(lang, "") for lang in LANGUAGES},
        "models": models, "model_countries": tuple(dict.fromkeys(m["country"] for m in models)),
        "kaz_status": o.kaz_now.status, "kaz_source": o.kaz_now.source, "kaz_locator": o.kaz_now.locator,
        "kaz_quotes": tuple(o.kaz_now.quotes), "plans": plans, "audience": tuple(o.audience),
        "instrument": o.instrument, "phase": o.phase, "prerequisites": tuple(o.prerequisites),
        "cost_level": o.cost.level, "risk_source": o.risk.source or "", "risk_locator": o.risk.locator or "",
        "file": doc.path, "line": doc.line_of((i,)),
    }


def option_frame(entries: list) -> "pd.DataFrame":
    """The options as read (``(Option, document, index)`` entries), one row each (:data:`OPTION_COLUMNS`)."""
    import pandas as pd  # deferred: a data mistake is reported without pandas' start-up time

    return pd.DataFrame([_option_row(o, doc, i) for o, doc, i in entries], columns=OPTION_COLUMNS)


def quote_frame(entries: list, seed_files: dict[str, str], root: Path) -> "pd.DataFrame":
    """The quotes, one row each (:data:`QUOTE_COLUMNS`), a seed quote with its document and offsets
    (``document[start:end]`` is the quoted passage as the file has it)."""
    import pandas as pd  # deferred: a data mistake is reported without pandas' start-up time

    spans = quote_spans(root, [q for q, _, _ in entries], seed_files)
    rows = []
    for q, doc, i in entries:
        document, start, end = spans.get(q.id, ("", -1, -1))
        rows.append({"quote_id": q.id, "source": q.source, "locator": q.locator, "lang": q.lang,
                     "text": " ".join(q.text.split()), "document": document, "start": start, "end": end,
                     "file": doc.path, "line": doc.line_of((i,))})
    return pd.DataFrame(rows, columns=QUOTE_COLUMNS)


def option_text(option: Any, key: str, lang: str) -> tuple[str, str]:
    """An option's text ``key`` (``title``, ``rationale``...) in ``lang`` and its review state there.

    >>> option_text({"title_ru": "Ввести", "text_status_ru": "draft"}, "title", "ru")
    ('Ввести', 'draft')
    """
    return str(option[f"{key}_{lang}"]), str(option[f"text_status_{lang}"])
