"""The what-if explorer of ``notebooks/explore.ipynb``: widgets over the recommendation engine, in JupyterLab.

It holds no analysis of its own: every number is :func:`workbench.analysis.recommend.recommendations`
(the call ``workbench recommend`` makes), every option the register's. What does not depend on
the widgets is computed once per kernel (the data, each granularity's dataset, the gap analysis of
each peer set, the default ranking); a weight change only re-ranks. "Save as report" writes the
current settings as an entry of ``reports.yaml``, which ``workbench reports`` then regenerates.
"""
from __future__ import annotations

import base64
import html
import time
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from workbench.analysis import network
from workbench.analysis.compare import evidence
from workbench.analysis.recommend import GapAnalysis, analyse, ranked, recommendations
from workbench.analysis.scoring import contributions, known_weight
from workbench.model.dataset import Dataset, load
from workbench.model.defaults import DEFAULT_BASELINE, DEFAULT_PEERS
from workbench.model.errors import InputError
from workbench.model.outputs import atomic_write
from workbench.model.validate import check_name
from workbench.model.i18n import country_name, has, number, percent, t, value_word
from workbench.model.settings import COMPONENTS, countries_with_data, load_settings
from workbench.model.taxonomy import at_granularity, concept_labels
from workbench.present.figures import network_figure, png_bytes
from workbench.run.matrix import load_matrix
from workbench.run.project import Project

__all__ = ["Choice", "ExplorerModel", "Explored", "explorer", "show", "save_as_report", "EXPLORED_COLUMNS"]

#: The columns of the explorer's ranked lists, as ``workbench recommend`` names them.
EXPLORED_COLUMNS = ["rank", "scope", "concept_id", "kaz_status", "options", "model_countries", "score", "stability"]


@dataclass(frozen=True)
class Choice:
    """What the widgets set: peers, baseline, the five weights, granularity, language and list length."""

    peers: tuple[str, ...] = tuple(DEFAULT_PEERS)
    baseline: str = DEFAULT_BASELINE
    weights: tuple[tuple[str, float], ...] = ()
    granularity: str = "fine"
    lang: str = "en"
    top: int = 10
    draws: int = 500  # as workbench recommend, so that the stability column is the same

    def parameters(self) -> dict[str, Any]:
        """The choice as parameters of ``notebooks/recommendations.ipynb`` (an entry of ``reports.yaml``)."""
        out: dict[str, Any] = {"peers": list(self.peers), "baseline": self.baseline, "top": self.top,
                               "granularity": self.granularity, "lang": self.lang}
        if self.weights:
            out["weights"] = dict(self.weights)
        return out


@dataclass
class Explored:
    """One update's results: the ranked lists, how ranks moved against the default, and the timing."""

    choice: Choice
    recs: pd.DataFrame
    moves: pd.Series  # per row of recs: positions moved up (+) or down (-) against the default; NaN: new
    gaps: GapAnalysis
    seconds: float = 0.0


@dataclass
class ExplorerModel:
    """The explorer's computation, with what does not depend on the widgets cached for the kernel."""

    data: Dataset | None = None
    timings: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.data = self.data if self.data is not None else load()
        self._datasets: dict[str, Dataset] = {}
        self._gaps: dict[tuple, GapAnalysis] = {}
        self._defaults: dict[tuple, pd.DataFrame] = {}
        self._networks: dict[tuple, bytes] = {}

    def dataset(self, granularity: str) -> Dataset:
        if granularity not in self._datasets:
            self._datasets[granularity] = at_granularity(self.data, granularity)
        return self._datasets[granularity]

    def gaps(self, choice: Choice) -> GapAnalysis:
        """The gap analysis of the choice's peers and baseline (cached: weights do not change it), with its weights."""
        key = (choice.peers, choice.baseline, choice.granularity)
        if key not in self._gaps:
            self._gaps[key] = analyse(self.dataset(choice.granularity), list(choice.peers), choice.baseline)
        base = self._gaps[key]
        return _with_weights(base, dict(choice.weights)) if choice.weights else base

    def default_ranks(self, choice: Choice) -> pd.Series:
        """Each concept's rank in its list with the default peers, baseline and weights (same granularity)."""
        key = (choice.granularity,)
        if key not in self._defaults:
            start = _start(self)
            self._defaults[key] = ranked(self.gaps(Choice(peers=start.peers, baseline=start.baseline, granularity=choice.granularity)))
        frame = self._defaults[key]
        return pd.Series(frame["rank"].values, index=pd.MultiIndex.from_arrays([frame["list"], frame["concept_id"]]))

    def compute(self, choice: Choice) -> Explored:
        """The ranked lists for ``choice``, exactly as ``workbench recommend`` computes them, and the rank moves."""
        start = time.perf_counter()
        gaps = self.gaps(choice)
        recs = recommendations(gaps, top=choice.top, draws=choice.draws, seed=0)
        before = self.default_ranks(choice)
        moves = pd.Series([before.get((s, c), float("nan")) - r for s, c, r in zip(recs["scope"], recs["concept_id"], recs["rank"])],
                          index=recs.index, dtype=float)
        seconds = time.perf_counter() - start
        return Explored(choice, recs, moves, gaps, seconds)


