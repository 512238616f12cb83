"""workbench.present.figures: names that say what made a figure, languages, and byte-identical files."""
from __future__ import annotations

import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from workbench.analysis import compare as C  # noqa: E402
from workbench.present import figures as F  # noqa: E402
from workbench.model.dataset import load  # noqa: E402
from workbench.model.synthetic import letter_taxonomy, write_dataset  # noqa: E402

TAXONOMY = letter_taxonomy("abcdef")
FRAMEWORKS = {
    "gbr_fw": {"country": "GBR", "concepts": ["a", "b", "c"]},
    "can_fw": {"country": "CAN", "concepts": ["b", "c", "d", "d"]},
    "nzl_fw": {"country": "NZL", "concepts": ["d", "e"]},
    "kaz_fw": {"country": "KAZ", "concepts": ["a", "e"]},
}
STEMS = [
    "heatmap_countries-CAN-GBR-KAZ-NZL_level-any_lang-{lang}",
    "network_countries-CAN-GBR-KAZ-NZL_level-any_lang-{lang}_seed-0",
    "map_countries-CAN-GBR-KAZ-NZL_level-any_lang-{lang}_method-mds",
]
SCRIPT = "import sys; from workbench.model.dataset import load; from workbench.present.figures import write_figures; " \
         "write_figures(load(sys.argv[1]), sys.argv[2], lang=sys.argv[3])"


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return write_dataset(tmp_path_factory.mktemp("fig") / "data", FRAMEWORKS, taxonomy=TAXONOMY)


def test_figures_are_byte_identical_across_runs(root, tmp_path):
    first = F.write_figures(load(root), tmp_path / "one", lang="ru")
    assert sorted(p.name for p in first) == sorted(s.format(lang="ru") + ext for s in STEMS for ext in (".svg", ".png"))
    # A second run in a fresh interpreter, with other string hashing.
    env = {**os.environ, "PYTHONHASHSEED": "12345", "MPLBACKEND": "Agg"}
    subprocess.run([sys.executable, "-c", SCRIPT, str(root), str(tmp_path / "two"), "ru"], check=True, env=env)
    for path in first:
        assert (tmp_path / "two" / path.name).read_bytes() == path.read_bytes(), path.name
    assert sorted(os.listdir(tmp_path / "one")) == sorted(p.name for p in first)  # no temp files left


def test_files_carry_no_date_or_software(root, tmp_path):
    ds = load(root)
    fig = F.map_figure(C.country_map(C.framework_matrix(C.evidence(ds))))
    svg, png = F.save_figure(fig, tmp_path, "m")
    text = svg.read_text(encoding="utf-8")
    assert "<dc:date>" not in text and "Matplotlib v" not in text
    assert b"Software" not in png.read_bytes()
    # Saving the same figure again gives the same bytes.
    svg_bytes, png_bytes = svg.read_bytes(), png.read_bytes()
    F.save_figure(fig, tmp_path, "m")
    assert (svg.read_bytes(), png.read_bytes()) == (svg_bytes, png_bytes)


def test_heatmap_labels_follow_the_language(root):
    import matplotlib.pyplot as plt

    ds = load(root)
    matrix = C.framework_matrix(C.evidence(ds), concepts=list(ds.concepts["concept_id"]))
    for lang, expected in (("en", "Concept A"), ("ru", "Понятие A"), ("kk", "Ұғым A")):
        grid = F.heatmap(matrix, F.concept_labels(ds.concepts, lang))
        shown = {t.get_text() for t in grid.ax_heatmap.get_yticklabels()}
        plt.close(grid.figure)
        assert expected in shown
        assert "Concept F" not in shown and "Понятие F" not in shown  # nobody carries f
    with pytest.raises(ValueError):
        F.concept_labels(ds.concepts, "de")


