"""The shared taxonomy: labels by language, draft translations, the two levels of concepts
(SKOS ``broader``) and a REFI-QDA codebook export."""
from __future__ import annotations

import dataclasses
import uuid
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

import pandas as pd

from workbench.model.i18n import LANGUAGES, check_language

if TYPE_CHECKING:
    from workbench.model.dataset import Dataset

__all__ = [
    "LANGUAGES",
    "GRANULARITIES",
    "check_language",
    "check_granularity",
    "concept_labels",
    "draft_labels",
    "concept_guid",
    "codebook_xml",
    "broader_of",
    "roll_up",
    "at_granularity",
    "QDC_NAMESPACE",
]

#: ``fine``: every concept as curated; ``broad``: narrower concepts rolled up to their broader one.
GRANULARITIES = ("fine", "broad")

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
#: Fixed namespace: a concept's GUID is derived from its id, so it never changes between runs.
_GUID_NAMESPACE = uuid.UUID("6f1c3f3e-2b1d-5b6a-9c57-7a3e0c0b1d42")
#: One colour per domain (colour-blind-safe Okabe-Ito palette), so codes group visibly in QDA tools.
_DOMAIN_COLOURS = ["#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442"]


def check_granularity(granularity: str) -> str:
    """``granularity`` if it is one of :data:`GRANULARITIES`, else a ValueError naming the choices."""
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity '{granularity}' (use one of {', '.join(GRANULARITIES)})")
    return granularity


def broader_of(concepts: pd.DataFrame) -> dict[str, str]:
    """Concept id -> the concept it rolls up to at the broad level (itself when it has no ``broader``).

    >>> broader_of(pd.DataFrame({"concept_id": ["a", "a1"], "broader": ["", "a"]}))
    {'a': 'a', 'a1': 'a'}
    """
    parents = concepts["broader"] if "broader" in concepts else pd.Series([""] * len(concepts), index=concepts.index)
    return {cid: (b or cid) for cid, b in zip(concepts["concept_id"], parents.fillna(""))}


def roll_up(crosswalk: pd.DataFrame, concepts: pd.DataFrame, granularity: str = "fine") -> pd.DataFrame:
    """The crosswalk at ``granularity``: at ``broad``, each object becomes its broader concept.

    A subject that reaches the same broad concept through several rows keeps one: a carrying
    predicate before ``skos:relatedMatch``, then the highest confidence, then the first line.

    >>> cw = pd.DataFrame({"subject_id": ["x", "x"], "predicate_id": ["skos:relatedMatch", "skos:closeMatch"],
    ...                    "object_id": ["a", "a1"], "confidence": [0.9, 0.8]})
    >>> roll_up(cw, pd.DataFrame({"concept_id": ["a", "a1"], "broader": ["", "a"]}), "broad").values.tolist()
    [['x', 'skos:closeMatch', 'a', 0.8]]
    """
    if check_granularity(granularity) == "fine":
        return crosswalk
    up = broader_of(concepts)
    out = crosswalk.assign(object_id=crosswalk["object_id"].map(lambda c: up.get(c, c)))
    related_last = (out["predicate_id"] == "skos:relatedMatch").astype(int)
    order = out.assign(_related=related_last, _pos=range(len(out))).sort_values(
        ["_related", "confidence", "_pos"], ascending=[True, False, True], kind="stable"
    )
    kept = order.drop_duplicates(["subject_id", "object_id"]).sort_values("_pos")
    return kept.drop(columns=["_related", "_pos"]).reset_index(drop=True)


def _broad_concepts(concepts: pd.DataFrame) -> pd.DataFrame:
    """Concepts without the narrower ones, whose labels and aliases join their broader concept's
    aliases (so the suggester and the coder still recognise words like "retraining")."""
    if "broader" not in concepts:
        return concepts
    narrower = concepts[concepts["broader"].fillna("") != ""]
    out = concepts[concepts["broader"].fillna("") == ""].copy()
    for lang in LANGUAGES:
        column = f"aliases_{lang}"
        if column not in out:
            continue
        extra: dict[str, list[str]] = {}
        for c in narrower.itertuples(index=False):
            extra.setdefault(c.broader, []).extend([getattr(c, f"label_{lang}")] + list(getattr(c, column)))
        out[column] = [list(a) + [x for x in extra.get(cid, []) if x not in a] for cid, a in zip(out["concept_id"], out[column])]
    return out.reset_index(drop=True)