def _with_weights(gaps: GapAnalysis, weights: dict[str, float]) -> GapAnalysis:
    """``gaps`` scored with ``weights`` (some or all five): only the settings change, never the evidence."""
    current = gaps.settings.weights.model_dump()
    new = type(gaps.settings.weights).model_validate({**current, **weights})
    return replace(gaps, settings=gaps.settings.model_copy(update={"weights": new}))


# -- what the explorer shows ------------------------------------------------------------------------

def _move_text(move: float) -> str:
    if move != move:
        return "new"
    return "=" if move == 0 else (f"↑{int(move)}" if move > 0 else f"↓{int(-move)}")


def ranked_html(result: Explored, lang: str) -> str:
    """The two ranked lists as HTML tables: rank, move, concept, Kazakhstan's status, options, score, stability."""
    labels = concept_labels(result.gaps.concepts, lang) if result.gaps.concepts is not None else {}
    titles = dict(zip(result.gaps.options["option_id"], result.gaps.options[f"title_{lang}"]))
    parts = []
    for scope, part in result.recs.groupby("scope", sort=False):
        rows = []
        for i, r in part.iterrows():
            options = "; ".join(titles.get(o, o) for o in str(r["options"]).split(";") if o) or t("options.no_option", lang)
            cells = [str(r["rank"]), _move_text(result.moves[i]), labels.get(r["concept_id"], r["concept_id"]),
                     value_word(r["kaz_status"], lang), options, number(r["score"], lang, 3), percent(r["stability"], lang, 1)]
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
        head = ["columns.rank", "columns.move", "columns.concept", "columns.kaz_status", "columns.options", "columns.score",
                "columns.stability"]
        parts.append(f"<h4>{html.escape(t('evidence.list_' + scope, lang))}</h4>"
                     f'<table class="wb-explore-ranked" data-scope="{html.escape(scope)}"><thead><tr>'
                     + "".join(f"<th>{html.escape(t(h, lang))}</th>" for h in head) + "</tr></thead><tbody>"
                     + "".join(rows) + "</tbody></table>")
    return "".join(parts)


def components_html(result: Explored, lang: str) -> str:
    """Each ranked concept's score split into its weighted components, as a table of bars (pandas'
    Styler: drawn in a few milliseconds, where the report's figure takes a fifth of a second).
    A component weighted 0 contributes nothing and is left out; one nobody could know (NaN) is empty
    and leaves its row's divisor, as in the score."""
    labels = concept_labels(result.gaps.concepts, lang) if result.gaps.concepts is not None else {}
    weights = result.gaps.settings.weights.model_dump()
    parts, divisors = contributions(result.recs, weights), known_weight(result.recs, weights)
    shown = [k for k in COMPONENTS if weights[k] > 0]
    frame = pd.DataFrame({t(f"columns.{k}", lang): parts[k].values for k in shown},
                         index=[f"{r} · {labels.get(c, c)}" for r, c in zip(result.recs["rank"], result.recs["concept_id"])])
    frame[t("columns.score", lang)] = result.recs["score"].values
    columns = list(frame.columns[:-1])
    styled = (frame.style.format_index(escape="html", axis=0)  # a label from the data is text, never markup
              .bar(subset=columns, vmin=0, vmax=max(weights.values()) / float(divisors.where(divisors > 0, 1.0).min()), color="#8fb3e0")
              .bar(subset=[frame.columns[-1]], vmin=0, vmax=1, color="#f0b46a")
              .format(lambda v: number(v, lang, 3) if v == v else ""))
    return styled.to_html()


def network_png(model: ExplorerModel, choice: Choice) -> bytes:
    """The overlap network of the chosen peers with a framework in the data and Kazakhstan (cached for
    the kernel: it depends on the peers, granularity and language only)."""
    key = (choice.peers, choice.granularity, choice.lang)
    if key not in model._networks:
        ds = model.dataset(choice.granularity)
        countries = [c for c in (*choice.peers, "KAZ") if c in set(ds.items["country"])]
        overlap = network.overlap_graph(network.bipartite_graph(evidence(ds, countries), nodes=countries, concepts=ds.concepts))
        model._networks[key] = png_bytes(network_figure(overlap, choice.lang, size=5.5), dpi=72)
    return model._networks[key]


