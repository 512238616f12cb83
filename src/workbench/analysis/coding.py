"""Content analysis: code the passages of a plain-text policy document against the taxonomy.

A document is cut into passages by :func:`~workbench.analysis.passages.split_passages` (sentences;
rows for tab-separated tables; front and back matter left out), and each passage is scored with
the same :class:`~workbench.analysis.suggest.ConceptSuggester` that proposes concepts for
framework items. Every coding keeps the character offsets of its passage, so
``quote == text[start:end]`` and a reviewer can always find it in the file. Codings are profiled
per document, and exported to and read back from review files.
"""
from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from workbench.model.dataset import default_data_dir
from workbench.model.defaults import CODING_THRESHOLD
from workbench.model.errors import InputError, Problem
from workbench.model.sourcefile import duplicate_column_problem, read_text, read_yaml, table_rows
from workbench.analysis.passages import split_passages
from workbench.analysis.suggest import UNKNOWN_LANGUAGE, ConceptSuggester, normalise_text, text_script
from workbench.model.validate import DECISIONS, check_number, review_row_problems

__all__ = [
    "CODING_COLUMNS",
    "REVIEW_COLUMNS",
    "DECISIONS",
    "NO_CODE",
    "DEFAULT_THRESHOLD",
    "code_document",
    "code_file",
    "concept_profile",
    "compare_profiles",
    "for_review",
    "read_review",
    "apply_decisions",
    "read_codings",
    "passage_key",
]

CODING_COLUMNS = ["document", "start", "end", "concept_id", "score", "quote"]
REVIEW_COLUMNS = CODING_COLUMNS + ["decision", "new_concept_id"]
#: The reviewer's code for a passage whose every machine coding was rejected.
NO_CODE = "(no code)"
#: Default score a concept needs to code a passage. Passages are longer than item labels, so
#: they score lower and noisier than items; 0.30 was chosen on a hand-judged development sample
#: of 60 codings of the seed papers (precision 0.57 at 0.25, 0.77 at 0.30, no gain above).
DEFAULT_THRESHOLD = CODING_THRESHOLD


def _cyrillic_model(model: ConceptSuggester) -> ConceptSuggester:
    """The fitted model judging by the taxonomy alone: curated examples are English item texts,
    so a Russian passage cannot resemble them and would otherwise lose their share of the score."""
    twin = copy.copy(model)
    twin.example_weight = 0.0
    return twin


