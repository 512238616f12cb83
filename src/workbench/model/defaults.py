"""Defaults of the analyses' parameters, in a module light enough for ``workbench --help``.

The command line shows them in its help without importing pandas or pydantic (a nothing-changed
``workbench reports`` must start in well under a second); :mod:`workbench.model.schema` re-exports them.
"""
from __future__ import annotations

__all__ = ["DEFAULT_PEERS", "DEFAULT_BASELINE", "CODING_THRESHOLD", "LEARNED_THRESHOLD", "WORDS_THRESHOLD"]

#: Peer countries when none are chosen: the inclusive-governance peers of seed 002.
DEFAULT_PEERS: tuple[str, ...] = ("GBR", "CAN", "NZL")
#: Kazakh baseline when none is chosen (a name under ``baselines`` in ``data/weights.yaml``).
DEFAULT_BASELINE = "listening_state"
#: The score a concept needs for ``workbench code`` to code a passage with it.
CODING_THRESHOLD = 0.30
#: Below these, a suggestion is flagged for review: the learned suggester's probability, and the
#: word model's similarity (``workbench suggest --model words``).
LEARNED_THRESHOLD = 0.30
WORDS_THRESHOLD = 0.20