def at_granularity(ds: "Dataset", granularity: str = "fine") -> "Dataset":
    """``ds`` with its crosswalk and concepts at ``granularity`` (``fine`` returns ``ds`` itself).

    The one place where the two levels differ: compare, network, recommend and the document coder
    take the returned dataset and need no level of their own.

    >>> from workbench.model.dataset import load
    >>> broad = at_granularity(load(), "broad")
    >>> "retraining" in set(broad.crosswalk["object_id"]), "learning_development" in set(broad.concepts["concept_id"])
    (False, True)
    """
    if check_granularity(granularity) == "fine":
        return ds
    return dataclasses.replace(
        ds, crosswalk=roll_up(ds.crosswalk, ds.concepts, granularity), concepts=_broad_concepts(ds.concepts), granularity=granularity,
        options=_broad_options(ds.options, ds.concepts),
    )


def _broad_options(options: "pd.DataFrame | None", concepts: pd.DataFrame) -> "pd.DataFrame | None":
    """The options with the concepts they serve at the broad level: each narrower concept becomes its
    broader one, once, in the order written (an option for retraining serves learning and development).

    >>> opts = pd.DataFrame({"option_id": ["o"], "concepts": [("a1", "a", "b")]})
    >>> _broad_options(opts, pd.DataFrame({"concept_id": ["a", "a1", "b"], "broader": ["", "a", ""]}))["concepts"].tolist()
    [('a', 'b')]
    """
    if options is None or "concepts" not in options:
        return options
    up = broader_of(concepts)
    return options.assign(concepts=[tuple(dict.fromkeys(up.get(c, c) for c in cs)) for cs in options["concepts"]])


def concept_labels(concepts: pd.DataFrame, lang: str = "en") -> pd.Series:
    """Concept id -> label in ``lang`` (``en``, ``ru`` or ``kk``)."""
    return concepts.set_index("concept_id")[f"label_{check_language(lang)}"]


def draft_labels(concepts: pd.DataFrame, lang: str) -> list[str]:
    """Concept ids whose ``lang`` label still awaits a native reviewer."""
    if check_language(lang) == "en":
        return []
    return concepts.loc[concepts[f"label_status_{lang}"] == "draft", "concept_id"].tolist()


def concept_guid(concept_id: str) -> str:
    """A GUID for ``concept_id`` that is the same on every run and machine.

    >>> concept_guid("leadership") == concept_guid("leadership")
    True
    """
    return str(uuid.uuid5(_GUID_NAMESPACE, concept_id)).upper()


def codebook_xml(concepts: pd.DataFrame, domains: pd.DataFrame, lang: str = "en", origin: str = "workbench") -> bytes:
    """The taxonomy as a REFI-QDA codebook (``.qdc``): domains as parent codes, concepts codable,
    narrower concepts (SKOS ``broader``) nested under their broader concept.

    A Russian or Kazakh code name that awaits a native reviewer says so at the start of its
    ``Description`` ("[draft translation]"), so it travels with the file into the QDA tool.
    """
    check_language(lang)
    drafts = set(draft_labels(concepts, lang))
    up = broader_of(concepts)
    ET.register_namespace("", QDC_NAMESPACE)
    ns = f"{{{QDC_NAMESPACE}}}"
    book = ET.Element(f"{ns}CodeBook", {"origin": origin})
    codes = ET.SubElement(book, f"{ns}Codes")

    def add_code(parent: ET.Element, c, colour: str) -> ET.Element:
        code = ET.SubElement(
            parent,
            f"{ns}Code",
            {"guid": concept_guid(c.concept_id), "name": getattr(c, f"label_{lang}"), "isCodable": "true", "color": colour},
        )
        mark = "[draft translation] " if c.concept_id in drafts else ""
        ET.SubElement(code, f"{ns}Description").text = f"{mark}[{c.concept_id}] {c.definition}"
        return code

    for i, domain in enumerate(domains.itertuples(index=False)):
        colour = _DOMAIN_COLOURS[i % len(_DOMAIN_COLOURS)]
        parent = ET.SubElement(
            codes,
            f"{ns}Code",
            {"guid": concept_guid(f"domain:{domain.domain}"), "name": getattr(domain, f"label_{lang}"), "isCodable": "false", "color": colour},
        )
        in_domain = list(concepts[concepts["domain"] == domain.domain].itertuples(index=False))
        for c in in_domain:
            if up.get(c.concept_id, c.concept_id) != c.concept_id:
                continue  # nested under its broader concept below
            code = add_code(parent, c, colour)
            for child in in_domain:
                if child.concept_id != c.concept_id and up.get(child.concept_id) == c.concept_id:
                    add_code(code, child, colour)
    ET.indent(book)
    return ET.tostring(book, encoding="utf-8", xml_declaration=True)