def _passage_scores(model: ConceptSuggester, quotes: list[str], lang: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each passage's score for each concept, which passages are in a language the model does not
    know, and which are written in another script than a forced ``lang``.

    Parameters
    ----------
    model:
        A fitted suggester.
    quotes:
        The passages' texts.
    lang:
        ``en``, ``ru``, ``kk``, or ``auto`` to ask the model per passage. A forced language overrides
        what the model makes of a passage in its script (``kk`` for Kazakh without its own letters,
        ``en`` for English the model takes for another language), never the script: English words
        read as Russian score nothing true.

    Returns
    -------
    A ``(passages, concepts)`` float32 score matrix (zero rows for passages not coded), a boolean
    mask of the passages in an unknown language, and one of those in another script than ``lang``.
    """
    if lang == "auto":
        langs, elsewhere = [model.language(q) for q in quotes], np.zeros(len(quotes), dtype=bool)
    else:
        script = "cyrillic" if lang in ("ru", "kk") else "latin"
        langs, elsewhere = [lang] * len(quotes), np.array([text_script(q) not in (script, "none") for q in quotes], dtype=bool)
    unknown = np.array([g == UNKNOWN_LANGUAGE or g not in model.languages_ for g in langs], dtype=bool) & ~elsewhere
    cyrillic = np.array([g in ("ru", "kk") for g in langs], dtype=bool) & ~unknown & ~elsewhere
    latin = ~cyrillic & ~unknown & ~elsewhere
    scores = np.zeros((len(quotes), len(model.concept_ids_)), dtype=np.float32)
    for mask, scorer in ((latin, model), (cyrillic, _cyrillic_model(model))):
        if mask.any():
            scores[mask] = scorer.score([normalise_text(q) for q, m in zip(quotes, mask) if m], by_coverage=False)
    return scores, unknown, elsewhere


def code_document(
    model: ConceptSuggester,
    text: str,
    document: str,
    lang: str = "auto",
    threshold: float | None = None,
    top: int = 3,
) -> pd.DataFrame:
    """Code each passage of ``text`` with every concept scoring at least ``threshold`` (at most ``top``).

    Parameters
    ----------
    model:
        A fitted suggester (:func:`~workbench.analysis.suggest.fit_from_dataset`).
    lang:
        ``en``, ``ru``, ``kk`` or ``auto`` (per passage,
        :func:`~workbench.analysis.passages.passage_language`). Russian and Kazakh passages
        are scored against the taxonomy's labels and aliases only. A passage
        in a language the model does not know (another script, or Latin-script text that is
        not English) is not coded: its offsets are listed in ``attrs["unknown_language"]``
        of the result, so a reviewer sees what was skipped. With a forced language, a passage
        written in another script is not coded either, and listed in ``attrs["other_script"]``.
    threshold:
        Score a concept needs to code a passage (default :data:`DEFAULT_THRESHOLD`).
    top:
        At most this many concepts per passage.

    Returns
    -------
    DataFrame with :data:`CODING_COLUMNS`, one row per (passage, concept), best concept first;
    ``quote`` is exactly ``text[start:end]``.

    >>> from workbench.analysis.suggest import ConceptSuggester
    >>> concepts = pd.DataFrame({"concept_id": ["ethics"], "label_en": ["Ethics"], "label_ru": ["Этика"],
    ...     "definition": ["Acting ethically."], "aliases_en": [["ethical conduct"]], "aliases_ru": [["этика"]]})
    >>> m = ConceptSuggester().fit(concepts)
    >>> code_document(m, "Officials must show ethical conduct at work.", "d.txt")[["start", "end", "concept_id"]].values.tolist()
    [[0, 44, 'ethics']]
    """
    if lang not in ("en", "ru", "kk", "auto"):
        raise ValueError(f"unknown language '{lang}' (use en, ru, kk or auto)")
    if top < 1:
        raise ValueError(f"top must be at least 1 (got {top})")
    threshold = DEFAULT_THRESHOLD if threshold is None else check_number(threshold, "threshold", 0, 1)
    passages = split_passages(text)
    quotes = [text[p.start : p.end] for p in passages]
    scores, unknown, elsewhere = _passage_scores(model, quotes, lang)
    rows = []
    for p, quote, row, skip in zip(passages, quotes, scores, unknown | elsewhere):
        if skip:
            continue
        order = np.argsort(-row, kind="stable")[:top]
        for j in order:
            if row[j] >= threshold:
                rows.append((document, p.start, p.end, model.concept_ids_[j], round(float(row[j]), 4), quote))
    out = pd.DataFrame(rows, columns=CODING_COLUMNS).astype({"start": "int64", "end": "int64", "score": "float64"})
    # Marked, not coded: a confident-looking score on text the model cannot read would mislead.
    out.attrs["unknown_language"] = [(p.start, p.end) for p, u in zip(passages, unknown) if u]
    out.attrs["other_script"] = [(p.start, p.end) for p, e in zip(passages, elsewhere) if e]
    return out


def code_file(
    path: str | os.PathLike,
    model: ConceptSuggester,
    lang: str = "auto",
    threshold: float | None = None,
    top: int = 3,
) -> pd.DataFrame:
    """:func:`code_document` on a UTF-8 text file; ``document`` is the file name.

    A file that is not UTF-8 text raises :class:`~workbench.model.errors.InputError`.
    """
    p = Path(path)
    return code_document(model, read_text(p), p.name, lang=lang, threshold=threshold, top=top)


def concept_profile(codings: pd.DataFrame, text_length: int) -> pd.Series:
    """Share of the document's characters coded with each concept, largest first.

    A passage coded with two concepts counts for both, so shares can add up to more than the
    coded share of the text. ``text_length`` is usually ``len(text)``.

    >>> c = pd.DataFrame({"document": "d", "start": [0, 0, 50], "end": [20, 20, 60], "concept_id": ["a", "b", "a"]})
    >>> concept_profile(c, 100).to_dict()
    {'a': 0.3, 'b': 0.2}
    """
    if text_length <= 0:
        raise ValueError(f"text_length must be positive (got {text_length})")
    if codings["document"].nunique() > 1:
        raise ValueError("codings of several documents: profile one document at a time")
    spans = codings.drop_duplicates(["concept_id", "start", "end"])
    chars = (spans["end"] - spans["start"]).groupby(spans["concept_id"]).sum()
    share = (chars / text_length).astype(float).rename("share")
    share.index.name = "concept_id"
    return share.sort_values(ascending=False, kind="stable")


def compare_profiles(profiles: dict[str, pd.Series], partial: Iterable[str] = ()) -> pd.DataFrame:
    """Concept shares side by side, one column per document, most contrasted concepts first.

    Extra columns: ``spread`` (largest minus smallest share), ``stressed_by`` (the document giving
    the concept most text) and ``ignored_by`` (documents that never code it, comma-separated). A
    ``partial`` document (an abstract of a paper) is never in ``ignored_by``, and its share of 0 is no
    smallest share in ``spread``: that its text does not code a concept says nothing of the work it stands for.

    >>> cmp = compare_profiles({"a": pd.Series({"x": 0.4, "y": 0.1}), "b": pd.Series({"y": 0.2})})
    >>> print(cmp.to_string())  # doctest: +NORMALIZE_WHITESPACE
                  a    b  spread stressed_by ignored_by
    concept_id
    x           0.4  0.0     0.4           a          b
    y           0.1  0.2     0.1           b
    >>> cmp = compare_profiles({"a": pd.Series({"x": 0.4, "y": 0.1}), "b": pd.Series({"y": 0.2})}, partial=["b"])
    >>> cmp["ignored_by"].tolist(), cmp["spread"].round(2).tolist()
    (['', ''], [0.1, 0.0])
    """
    if not profiles:
        raise ValueError("no profiles to compare")
    docs = list(profiles)
    wide = pd.DataFrame({doc: profiles[doc] for doc in docs}).fillna(0.0).astype(float)
    wide.index.name = "concept_id"
    out = wide.copy()
    partial = set(partial)
    known = wide.mask((wide == 0) & wide.columns.isin(list(partial)))  # an abstract's 0: unknown
    out["spread"] = (known.max(axis=1) - known.min(axis=1)).fillna(0.0)
    out["stressed_by"] = wide.idxmax(axis=1)
    out["ignored_by"] = [",".join(d for d in docs if row[d] == 0 and d not in partial) for _, row in wide.iterrows()]
    return out.sort_values(["spread"], ascending=False, kind="stable")


def for_review(codings: pd.DataFrame) -> pd.DataFrame:
    """Codings with empty ``decision`` (accept | reject | change) and ``new_concept_id`` columns."""
    return codings[CODING_COLUMNS].assign(decision="", new_concept_id="")


def passage_key(document: str, start: int, end: int) -> str:
    """The id of a passage across files: ``document:start-end``.

    >>> passage_key("seed.txt", 10, 42)
    'seed.txt:10-42'
    """
    return f"{document}:{start}-{end}"


def _taxonomy_concepts() -> set[str]:
    """Concept ids of the default data folder's taxonomy (without loading the whole dataset)."""
    doc = read_yaml(default_data_dir() / "taxonomy.yaml")
    concepts = doc.data.get("concepts", []) if isinstance(doc.data, dict) else []
    return {str(c["id"]) for c in concepts if isinstance(c, dict) and "id" in c}


def read_review(path: str | os.PathLike, concept_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Read a codings CSV (machine output or a reviewed export), checking every row.

    ``decision`` and ``new_concept_id`` are optional columns. Problems (a missing column, a bad
    offset, an unknown decision or concept) raise :class:`InputError` naming ``path:line``.
    ``concept_ids`` defaults to the taxonomy of the default data folder. Adds a ``line`` column.
    """
    p = Path(path)
    parsed = table_rows(p, read_text(p))
    known = set(concept_ids) if concept_ids is not None else _taxonomy_concepts()
    header_line, header = parsed[0][0], [h.strip() for h in parsed[0][1]]
    duplicate = duplicate_column_problem(p, header, header_line)
    if duplicate is not None:
        raise InputError([duplicate])
    missing = [c for c in CODING_COLUMNS if c not in header]
    if missing:
        raise InputError.single(p, header_line, f"codings header lacks column(s) {', '.join(missing)}")
    problems: list[Problem] = []
    rows = []
    for record_line, values in parsed[1:]:
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append(Problem(str(p), record_line, f"row has {len(values)} fields, the header has {len(header)}"))
            continue
        row = dict(zip(header, values))
        messages, parsed_row = review_row_problems(row, known)
        problems.extend(Problem(str(p), record_line, m) for m in messages)
        if parsed_row is None:
            continue
        start, end, score = parsed_row
        decision = row.get("decision", "").strip().lower()
        new_id = row.get("new_concept_id", "").strip()
        concept = row["concept_id"].strip()
        rows.append((row["document"].strip(), start, end, concept, score, row["quote"], decision, new_id, record_line))
    if problems:
        raise InputError(problems)
    return pd.DataFrame(rows, columns=REVIEW_COLUMNS + ["line"])


def apply_decisions(review: pd.DataFrame) -> pd.DataFrame:
    """The codings a reviewer kept: rejections dropped, changes applied, the rest (accepted or
    undecided) as the machine proposed them."""
    decision = review["decision"] if "decision" in review else pd.Series("", index=review.index)
    kept = review[decision != "reject"].copy()
    changed = decision.loc[kept.index] == "change"
    kept.loc[changed, "concept_id"] = kept.loc[changed, "new_concept_id"]
    return kept


def read_codings(path: str | os.PathLike, concept_ids: Iterable[str] | None = None) -> pd.Series:
    """Each passage's final code (Series ``document:start-end`` -> concept id) from a codings CSV.

    The final code is the best-scoring coding the reviewer kept (first listed on ties); a passage
    whose codings were all rejected gets :data:`NO_CODE`, so rejecting counts as disagreeing.
    This is what ``workbench agreement machine.csv reviewed.csv`` compares.
    """
    review = read_review(path, concept_ids)
    keys = [passage_key(d, s, e) for d, s, e in zip(review["document"], review["start"], review["end"])]
    review = review.assign(subject_id=keys, order=range(len(review)))
    kept = apply_decisions(review)
    ordered = kept.sort_values(["score", "order"], ascending=[False, True], kind="stable", na_position="last")
    codes = ordered.drop_duplicates("subject_id").set_index("subject_id")["concept_id"]
    all_keys = pd.Index(pd.unique(pd.Series(keys)))
    return codes.reindex(all_keys).fillna(NO_CODE).rename("concept_id").sort_index()
