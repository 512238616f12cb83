"""Transferability context: the data file is checked with its lines, releases are never mixed."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.run.cli import main
from workbench.model.dataset import load
from workbench.model.errors import InputError
from workbench.analysis.recommend import analyse, evidence, recommendations
from workbench.analysis.transferability import read_transferability

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def real():
    return load()


def test_every_factor_is_cited_and_kazakhstan_is_compared_on_one_release(real):
    tr = read_transferability(real)
    assert {f.id for f in tr.factors} == {"corruption", "culture", "financial_capacity"}
    assert all(f.source == "seed001" and "Figure 1" in f.locator for f in tr.factors)
    for (factor, indicator, measure), g in tr.values.groupby(["factor", "indicator", "measure"]):
        assert g["source"].nunique() == 1 and g["year"].nunique() == 1, (indicator, measure)
        assert "KAZ" in set(g["country"])
    kaz = tr.values[(tr.values["country"] == "KAZ") & (tr.values["indicator"] == "Control of Corruption")]
    assert kaz[["source", "year", "measure"]].values.tolist() == [["ref_wgi_2023_update", 2022, "percentile_rank"]]


def test_each_recommendation_shows_kazakhstan_next_to_its_model_countries(real):
    gaps = analyse(real, ["GBR", "CAN", "NZL"])
    recs = recommendations(gaps, top=5, draws=0)
    for _, r in recs.iterrows():
        ev = evidence(gaps, r["concept_id"])
        countries = set(ev.governance["country"])
        assert "KAZ" in countries
        assert countries - {"KAZ"} == set(filter(None, r["model_countries"].split(";"))) & countries
        blocks = {b.key: b.rows for b in ev.blocks()}
        # culture and financial capacity: said plainly that no indicator measures them
        assert sum("no indicator in the data measures this condition" in text for text, *_ in blocks["governance"]) == 2


def _copy(tmp_path: Path, text: str) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)  # with its documents: the quotes of the options are checked against them
    (data / "transferability.yaml").write_text(text, encoding="utf-8")
    return data


@pytest.mark.parametrize("change, line, message", [
    (("source: seed001", "source: seed999"), 27, "unknown source 'seed999'"),
    (("applies_to: all", "applies_to: [nowhere]"), 23, "unknown domain or concept 'nowhere'"),
    (("measure: percentile_rank}", "measure: rank}"), 30,
     "no indicator 'Control of Corruption' (rank) from source 'ref_wgi_2023_update' in indicators.csv"),
])
def test_a_bad_transferability_file_is_refused_with_its_line(tmp_path, capsys, change, line, message):
    text = (DATA / "transferability.yaml").read_text(encoding="utf-8").replace(*change, 1)
    data = _copy(tmp_path, text)
    with pytest.raises(InputError) as err:
        read_transferability(load(data))
    assert str(err.value) == f"{data / 'transferability.yaml'}:{line}: {message}"
    assert main(["validate", "--data", str(data)]) == 2
    assert capsys.readouterr().err.strip().endswith(f"transferability.yaml:{line}: {message}")
