"""The runner's memory of how long each report took: a hint for ordering, never trusted blindly."""
from __future__ import annotations

import pytest

from workbench.run.durations import longest_first, read_durations, write_durations


@pytest.mark.parametrize("content", ["", "not json", "[1, 2]", '"text"', '{"a": "slow"}', '{"a": -1}', '{"a": NaN}', '{"a": true}'])
def test_an_unreadable_or_odd_file_gives_no_durations(tmp_path, content):
    path = tmp_path / "durations.json"
    path.write_text(content, encoding="utf-8")
    assert read_durations(path) == {}


def test_a_binary_file_gives_no_durations(tmp_path):
    path = tmp_path / "durations.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    assert read_durations(path) == {}


def test_durations_are_merged_and_order_the_next_run(tmp_path):
    path = tmp_path / "durations.json"
    write_durations(path, {"taxonomy": 4.5, "network": 1.0})
    write_durations(path, {"network": 1.2, "compare": 3.0})
    seconds = read_durations(path)
    assert seconds == {"taxonomy": 4.5, "network": 1.2, "compare": 3.0}
    todo = ["network", "new-report", "compare", "taxonomy"]
    assert longest_first(todo, todo, seconds) == ["new-report", "taxonomy", "compare", "network"]