# -- publishing what was found ----------------------------------------------------------------------

def save_as_report(project: Any, choice: Choice, name: str, title: str) -> str:
    """Append the choice as an entry of ``reports.yaml`` (notebook ``recommendations.ipynb``), so that
    ``workbench reports`` regenerates it like any other report; returns the entry's name.

    The file is checked as a whole before it replaces the old one (a temporary file, renamed into
    place): a name that is taken or not a plain file name, or an entry the matrix refuses, leaves
    ``reports.yaml`` as it was and raises :class:`~workbench.model.errors.InputError`.
    """
    import yaml  # deferred: the writer of an entry is needed only when something is saved

    name, title = name.strip(), " ".join(title.split())
    problem = check_name(name) if name else "give the report a name"
    if problem:
        raise InputError.parameter("name", problem)
    specs = load_matrix(project.matrix, project.notebooks)
    existing = {s.name for s in specs} | {s.group for s in specs if s.group}
    if name in existing:
        raise InputError.parameter("name", f"a report named '{name}' exists in reports.yaml: choose another name")
    entry = {"name": name, "notebook": "recommendations.ipynb", "title": title or name,
             "description": f"Saved from the explorer on {time.strftime('%Y-%m-%d')}.", "parameters": choice.parameters()}
    text = project.matrix.read_text(encoding="utf-8").rstrip("\n") + "\n\n  # saved from the explorer (notebooks/explore.ipynb)\n"
    text += "".join(f"  {line}\n" for line in yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=1000).splitlines())
    trial = project.matrix.with_name(f".{project.matrix.name}.explorer-check")
    trial.write_text(text, encoding="utf-8")
    try:
        names = [s.name for s in load_matrix(trial, project.notebooks)]
    finally:
        trial.unlink(missing_ok=True)
    if names[-1] != name:  # the entry must land in the list of reports, as its last entry
        raise InputError.single(project.matrix, 0, "cannot append: 'reports' is not the last section of the file")
    atomic_write(project.matrix, text)
    return name


# -- the widgets ------------------------------------------------------------------------------------

def _peer_choices(ds: Dataset) -> list[tuple[str, str]]:
    """The countries a peer can be (those with a framework, as the analysis requires), each by name;
    one known only from secondary sources says so, as it is never a default peer."""
    fws = ds.frameworks
    official = set(fws.loc[fws["source_kind"] != "secondary", "country"]) if "source_kind" in fws else set(fws["country"])
    return [(f"{country_name(c)}{'' if c in official else ', ' + t('ui.secondary_source')} ({c})", c) for c in countries_with_data(ds)]


def _start(model: ExplorerModel) -> Choice:
    """The settings the explorer opens with: the defaults, where the data folder has them (another
    folder may name other baselines and countries), else the first it offers."""
    settings = load_settings(model.data)
    known = [code for _, code in _peer_choices(model.data)]
    peers = tuple(p for p in DEFAULT_PEERS if p in known) or tuple(known[:1])
    baseline = DEFAULT_BASELINE if DEFAULT_BASELINE in settings.baselines else next(iter(settings.baselines))
    return Choice(peers=peers, baseline=baseline)


def _controls(w: Any, model: ExplorerModel) -> dict[str, Any]:
    settings = load_settings(model.data)
    start = _start(model)
    wide = {"description_width": "initial"}
    controls = {
        "peers": w.SelectMultiple(options=_peer_choices(model.data), value=start.peers, rows=8,
                                  description=t("params.peers"), style=wide),
        "baseline": w.Dropdown(options=[(t(f"params.baseline_{b}") if has(f"params.baseline_{b}") else b, b) for b in settings.baselines],
                               value=start.baseline, description=t("params.baseline"), style=wide),
        "granularity": w.ToggleButtons(options=["fine", "broad"], value="fine", description=t("params.granularity"), style=wide),
        "lang": w.Dropdown(options=[("English", "en"), ("Русский", "ru"), ("Қазақша", "kk")], value="en",
                           description=t("params.lang"), style=wide),
        "top": w.IntSlider(value=10, min=3, max=20, continuous_update=False, description=t("params.top"), style=wide),
    }
    for k in COMPONENTS:
        controls[k] = w.FloatSlider(value=float(getattr(settings.weights, k)), min=0.0, max=3.0, step=0.1,
                                    continuous_update=False, description=t(f"columns.{k}"), style=wide)
    return controls


