"""``load`` keeps the checked records of a data folder while none of its files changes."""
from __future__ import annotations

import shutil

import pytest

from conftest import REPO
from workbench.model import dataset
from workbench.model.errors import InputError


@pytest.fixture()
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(REPO / "data", target)
    return target


def test_a_second_load_reads_no_file_and_gives_new_tables(data_copy, monkeypatch):
    first = dataset.load(data_copy)
    calls = []
    monkeypatch.setattr(dataset, "read_data", lambda root: calls.append(root))
    second = dataset.load(data_copy)
    assert calls == []  # served from the checked records
    assert second.items is not first.items
    assert second.items.equals(first.items) and second.crosswalk.equals(first.crosswalk)
    assert second.data_version == first.data_version
    second.items.loc[0, "label"] = "changed by a notebook"
    assert dataset.load(data_copy).items.loc[0, "label"] == first.items.loc[0, "label"]


def test_a_changed_file_is_read_again(data_copy):
    before = dataset.load(data_copy)
    path = data_copy / "frameworks" / sorted(p.name for p in (data_copy / "frameworks").glob("*.yaml"))[0]
    # a description: an edited label would orphan its translation, which validate refuses where it is written
    text = " ".join(before.items.loc[before.items["file"] == str(path), "description"].iloc[0].split()[:3])
    assert text in path.read_text(encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace(text, f"Edited: {text}", 1), encoding="utf-8")
    after = dataset.load(data_copy)
    assert after.data_version != before.data_version
    assert after.items["description"].str.startswith(f"Edited: {text}").any()


def test_a_broken_file_after_a_good_load_is_still_reported(data_copy):
    dataset.load(data_copy)
    (data_copy / "sources.yaml").write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        dataset.load(data_copy)
    assert "sources.yaml" in str(err.value)
