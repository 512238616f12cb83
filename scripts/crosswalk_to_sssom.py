"""Give data/crosswalk.tsv its SSSOM/TSV form: the mapping-set metadata as ``#``-prefixed YAML
and subject/object ids as CURIEs. Idempotent: rows already in CURIE form are left alone, so
rows appended later with plain ids (``UK-B1``, ``leadership``) can be converted by rerunning it.

    python scripts/crosswalk_to_sssom.py [data/crosswalk.tsv]

The subject prefix follows what the id names in data/: ``item:`` for a framework item code,
``practice:`` for a practice id, ``indicator:`` for an indicator id; objects get ``wb:``.
"""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from workbench.model.dataset import CROSSWALK_COLUMNS  # noqa: E402

#: Our namespace. No persistent (w3id) address is registered for the project yet, so ids are
#: URNs: valid URIs that claim no web address we do not own.
BASE = "urn:x-workbench:"
CURIE_MAP = {
    "wb": BASE,  # taxonomy concepts (wb:leadership) and our agents (wb:curator)
    "item": BASE + "item:",
    "practice": BASE + "practice:",
    "indicator": BASE + "indicator:",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "semapv": "https://w3id.org/semapv/vocab/",
}
METADATA = {
    "curie_map": CURIE_MAP,
    "mapping_set_id": BASE + "mapping-set:crosswalk",
    "mapping_set_title": "Civil-service competency workbench crosswalk",
    "mapping_set_description": (
        "Curated crosswalk: framework items, practices and indicators (data/) mapped to the "
        "workbench taxonomy concepts (data/taxonomy.yaml)."
    ),
    "license": "https://creativecommons.org/licenses/by/4.0/",
}


def _subject_kinds(data: Path) -> dict[str, str]:
    """Plain subject id -> its CURIE prefix, read from the YAML and CSV files of ``data``."""
    import csv

    kinds: dict[str, str] = {}
    for path in sorted((data / "frameworks").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("items", []):
            kinds[str(item["code"])] = "item"
    for path in sorted((data / "practices").glob("*.yaml")):
        for practice in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            kinds[str(practice["id"])] = "practice"
    with open(data / "indicators.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            kinds[row["id"]] = "indicator"
    return kinds


def convert(path: Path, today: str | None = None) -> int:
    """Rewrite ``path`` in SSSOM/TSV form; returns how many ids were turned into CURIEs."""
    lines = path.read_text(encoding="utf-8").splitlines()
    body = [line for line in lines if not line.startswith("#")]
    header = body[0].split("\t")
    assert header[: len(CROSSWALK_COLUMNS)] == CROSSWALK_COLUMNS or set(CROSSWALK_COLUMNS) <= set(header), header
    s_col, o_col = header.index("subject_id"), header.index("object_id")
    kinds = _subject_kinds(path.parent)
    changed, rows = 0, [body[0]]
    for line in body[1:]:
        if not line.strip():
            continue
        fields = line.split("\t")
        if ":" not in fields[s_col]:
            if fields[s_col] not in kinds:
                raise SystemExit(f"{path}: subject '{fields[s_col]}' is no item, practice or indicator of {path.parent}")
            fields[s_col] = f"{kinds[fields[s_col]]}:{fields[s_col]}"
            changed += 1
        if ":" not in fields[o_col]:
            fields[o_col] = f"wb:{fields[o_col]}"
            changed += 1
        rows.append("\t".join(fields))
    meta = dict(METADATA, mapping_date=today or date.today().isoformat())
    text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100)
    out = ["#" + line for line in text.splitlines()] + rows
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return changed


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "crosswalk.tsv"
    print(f"{target}: {convert(target)} ids converted to CURIEs")