def _choice(controls: dict[str, Any], defaults: dict[str, float]) -> Choice:
    weights = tuple((k, round(float(controls[k].value), 6)) for k in COMPONENTS if round(float(controls[k].value), 6) != defaults[k])
    return Choice(peers=tuple(controls["peers"].value), baseline=controls["baseline"].value, weights=weights,
                  granularity=controls["granularity"].value, lang=controls["lang"].value, top=int(controls["top"].value))


def _problem_text(exc: Exception) -> str:
    """One line for the explorer's status: the input problems, or the first message of a validation error.

    >>> _problem_text(InputError.parameter("peers", "no peer countries given"))
    'no peer countries given'
    """
    if isinstance(exc, InputError):
        return "; ".join(p.message for p in exc.problems)
    errors = getattr(exc, "errors", None)
    first = errors()[0].get("msg", "") if callable(errors) and errors() else str(exc).splitlines()[0]
    return str(first).removeprefix("Value error, ")


def explorer(model: ExplorerModel | None = None, project: Any = None) -> Any:
    """The explorer's widgets, live: every change recomputes and redraws (``model.timings`` keeps the times)."""
    import ipywidgets as w  # deferred: widgets are needed in JupyterLab only, never by a report or a command

    model = model or ExplorerModel()
    project = project or Project.find()
    controls = _controls(w, model)
    defaults = load_settings(model.data).weights.model_dump()
    ranked, status = w.HTML(), w.HTML()
    components, graph = w.HTML(), w.Image(format="png")
    name, title = w.Text(placeholder="report name, e.g. explored-peers"), w.Text(placeholder="title")
    save, saved = w.Button(description="Save as report", icon="save"), w.HTML()

    def update(_: Any = None) -> None:
        start = time.perf_counter()
        choice = _choice(controls, defaults)
        try:
            result = model.compute(choice)
        except (InputError, ValueError) as exc:  # pydantic's ValidationError (all weights zero) is a ValueError
            status.value = f"<b>{html.escape(_problem_text(exc))}</b>"
            ranked.value = components.value = ""  # nothing of the previous setting stays on screen as if current
            graph.value = b""
            return
        ranked.value = ranked_html(result, choice.lang)
        components.value = components_html(result, choice.lang)
        graph.value = network_png(model, choice)
        model.timings.append(time.perf_counter() - start)
        status.value = f"<small>updated in {model.timings[-1] * 1000:.0f} ms</small>"

    def publish(_: Any) -> None:
        try:
            saved_name = save_as_report(project, _choice(controls, defaults), name.value, title.value)
            saved.value = f"saved as <code>{html.escape(saved_name)}</code> in reports.yaml: <code>workbench reports --only {html.escape(saved_name)}</code> builds it"
        except InputError as exc:
            saved.value = f"<b>not saved: {html.escape('; '.join(p.message for p in exc.problems))}</b>"

    for control in controls.values():
        control.observe(update, names="value")
    save.on_click(publish)
    update()
    left = w.VBox([*controls.values(), w.HBox([name, title]), save, saved], layout=w.Layout(width="34%"))
    right = w.VBox([status, ranked, components, graph], layout=w.Layout(width="66%"))
    box = w.HBox([left, right])
    box.add_class("wb-explorer")

    def snapshot() -> str:
        """The outputs as they stand, as plain HTML: what an HTML export of the notebook shows."""
        image = base64.b64encode(graph.value).decode("ascii") if graph.value else ""
        return (f'<div class="wb-explorer-snapshot">{status.value}{ranked.value}{components.value}'
                + (f'<img alt="overlap network" src="data:image/png;base64,{image}">' if image else "") + "</div>")

    box.snapshot_ = snapshot  # type: ignore[attr-defined]
    box.model_ = model  # type: ignore[attr-defined]  # for tests and benchmarks: the computation behind the view
    box.update_ = update  # type: ignore[attr-defined]
    box.controls_ = controls  # type: ignore[attr-defined]
    return box


def show(view: Any) -> None:
    """Display the explorer: live widgets in JupyterLab, and beside them a static rendering of the
    same outputs that an HTML export shows instead of a widget it cannot run."""
    from IPython.display import display  # deferred: IPython is the notebook's, never a command's

    display({"application/vnd.jupyter.widget-view+json": {"model_id": view.model_id, "version_major": 2, "version_minor": 0},
             "text/html": view.snapshot_(), "text/plain": "The workbench explorer: open the notebook in JupyterLab to use it."},
            raw=True)
