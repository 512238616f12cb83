"""What changed between the versions of a framework: the concepts each version gained and lost.

Every lineage with more than one version is read in the order of its in-force dates; a concept a
version carries (a carrying crosswalk mapping of one of its items) and its predecessor did not is
*gained*, the reverse *lost*. Each row keeps the dates and their citations. Where the earlier
version is known only in part (``coverage: partial``), a concept only the later one carries may
have been in the unread part: it is listed as *new or unread before*, not gained; where the later
version is partial, a concept it does not carry is *dropped or unread now*, not lost.
"""
from __future__ import annotations

import pandas as pd

from workbench.analysis.crosswalk import CARRYING_PREDICATES, item_concepts
from workbench.model.records import Dataset
from workbench.model.versions import first_day

__all__ = ["CHANGE_COLUMNS", "lineages", "lineage_changes"]

CHANGE_COLUMNS = ["lineage", "country", "from_framework", "from_version", "to_framework", "to_version", "in_force_from",
                  "gained", "lost", "kept", "gained_or_unread", "lost_or_unread", "dates_source", "dates_locator"]


def lineages(ds: Dataset) -> pd.DataFrame:
    """Every version of every lineage (all versions: load the data with ``all_versions=True``), in order."""
    fw = ds.frameworks[ds.frameworks["lineage"] != ""].copy()
    fw["_start"] = fw["in_force_from"].map(first_day)
    return fw.sort_values(["lineage", "_start"], kind="stable").drop(columns="_start").reset_index(drop=True)


def lineage_changes(ds: Dataset) -> pd.DataFrame:
    """One row per change of version (:data:`CHANGE_COLUMNS`): concepts gained, lost and kept (``;``-joined ids)."""
    carried = item_concepts(ds.items, ds.crosswalk, CARRYING_PREDICATES)
    concepts = carried.groupby("framework_id")["concept_id"].apply(set).to_dict()
    rows = []
    for name, versions in lineages(ds).groupby("lineage", sort=True):
        versions = versions.reset_index(drop=True)
        for i in range(1, len(versions)):
            old, new = versions.iloc[i - 1], versions.iloc[i]
            before, after = concepts.get(old["framework_id"], set()), concepts.get(new["framework_id"], set())
            gained, lost = sorted(after - before), sorted(before - after)
            unsure_gain, unsure_loss = old.get("coverage") == "partial", new.get("coverage") == "partial"
            rows.append({"lineage": name, "country": new["country"], "from_framework": old["framework_id"],
                         "from_version": old["version"], "to_framework": new["framework_id"], "to_version": new["version"],
                         "in_force_from": str(new["in_force_from"]), "gained": "" if unsure_gain else ";".join(gained),
                         "lost": "" if unsure_loss else ";".join(lost), "kept": ";".join(sorted(before & after)),
                         "gained_or_unread": ";".join(gained) if unsure_gain else "",
                         "lost_or_unread": ";".join(lost) if unsure_loss else "",
                         "dates_source": new["dates_source"], "dates_locator": new["dates_locator"]})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)
