"""workbench.analysis.network and `workbench network`: graphs checked by hand on small synthetic datasets."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from workbench.run import cli
from workbench.analysis import compare as C
from workbench.analysis import network as N
from workbench.model.dataset import load
from workbench.model.synthetic import letter_taxonomy, write_dataset

TAXONOMY = letter_taxonomy("abcdefg")
BASE = {
    "gbr_fw": {"country": "GBR", "concepts": ["a", "b", "c"]},
    "can_fw": {"country": "CAN", "concepts": ["b", "c", "d"]},
    "nzl_fw": {"country": "NZL", "level": "senior", "concepts": ["e"]},
    "oecd_fw": {"country": "OECD", "concepts": ["a", "g"]},
}
WORKBENCH = Path(sys.executable).with_name("workbench")


def data(tmp_path, frameworks=BASE, name="data") -> Path:
    return write_dataset(tmp_path / name, frameworks, taxonomy=TAXONOMY)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def graphs(root: Path, **select):
    """(bipartite, overlap, matrix) of a data folder, as the CLI builds them."""
    ds = load(root)
    names = C.select_countries(ds, select.get("countries"))
    ev = C.evidence(ds, names, level=select.get("level"))
    B = N.bipartite_graph(ev, nodes=names, concepts=ds.concepts)
    return B, N.overlap_graph(B), C.framework_matrix(ev, names, list(ds.concepts["concept_id"]))


# -- the exported files ---------------------------------------------------------------


def test_exported_graphml_holds_countries_and_hand_checked_jaccard(tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "network", "--out", out, "--countries", "GBR,CAN,NZL", "--data", data(tmp_path))
    assert code == 0, err
    assert "3 countries" in stdout
    G = nx.read_graphml(out / "overlap.graphml")
    assert {"GBR", "CAN", "NZL"} <= set(G)
    assert "OECD" not in G
    assert {n for n, k in G.nodes(data="kind") if k == "country"} == {"GBR", "CAN", "NZL"}
    assert {n for n, k in G.nodes(data="kind") if k == "concept"} == set("abcde")
    edge = G.edges["GBR", "CAN"]
    # GBR {a,b,c}, CAN {b,c,d}: 2 shared of 4 in all -> Jaccard 0.5; overlap 2 / min(3, 3).
    assert edge["relation"] == "overlap"
    assert edge["weight"] == pytest.approx(0.5)
    assert edge["overlap"] == pytest.approx(2 / 3)
    assert edge["shared"] == "b;c"
    carries = G.edges["GBR", "a"]
    assert carries["relation"] == "carries" and carries["items"] == "gbr_fw-1" and carries["sources"] == "src_test"
    assert G.nodes["a"]["label_ru"] == "Понятие A"
    # a country is named as a reader knows it, with what its sources can show (an outside review read "EST" in Gephi)
    assert (G.nodes["GBR"]["label"], G.nodes["GBR"]["label_ru"], G.nodes["GBR"]["coverage"]) == ("United Kingdom", "Великобритания", "complete")
    assert G.nodes["GBR"]["secondary"] in (False, "False", "false")
    assert not any(G.has_edge("NZL", c) for c in ("GBR", "CAN"))  # shares nothing: no overlap edge
    overlap_weights = [d["weight"] for _, _, d in G.edges(data=True) if d["relation"] == "overlap"]
    assert all(0 <= w <= 1 for w in overlap_weights)


def test_gexf_and_json_hold_the_same_graph(tmp_path, capsys):
    out = tmp_path / "out"
    assert run(capsys, "network", "--out", out, "--data", data(tmp_path))[0] == 0
    graphml = nx.read_graphml(out / "overlap.graphml")
    gexf = nx.read_gexf(out / "overlap.gexf")
    linked = nx.node_link_graph(json.loads((out / "overlap.json").read_text(encoding="utf-8")), edges="edges")
    for G in (gexf, linked):
        assert set(G) == set(graphml)
        assert {frozenset(e) for e in G.edges} == {frozenset(e) for e in graphml.edges}
        assert G.edges["GBR", "CAN"]["weight"] == pytest.approx(0.5)
        assert G.edges["GBR", "CAN"]["relation"] == "overlap"
    assert b"lastmodifieddate" not in (out / "overlap.gexf").read_bytes()
    assert not list(out.glob(".*.tmp"))


def test_matrix_csv_counts_or_binary(tmp_path, capsys):
    frameworks = {**BASE, "can_extra": {"country": "CAN", "concepts": ["b"]}}
    root = data(tmp_path, frameworks)
    out = tmp_path / "out"
    assert run(capsys, "network", "--out", out, "--data", root)[0] == 0
    m = pd.read_csv(out / "matrix.csv", index_col="country")
    assert list(m.index) == ["CAN", "GBR", "NZL"] and list(m.columns) == list("abcdefg")
    assert m.loc["CAN"].tolist() == [0, 2, 1, 1, 0, 0, 0]
    cells = pd.read_csv(out / "matrix_cells.csv").set_index(["country", "concept_id"])
    assert cells.loc[("CAN", "b"), "item_codes"] == "can_extra-1;can_fw-1"
    assert run(capsys, "network", "--out", out, "--binary", "--data", root)[0] == 0
    assert pd.read_csv(out / "matrix.csv", index_col="country").loc["CAN"].tolist() == [0, 1, 1, 1, 0, 0, 0]


def test_level_filter_leaves_out_and_names_a_country_without_a_framework_at_the_level(tmp_path, capsys):
    out = tmp_path / "out"
    code, said, _ = run(capsys, "network", "--out", out, "--level", "all", "--countries", "GBR,NZL", "--data", data(tmp_path))
    assert code == 0 and said.strip().endswith("left out, with no framework at the level 'all': NZL")  # its only framework is senior
    G = nx.read_graphml(out / "overlap.graphml")
    assert "NZL" not in G and "GBR" in G  # no data is said, never drawn as a node of zeros
    assert list(pd.read_csv(out / "matrix.csv")["country"]) == ["GBR"]
    assert G.graph["level"] == "all"


def test_min_weight_drops_weak_overlap_edges_only(tmp_path, capsys):
    out = tmp_path / "out"
    assert run(capsys, "network", "--out", out, "--min-weight", "0.6", "--data", data(tmp_path))[0] == 0
    G = nx.read_graphml(out / "overlap.graphml")
    assert not G.has_edge("GBR", "CAN") and {"GBR", "CAN"} <= set(G)
    assert G.has_edge("GBR", "a")  # carries edges are not filtered


def test_organisations_only_when_asked(tmp_path, capsys):
    root = data(tmp_path)
    out = tmp_path / "out"
    assert run(capsys, "network", "--out", out, "--include-organisations", "--data", root)[0] == 0
    G = nx.read_graphml(out / "overlap.graphml")
    assert G.edges["GBR", "OECD"]["weight"] == pytest.approx(1 / 4)  # {a,b,c} vs {a,g}


def test_country_codes_are_taken_in_any_case(tmp_path, capsys):
    code, _, _ = run(capsys, "network", "--out", tmp_path / "out", "--countries", "gbr,Can", "--data", data(tmp_path))
    assert code == 0
    G = nx.read_graphml(tmp_path / "out" / "overlap.graphml")
    assert {"GBR", "CAN"} <= set(G.nodes)


# -- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["--countries", "GBR,XYZ"], "--countries: XYZ has no framework in the data"),
        (["--level", "middle"], "--level: unknown level 'middle'"),
        (["--min-weight", "1.5"], "--min-weight: must be between 0 and 1"),
        (["--countries", "GBR", "--frameworks", "can_fw"], "--countries: the selection holds no mapped item"),
    ],
)
def test_bad_input_gets_one_line_and_exit_2(tmp_path, capsys, args, message):
    code, _, err = run(capsys, "network", "--out", tmp_path / "out", *args, "--data", data(tmp_path))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(message)
    assert not (tmp_path / "out").exists()


def test_bad_input_through_the_installed_command(tmp_path):
    root = data(tmp_path)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    for args in (["--countries", "GBR,XYZ"], ["--level", "middle"]):
        proc = subprocess.run([str(WORKBENCH), "network", "--out", str(tmp_path / "out"), *args, "--data", str(root)],
                              capture_output=True, text=True, env=env)
        assert proc.returncode == 2
        assert len(proc.stderr.splitlines()) == 1 and "Traceback" not in proc.stderr


# -- one framework more or less -----------------------------------------------------------


def _edges(G, relation):
    return {frozenset((u, v)): d for u, v, d in G.edges(data=True) if d.get("relation", relation) == relation}


def test_adding_a_framework_changes_exactly_its_edges_and_cells(tmp_path):
    before = graphs(data(tmp_path, BASE, "before"))
    added = {**BASE, "can_extra": {"country": "CAN", "concepts": ["a", "b"]}}
    after = graphs(data(tmp_path, added, "after"))
    (B0, O0, M0), (B1, O1, M1) = before, after

    # Matrix: exactly (CAN, a) 0 -> 1 and (CAN, b) 1 -> 2.
    diff = (M1 - M0).stack()
    assert diff[diff != 0].to_dict() == {("CAN", "a"): 1, ("CAN", "b"): 1}

    # Bipartite: one new edge (CAN-a); CAN-b now cites two items; every other edge unchanged.
    c0, c1 = _edges(B0, "carries"), _edges(B1, "carries")
    assert set(c1) - set(c0) == {frozenset(("CAN", "a"))} and set(c0) <= set(c1)
    assert c1[frozenset(("CAN", "b"))]["items"] == "can_extra-2;can_fw-1"
    changed = {e for e in c0 if c0[e] != c1[e]}
    assert changed == {frozenset(("CAN", "b"))}

    # Overlap: only GBR-CAN moves, from 2/4 to 3/4 ({a,b,c} vs {a,b,c,d}); NZL still alone.
    o0, o1 = _edges(O0, "overlap"), _edges(O1, "overlap")
    assert set(o0) == set(o1) == {frozenset(("GBR", "CAN"))}
    assert (o0[frozenset(("GBR", "CAN"))]["weight"], o1[frozenset(("GBR", "CAN"))]["weight"]) == (0.5, 0.75)
    assert o1[frozenset(("GBR", "CAN"))]["overlap"] == 1.0

    # Removing it again is the same change backwards.
    assert graphs(data(tmp_path, BASE, "again"))[2].equals(M0)


# -- the graph functions on explicit inputs ------------------------------------------------


def _ev(carried: dict[str, str]) -> pd.DataFrame:
    rows = [{"country": c, "concept_id": k, "item_code": f"{c}-{k}", "framework_id": f"fw_{c.lower()}",
             "source": "s", "locator": "p. 1"} for c, concepts in carried.items() for k in concepts]
    return pd.DataFrame(rows)


TWO_BLOCS = {"GBR": "abc", "CAN": "abc", "NZL": "def", "AUS": "defa", "IRL": "g"}


def test_communities_are_seeded_and_find_the_two_blocs():
    B = N.bipartite_graph(_ev(TWO_BLOCS))
    O = N.overlap_graph(B)
    groups = N.communities(O)
    assert groups.equals(N.communities(O))
    assert groups["GBR"] == groups["CAN"] != groups["NZL"] == groups["AUS"]
    assert groups["IRL"] not in {groups["GBR"], groups["NZL"]}  # no overlap: a community of its own


def test_bridge_and_unique_concepts():
    B = N.bipartite_graph(_ev(TWO_BLOCS))
    groups = N.communities(N.overlap_graph(B))
    bridges = N.bridge_concepts(B, groups)
    # Only `a` is carried in both blocs (GBR, CAN and AUS).
    assert bridges["concept_id"].tolist() == ["a"]
    assert bridges.loc[0, "carriers"] == "AUS;CAN;GBR" and bridges.loc[0, "n_communities"] == 2
    top = N.centrality(B).query("kind == 'concept'").sort_values("betweenness", ascending=False)
    assert top.iloc[0]["node"] == "a"
    unique = N.unique_concepts(B).set_index("concept_id")["carrier"].to_dict()
    assert unique == {"g": "IRL"}


def test_cooccurrence_counts_carriers():
    B = N.bipartite_graph(_ev({"GBR": "ab", "CAN": "abc"}))
    G = N.cooccurrence_graph(B)
    assert {frozenset((u, v)): d["weight"] for u, v, d in G.edges(data=True)} == {
        frozenset("ab"): 2, frozenset("ac"): 1, frozenset("bc"): 1}
    assert G.edges["a", "b"]["carriers"] == "CAN;GBR"
    assert N.cooccurrence_graph(B, min_weight=2).number_of_edges() == 1


def test_framework_level_graph():
    ev = _ev({"GBR": "ab"})
    ev = pd.concat([ev, ev.assign(framework_id="fw_gbr2", item_code=lambda d: d["item_code"] + "x").iloc[:1]])
    B = N.bipartite_graph(ev, by="framework")
    assert set(N.side(B, 0)) == {"fw_gbr", "fw_gbr2"} and B.nodes["fw_gbr2"]["country"] == "GBR"
    assert N.overlap_graph(B).edges["fw_gbr", "fw_gbr2"]["weight"] == 0.5


def test_centrality_on_a_one_mode_graph():
    G = nx.Graph([("A", "B"), ("B", "C")])
    table = N.centrality(G).set_index("node")
    assert table.loc["B", "betweenness"] == 1.0 and table.loc["A", "degree"] == 0.5


def test_graphml_safe_attributes():
    G = nx.Graph()
    G.add_node("x", tags=["a", "b"], missing=None)
    G.add_edge("x", "y", items=("i1", "i2"), weight=1)
    H = N.graphml_safe(G)
    assert H.nodes["x"] == {"tags": "a;b"} and H.edges["x", "y"]["items"] == "i1;i2"
    assert G.nodes["x"]["tags"] == ["a", "b"]  # input untouched
    N.graph_bytes(H, "graphml")  # no exception: every value is GraphML-typed
