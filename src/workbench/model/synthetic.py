"""Small, explicit datasets written to disk, for tests, examples and benchmarks.

:func:`write_dataset` writes a complete, valid ``data/`` folder from a plain description,
so a test states exactly which country carries which concept and can check results by hand.
"""
from __future__ import annotations

import random
from pathlib import Path
from typing import Mapping as TMapping, Sequence

import pycountry
import yaml

__all__ = ["write_dataset", "random_dataset", "letter_taxonomy", "TINY_TAXONOMY"]

#: A minimal taxonomy (three concepts in two domains) for unit tests.
TINY_TAXONOMY = {
    "version": "0.0.1",
    "domains": [
        {"id": "people", "label": {"en": "People", "ru": "Люди", "kk": "Адамдар"}},
        {"id": "system", "label": {"en": "System", "ru": "Система", "kk": "Жүйе"}},
    ],
    "concepts": [
        {"id": "leadership", "domain": "people", "scope": "individual",
         "label": {"en": "Leadership", "ru": "Лидерство", "kk": "Көшбасшылық"},
         "label_status": {"ru": "draft", "kk": "draft"},
         "definition": "Leading and engaging people toward a shared goal.",
         "aliases": {"en": ["leading people", "lead others"], "ru": ["руководство людьми"]}},
        {"id": "integrity_ethics", "domain": "people", "scope": "individual",
         "label": {"en": "Integrity and ethics", "ru": "Честность и этика", "kk": "Адалдық және әдеп"},
         "label_status": {"ru": "draft", "kk": "draft"},
         "definition": "Acting honestly and ethically in the public interest.",
         "aliases": {"en": ["integrity", "ethical conduct"], "ru": ["этика", "добросовестность"]}},
        {"id": "merit_recruitment", "domain": "system", "scope": "system",
         "label": {"en": "Merit-based recruitment", "ru": "Меритократический отбор", "kk": "Еңбегіне қарай іріктеу"},
         "label_status": {"ru": "draft", "kk": "draft"},
         "definition": "Recruiting and promoting on merit through open competition.",
         "aliases": {"en": ["merit", "open competition"], "ru": ["конкурсный отбор"]}},
    ],
}

def letter_taxonomy(letters: str = "abcdefg") -> dict:
    """A taxonomy of one-letter concepts (``a``, ``b``, ...) in one domain: hand-checkable overlaps.

    >>> [c["id"] for c in letter_taxonomy("ab")["concepts"]]
    ['a', 'b']
    """
    return {
        "version": "0.0.1",
        "domains": [{"id": "people", "label": {"en": "People", "ru": "Люди", "kk": "Адамдар"}}],
        "concepts": [
            {"id": c, "domain": "people", "scope": "individual",
             "label": {"en": f"Concept {c.upper()}", "ru": f"Понятие {c.upper()}", "kk": f"Ұғым {c.upper()}"},
             "definition": f"Test concept {c}."}
            for c in letters
        ],
    }


_HEADER = "subject_id\tpredicate_id\tobject_id\tmapping_justification\tconfidence\tauthor_id\tcomment\n"
_SOURCES = [
    {"id": "src_test", "kind": "reference", "url": "https://example.org/test", "citation": "Test source."},
]


def _dump(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def write_dataset(
    root: str | Path,
    frameworks: TMapping[str, TMapping],
    taxonomy: TMapping | None = None,
    practices: Sequence[TMapping] = (),
    indicators: Sequence[TMapping] = (),
    extra_mappings: Sequence[tuple[str, str]] = (),
) -> Path:
    """Write a valid data folder.

    ``frameworks`` maps a framework id to ``{"country", "level", "concepts": [...]}``: one item is
    written per concept, mapped to it with ``skos:exactMatch``. Practices and indicators are
    records as in ``data/`` plus a ``concepts`` list; missing fields get defaults.
    """
    root = Path(root)
    _dump(root / "sources.yaml", _SOURCES)
    _dump(root / "taxonomy.yaml", dict(taxonomy or TINY_TAXONOMY))
    rows = []
    for fw_id, spec in frameworks.items():
        items = []
        for n, concept in enumerate(spec["concepts"], start=1):
            code = f"{fw_id}-{n}"
            items.append({"code": code, "label": spec.get("labels", {}).get(concept, f"{concept.replace('_', ' ')} item {n}")})
            rows.append((code, concept))
        _dump(
            root / "frameworks" / f"{fw_id}.yaml",
            {"id": fw_id, "country": spec["country"], "title": spec.get("title", fw_id), "year": spec.get("year", 2020),
             "level": spec.get("level", "all"), "kind": spec.get("kind", "competencies"), "source": "src_test",
             "locator": "p. 1", **{k: spec[k] for k in ("coverage", "missing", "missing_domains", "source_kind", "proposal") if k in spec}, "items": items},
        )
    pr = []
    for p in practices:
        rec = {"id": p["id"], "country": p["country"], "kind": p.get("kind", "practice"), "label": p.get("label", p["id"]),
               "recommended_for_kaz": p.get("recommended_for_kaz", False), "source": "src_test", "locator": "p. 2"}
        pr.append(rec)
        rows += [(p["id"], c) for c in p.get("concepts", [])]
    if pr:
        _dump(root / "practices" / "test.yaml", pr)
    lines = ["id,country,indicator,measure,year,value,unit,source,locator"]
    for x in indicators:
        lines.append(f"{x['id']},{x.get('country', 'KAZ')},{x.get('indicator', x['id'])},share,{x.get('year', '')},{x['value']},{x.get('unit', 'percent')},src_test,p. 3")
        rows += [(x["id"], c) for c in x.get("concepts", [])]
    (root / "indicators.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows += list(extra_mappings)
    (root / "crosswalk.tsv").write_text(
        _HEADER + "".join(f"{s}\tskos:exactMatch\t{o}\tsemapv:ManualMappingCuration\t1.0\twb:test\t\n" for s, o in rows),
        encoding="utf-8",
    )
    return root


def random_dataset(root: str | Path, taxonomy: TMapping, n_countries: int = 200, items_per_country: int = 60, seed: int = 0) -> Path:
    """A large synthetic dataset (for benchmarks): ``n_countries`` frameworks over ``taxonomy``'s concepts."""
    rng = random.Random(seed)
    codes = sorted(c.alpha_3 for c in pycountry.countries)
    if n_countries > len(codes):
        raise ValueError(f"at most {len(codes)} countries")
    concept_ids = [c["id"] for c in taxonomy["concepts"]]
    frameworks = {}
    for i, country in enumerate(rng.sample(codes, n_countries)):
        chosen = [rng.choice(concept_ids) for _ in range(items_per_country)]
        frameworks[f"fw_{country.lower()}"] = {"country": country, "level": rng.choice(["all", "senior", "leaders"]), "concepts": chosen}
    if "KAZ" not in {f["country"] for f in frameworks.values()}:
        frameworks["fw_kaz"] = {"country": "KAZ", "level": "all", "concepts": concept_ids[: len(concept_ids) // 3]}
    return write_dataset(root, frameworks, taxonomy=taxonomy)