def test_network_figure_labels_concepts_in_the_language(root):
    from workbench.analysis.network import bipartite_graph, export_graph, overlap_graph

    ds = load(root)
    B = bipartite_graph(C.evidence(ds), concepts=ds.concepts)
    fig = F.network_figure(export_graph(B, overlap_graph(B)), lang="kk")
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"Ұғым A", "GBR"} <= texts


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_the_network_keeps_its_room_beside_a_long_legend_and_writes_numbers_as_the_language_does(root, lang):
    """An outside review: in Russian and Kazakh the one-line legend entry of a partial source squeezed
    the drawing to a quarter of the figure, and the edges read 0.42 beside tables reading 0,417."""
    from workbench.analysis.network import bipartite_graph, overlap_graph
    from workbench.model.i18n import number

    ds = load(root)
    overlap = overlap_graph(bipartite_graph(C.evidence(ds), concepts=ds.concepts))
    fig = F.network_figure(overlap, lang=lang, threshold=0.25, partial=list(overlap)[:1])
    canvas = fig.canvas
    canvas.draw()
    assert fig.axes[0].get_position().width > 0.5
    assert number(0.25, lang) in fig.axes[0].get_title()
    weights = {tx.get_text() for tx in fig.axes[0].texts if tx.get_text()[:1].isdigit()}
    assert weights and all(("," in w) == (lang != "en") for w in weights)


def _disc_and_label_boxes(fig):
    """The value labels of a drawn network, their boxes (display units), and its axes."""
    ax = fig.axes[0]
    fig.canvas.draw()
    labels = [tx for tx in ax.texts if tx.get_text()[:1].isdigit()]
    return labels, [tx.get_window_extent() for tx in labels], ax


def test_a_dense_network_draws_no_link_through_a_node_and_no_value_over_another():
    """A review of the printed reports: the professionalisation peers' network (every pair of eight
    countries linked) put Japan, Canada and the United States in a row, so the Japan-United States
    link ran under Canada's node, and 28 values at the links' middles covered each other and the nodes."""
    import itertools

    import networkx as nx
    import numpy as np

    from workbench.present.network_labels import LINK_CLEARANCE, distance, network_layout, passes_through_a_node

    codes = ["GBR", "USA", "CAN", "JPN", "FRA", "LTU", "AUS", "KAZ"]
    G = nx.Graph()
    for i, (u, v) in enumerate(itertools.combinations(codes, 2)):
        G.add_edge(u, v, weight=round(0.1 + (i * 7 % 23) / 40, 2))
    nx.set_node_attributes(G, "country", "kind")
    pos, _ = network_layout(G, seed=0)
    assert not passes_through_a_node(pos, G.edges, LINK_CLEARANCE)
    for lang in ("en", "ru"):
        fig = F.network_figure(G, lang=lang, partial=["USA", "FRA"])
        labels, boxes, ax = _disc_and_label_boxes(fig)
        assert len(labels) >= G.number_of_edges() // 2  # the checks below are not vacuous
        centres = ax.transData.transform(np.array([pos[n] for n in G]))
        radius = F._RING_PT * fig.dpi / 72
        assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
        for box in boxes:
            middle = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
            assert min(np.hypot(*(middle - c)) for c in centres) > radius
            # one link, the label's own, runs through its middle: no value stands where links cross
            assert sum(distance(middle, centres[list(G).index(u)], centres[list(G).index(v)]) < box.height / 2 for u, v in G.edges) == 1
        legend = " ".join(tx.get_text() for tx in ax.get_legend().get_texts())
        left = G.number_of_edges() - len(labels)
        assert (str(left) in legend) == (left > 0)  # the values left off are counted, and only then


def test_values_that_find_no_clear_place_are_left_off_and_counted_in_the_language():
    import networkx as nx

    from workbench.model.i18n import tn

    G = nx.complete_graph([f"C{i:02d}" for i in range(16)])  # 120 links on a circle: no room for every value
    nx.set_edge_attributes(G, 0.5, "weight")
    nx.set_node_attributes(G, "country", "kind")
    for lang in ("en", "ru", "kk"):
        fig = F.network_figure(G, lang=lang)
        labels, boxes, ax = _disc_and_label_boxes(fig)
        left = G.number_of_edges() - len(labels)
        assert 0 < left < G.number_of_edges()
        legend = " ".join(" ".join(tx.get_text().split()) for tx in ax.get_legend().get_texts())
        assert " ".join(tn("figures.unlabelled_links", left, lang).split()) in legend


