"""The shared taxonomy: labels by language, draft translations, and a REFI-QDA codebook export."""
from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pandas as pd

__all__ = ["LANGUAGES", "check_language", "concept_labels", "draft_labels", "concept_guid", "codebook_xml", "QDC_NAMESPACE"]

LANGUAGES = ("en", "ru", "kk")
QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
#: Fixed namespace: a concept's GUID is derived from its id, so it never changes between runs.
_GUID_NAMESPACE = uuid.UUID("6f1c3f3e-2b1d-5b6a-9c57-7a3e0c0b1d42")
#: One colour per domain (colour-blind-safe Okabe-Ito palette), so codes group visibly in QDA tools.
_DOMAIN_COLOURS = ["#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442"]


def check_language(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`, else a ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language '{lang}' (use one of {', '.join(LANGUAGES)})")
    return lang


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
    """The taxonomy as a REFI-QDA codebook (``.qdc``): domains as parent codes, concepts codable."""
    check_language(lang)
    ET.register_namespace("", QDC_NAMESPACE)
    ns = f"{{{QDC_NAMESPACE}}}"
    book = ET.Element(f"{ns}CodeBook", {"origin": origin})
    codes = ET.SubElement(book, f"{ns}Codes")
    for i, domain in enumerate(domains.itertuples(index=False)):
        colour = _DOMAIN_COLOURS[i % len(_DOMAIN_COLOURS)]
        parent = ET.SubElement(
            codes,
            f"{ns}Code",
            {"guid": concept_guid(f"domain:{domain.domain}"), "name": getattr(domain, f"label_{lang}"), "isCodable": "false", "color": colour},
        )
        for c in concepts[concepts["domain"] == domain.domain].itertuples(index=False):
            code = ET.SubElement(
                parent,
                f"{ns}Code",
                {"guid": concept_guid(c.concept_id), "name": getattr(c, f"label_{lang}"), "isCodable": "true", "color": colour},
            )
            ET.SubElement(code, f"{ns}Description").text = f"[{c.concept_id}] {c.definition}"
    ET.indent(book)
    return ET.tostring(book, encoding="utf-8", xml_declaration=True)
