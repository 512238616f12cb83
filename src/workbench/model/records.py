"""The containers of the data: records as read (:class:`RawData`) and the checked tables (:class:`Dataset`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.model.schema import Taxonomy
from workbench.model.sourcefile import YamlDocument

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Dataset", "RawData"]


@dataclass
class Dataset:
    """The curated data: one DataFrame per table, plus versions.

    Tables: ``sources``, ``frameworks``, ``items``, ``practices``, ``indicators``, ``domains``,
    ``concepts``, ``crosswalk`` (SSSOM columns), ``options`` and ``quotes``. ``items.item_code``, ``practices.id`` and
    ``indicators.id`` are the subjects the crosswalk maps to ``concepts.concept_id``.
    """

    path: Path
    sources: pd.DataFrame
    frameworks: pd.DataFrame
    items: pd.DataFrame
    practices: pd.DataFrame
    indicators: pd.DataFrame
    domains: pd.DataFrame
    concepts: pd.DataFrame
    crosswalk: pd.DataFrame
    taxonomy_version: str
    data_version: str
    unsourced_records: int = 0
    files: dict[str, str] = field(default_factory=dict)
    #: ``fine`` as loaded; ``broad`` after :func:`workbench.model.taxonomy.at_granularity`.
    granularity: str = "fine"
    #: The crosswalk's SSSOM mapping-set metadata (``curie_map``, ``mapping_set_id``, ``license``...).
    crosswalk_metadata: dict[str, Any] = field(default_factory=dict)
    #: The register of policy options (one row per option, texts per language) and the quotes
    #: behind them (with each seed quote's document and offsets); see :mod:`workbench.model.register`.
    options: Any = None
    quotes: Any = None
    #: The date the frameworks are taken as of (:func:`workbench.model.versions.at_date`); ``None``: every version.
    as_of: Any = None
    #: The versions left out as of ``as_of`` (:func:`workbench.model.versions.at_date`).
    out_of_force: Any = None
    #: Dated steps of countries' own policy, for the timeline (``data/anchors.yaml``).
    anchors: Any = None
    #: Russian and Kazakh for the data's English text (``data/translations.yaml``; :mod:`workbench.model.translations`).
    translations: Any = None
    #: The language of the data's translated text (:func:`workbench.model.translations.localised`).
    lang: str = "en"

    def summary(self) -> dict[str, Any]:
        """Counts a researcher checks first (what ``workbench validate --json`` prints)."""
        return {
            "data_dir": str(self.path),
            "data_version": self.data_version,
            "taxonomy_version": self.taxonomy_version,
            "frameworks": int(len(self.frameworks)),
            "items": int(len(self.items)),
            "countries": sorted(self.frameworks["country"].unique().tolist()),
            "sources": int(len(self.sources)),
            "seed_sources": sorted(self.sources.loc[self.sources["kind"] == "seed", "file"].tolist()),
            "practices": int(len(self.practices)),
            "indicators": int(len(self.indicators)),
            "concepts": int(len(self.concepts)),
            "mappings": int(len(self.crosswalk)),
            "unsourced_records": int(self.unsourced_records),
            "options": int(len(self.options)) if self.options is not None else 0,
            "quotes": int(len(self.quotes)) if self.quotes is not None else 0,
        }

    def concept_label(self, concept_id: str, lang: str = "en") -> str:
        row = self.concepts.set_index("concept_id").loc[concept_id]
        return str(row[f"label_{lang}"])


@dataclass
class RawData:
    """The records of a data folder as read, each with its file and line, before cross-checks.

    ``problems`` holds what reading found (syntax, fields); ``broken`` names the tables that
    could not be read in full (``sources``, ``subjects``, ``crosswalk``, ``options``, ``quotes``), whose cross-checks
    :func:`workbench.model.validate.dataset_problems` skips.
    """

    root: Path
    sources: list = field(default_factory=list)
    frameworks: list = field(default_factory=list)  # (Framework, YamlDocument, Path)
    practices: list = field(default_factory=list)  # (Practice, line, path)
    indicators: list = field(default_factory=list)  # (Indicator, line, path)
    options: list = field(default_factory=list)  # (Option, YamlDocument, index)
    anchors: list = field(default_factory=list)  # (Anchor, line, path)
    translations: list = field(default_factory=list)  # (Translation, line, path)
    quotes: list = field(default_factory=list)  # (Quote, YamlDocument, index)
    taxonomy: Taxonomy | None = None
    taxonomy_doc: YamlDocument | None = None
    mappings: list = field(default_factory=list)  # (Mapping, line)
    mapping_extras: list = field(default_factory=list)  # optional SSSOM columns of each mapping
    crosswalk_metadata: dict = field(default_factory=dict)  # the SSSOM header
    crosswalk_path: Path = Path()
    problems: list = field(default_factory=list)
    broken: set = field(default_factory=set)
