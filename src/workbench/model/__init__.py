"""The data model: the cited data in ``data/``, its schema, loading and validation, the taxonomy,
the score's settings and the catalogue of words in three languages.

Nothing here imports an analysis, a renderer or the runner. Public names are loaded on first use.
"""
from __future__ import annotations

from workbench._exports import lazy_exports

_WHERE = {
    "load": "dataset", "Dataset": "dataset", "default_data_dir": "dataset", "read_framework": "dataset",
    "InputError": "errors", "Problem": "errors",
    "DEFAULT_PEERS": "defaults", "DEFAULT_BASELINE": "defaults",
    "Settings": "settings", "load_settings": "settings", "read_settings": "settings", "check_peers": "settings",
    "COMPONENTS": "settings",
    "at_granularity": "taxonomy", "concept_labels": "taxonomy", "LANGUAGES": "taxonomy",
    "t": "i18n", "country_name": "i18n", "date_text": "i18n", "author_year": "i18n", "DRAFT_LANGUAGES": "i18n",
    "atomic_write": "outputs", "atomic_write_all": "outputs", "write_dataset": "synthetic",
    "read_documents": "documents", "document_paths": "documents",
}
__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