def test_a_sparse_network_keeps_its_spring_layout():
    import networkx as nx

    from workbench.present.network_labels import network_layout

    G = nx.Graph([("GBR", "CAN", {"weight": 0.4}), ("CAN", "NZL", {"weight": 0.3}), ("NZL", "KAZ", {"weight": 0.2})])
    pos, _ = network_layout(G, seed=0)
    # a path of four laid out by Kamada-Kawai is not four points on a circle around the square's centre
    radii = {round(((x - 0.5) ** 2 + (y - 0.5) ** 2) ** 0.5, 3) for x, y in pos.values()}
    assert len(radii) > 1


def test_a_link_without_a_weight_gets_no_value_and_a_smaller_figure_keeps_its_links_clear_of_nodes():
    """A second reading: unweighted links were written "0.00"; and the clearance was a share of the
    8-inch figure while nodes keep their size in points, so on the explorer's smaller figure a link
    could run through a node undetected."""
    import networkx as nx

    from workbench.present.network_labels import LINK_CLEARANCE, network_layout, passes_through_a_node

    G = nx.Graph([("GBR", "CAN"), ("CAN", "NZL", {"weight": 0.5})])
    nx.set_node_attributes(G, "country", "kind")
    labels, _, _ = _disc_and_label_boxes(F.network_figure(G))
    assert [tx.get_text() for tx in labels] == ["0.50"]
    row = nx.Graph([("A", "B"), ("B", "C"), ("A", "C")])  # three in a row: the A-C link under B
    pos = {"A": (0.0, 0.5), "B": (0.5, 0.5 + 1.2 * LINK_CLEARANCE), "C": (1.0, 0.5)}
    assert not passes_through_a_node(pos, row.edges, LINK_CLEARANCE) and passes_through_a_node(pos, row.edges, LINK_CLEARANCE * 8 / 5.5)
    assert not passes_through_a_node(network_layout(row, 0, clearance=LINK_CLEARANCE * 8 / 5.5)[0], row.edges, LINK_CLEARANCE * 8 / 5.5)


def test_long_country_lists_get_a_short_digest_name():
    many = [f"C{i:02d}" for i in range(20)]
    stem = F.figure_stem("heatmap", many)
    assert stem.startswith("heatmap_countries-20-") and len(stem) < 60
    assert stem == F.figure_stem("heatmap", list(reversed(many)))


def test_a_saved_figure_is_embedded_as_its_png_file_and_drawn_once(tmp_path, monkeypatch):
    import base64
    import re

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from workbench import present

    fig = Figure(figsize=(4, 3))
    fig.add_subplot().plot([0, 1], [1, 0])
    png_file = next(p for p in F.save_figure(fig, tmp_path, "line") if p.suffix == ".png")
    drawn = []
    monkeypatch.setattr(F, "png_bytes", lambda *a, **k: drawn.append(a) or b"")
    markup = present.figure(fig, "a line").markup
    assert drawn == []  # not drawn again
    embedded = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", markup).group(1))
    assert embedded == png_file.read_bytes()
    width = F.png_size(embedded)[0]
    assert f'width="{round(width * F.SCREEN_DPI / 150)}"' in markup  # shown at the size of a screen drawing
    monkeypatch.undo()
    other = Figure(figsize=(4, 3))
    other.add_subplot().plot([0, 1], [0, 1])
    plain = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", present.figure(other).markup).group(1))
    assert F.png_size(plain)[0] < width  # never saved: drawn at screen resolution


def test_a_component_weighted_zero_takes_no_colour_in_the_legend():
    from workbench.analysis import recommend
    from workbench.model.i18n import t
    from workbench.present.figures import score_components

    gaps = recommend.analyse(load(), ["GBR", "CAN", "NZL"])
    recs = recommend.recommendations(gaps, top=3, draws=0)
    weights = gaps.settings.weights.model_dump()
    assert weights["paper_recommended"] == 0
    fig = score_components(recs, list(recs["concept_id"]), weights)
    shown = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert t("columns.paper_recommended") not in shown and len(shown) == sum(w > 0 for w in weights.values())
