"""data/crosswalk.tsv is an SSSOM/TSV mapping set: the reference validator accepts it, and the
loader reads its metadata header and CURIEs while the library keeps seeing plain ids."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.model.dataset import load, read_crosswalk_set
from workbench.model.errors import InputError

from conftest import REPO

CROSSWALK = REPO / "data" / "crosswalk.tsv"
SSSOM = Path(sys.executable).with_name("sssom")


def _validate(path: Path) -> subprocess.CompletedProcess:
    # Run from an empty folder: the validator must need nothing but the file (and no network).
    return subprocess.run([str(SSSOM), "validate", str(path)], capture_output=True, text=True, timeout=300, cwd=path.parent)


@pytest.mark.skipif(not SSSOM.exists(), reason="the sssom package (test extra) is not installed")
def test_reference_validator_accepts_the_crosswalk(tmp_path):
    copy = tmp_path / "crosswalk.sssom.tsv"
    shutil.copy(CROSSWALK, copy)
    result = _validate(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    # ... and the same validator refuses an undeclared prefix, so the check can fail
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace("\nitem:UK-B1\t", "\nuk:UK-B1\t", 1), encoding="utf-8")
    assert _validate(copy).returncode != 0


def test_header_metadata_and_curies_are_read():
    meta, rows = read_crosswalk_set(CROSSWALK)
    assert meta["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert meta["mapping_set_id"].startswith("urn:") and meta["mapping_date"]
    assert {"wb", "item", "practice", "indicator", "skos", "semapv"} <= set(meta["curie_map"])
    first, line, _ = rows[0]
    text = CROSSWALK.read_text(encoding="utf-8").splitlines()
    expected = next(i for i, row in enumerate(text) if row.startswith("item:UK-B1\tskos:closeMatch\twb:strategic_vision\t")) + 1
    assert (first.subject_id, first.object_id, line) == ("UK-B1", "strategic_vision", expected)


def test_every_subject_prefix_names_what_the_subject_is():
    ds = load(all_versions=True)  # items of replaced versions are mapped too
    lines = CROSSWALK.read_text(encoding="utf-8").splitlines()
    kinds = {**{c: "item" for c in ds.items["item_code"]}, **{p: "practice" for p in ds.practices["id"]},
             **{i: "indicator" for i in ds.indicators["id"]}}
    for subject, line in zip(ds.crosswalk["subject_id"], ds.crosswalk["line"]):
        assert lines[line - 1].startswith(f"{kinds[subject]}:{subject}\t"), line


def _sssom_tiny(data: Path) -> Path:
    path = data / "crosswalk.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = ["#curie_map:", "#  wb: 'urn:x-test:'", "#  item: 'urn:x-test:item:'", "#  practice: 'urn:x-test:practice:'",
              "#  indicator: 'urn:x-test:indicator:'", "#  skos: http://www.w3.org/2004/02/skos/core#",
              "#  semapv: https://w3id.org/semapv/vocab/", "#mapping_set_id: urn:x-test:set", "#license: https://creativecommons.org/licenses/by/4.0/"]
    kinds = {"gbr_fw-1": "item", "gbr_fw-2": "item", "kaz_fw-1": "item", "pr-1": "practice", "ind-1": "indicator"}
    rows = [lines[0] + "\tsubject_label\tmapping_tool"]
    for line in lines[1:]:
        f = line.split("\t")
        f[0], f[2] = f"{kinds[f[0]]}:{f[0]}", f"wb:{f[2]}"
        rows.append("\t".join(f + [f"label of {f[0]}", "manual"]))
    path.write_text("\n".join(header + rows) + "\n", encoding="utf-8")
    return path


def test_optional_sssom_columns_are_accepted_and_kept(tiny_data):
    _sssom_tiny(tiny_data)
    ds = load(tiny_data)
    assert ds.crosswalk["subject_id"].tolist()[:2] == ["gbr_fw-1", "gbr_fw-2"]
    assert ds.crosswalk["subject_label"].tolist()[0] == "label of item:gbr_fw-1"
    assert ds.crosswalk_metadata["mapping_set_id"] == "urn:x-test:set"


def test_an_undeclared_prefix_is_named_at_its_line(tiny_data):
    path = _sssom_tiny(tiny_data)
    text = path.read_text(encoding="utf-8").replace("practice:pr-1\t", "pract:pr-1\t")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load(tiny_data)
    [problem] = info.value.problems
    assert (Path(problem.path).name, problem.line) == ("crosswalk.tsv", 14)
    assert problem.message == "subject_id 'pract:pr-1': prefix 'pract' is not declared in curie_map"


def test_a_plain_id_in_an_sssom_file_is_refused(tiny_data):
    path = _sssom_tiny(tiny_data)
    path.write_text(path.read_text(encoding="utf-8").replace("\twb:leadership\t", "\tleadership\t", 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load(tiny_data)
    assert info.value.problems[0].message == "object_id 'leadership' is not a CURIE (prefix:id) though the file declares a curie_map"


def test_missing_licence_is_reported(tiny_data):
    path = _sssom_tiny(tiny_data)
    path.write_text(path.read_text(encoding="utf-8").replace("#license: https://creativecommons.org/licenses/by/4.0/\n", ""), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load(tiny_data)
    assert [p.message for p in info.value.problems] == ["SSSOM metadata lacks 'license'"]


def test_conversion_script_turns_appended_plain_rows_into_curies(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)  # with its documents: the quotes of the options are checked against them
    with open(data / "crosswalk.tsv", "a", encoding="utf-8") as fh:
        fh.write("UK-B1\tskos:relatedMatch\tproactivity\tsemapv:ManualMappingCuration\t0.5\twb:curator\tappended plain row\t\t\t\n")
    with pytest.raises(InputError):
        load(data)  # a plain row in an SSSOM file is refused until converted
    script = REPO / "scripts" / "crosswalk_to_sssom.py"
    result = subprocess.run([sys.executable, str(script), str(data / "crosswalk.tsv")], capture_output=True, text=True)
    assert result.returncode == 0 and "2 ids converted" in result.stdout, result.stderr
    assert "item:UK-B1\tskos:relatedMatch\twb:proactivity" in (data / "crosswalk.tsv").read_text(encoding="utf-8")
    assert len(load(data).crosswalk) == len(load().crosswalk) + 1
