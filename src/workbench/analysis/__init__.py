"""The analyses: crosswalk and suggester, document passages and coded quotes, the country x concept
matrix, the overlap network, Kazakhstan's status, the recommendation score, the papers' agreement.

Each module takes data-model frames and returns new frames or graphs; none renders, writes a
report or reads a setting from above. Notebooks import the modules from here
(``from workbench.analysis import compare``); the most used functions are named here too.
"""
from __future__ import annotations

from workbench._exports import lazy_exports

_MODULES = ("agreement", "changes", "coding", "compare", "crosswalk", "evidence", "kaz_status", "known", "network", "options", "papers",
            "passages", "recommend", "scoring", "suggest", "training", "transferability")
_WHERE = {
    **{name: name for name in _MODULES},
    "analyse": "recommend", "recommendations": "recommend", "GapAnalysis": "recommend",
    "paper_findings": "papers", "framework_matrix": "compare", "bipartite_graph": "network", "overlap_graph": "network",
    "code_document": "coding", "fit_from_dataset": "suggest", "evaluate_leave_one_framework_out": "suggest",
}
__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
