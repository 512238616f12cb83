"""Issue 23: the runner's cache is a hint, never a source of truth; every file a report reads is in its key.

A checkout with two reports is made once (``tiny`` saves a figure, ``plain`` saves none); each test
works on its own copy, breaks one thing, and checks what the runner plans and the exact line a
user reads on stderr.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from workbench.model.documents import document_paths, read_documents
from workbench.model.errors import InputError
from workbench.present.citations import documents_html
from workbench.run import Project, load_matrix, runner
from workbench.run.durations import read_durations
from workbench.run.fingerprint import input_key, inputs_fingerprint

REPO = Path(__file__).resolve().parents[1]
FIXTURE_NOTEBOOKS = REPO / "tests" / "fixtures" / "notebooks"
WORKBENCH = Path(sys.executable).parent / "workbench"
FIRST_DOCUMENT = "000_768dc561226916d4.txt"
MATRIX = {"reports": [
    {"name": "tiny", "notebook": "tiny.ipynb", "description": "saves a figure", "parameters": {"label": "kept"}},
    {"name": "plain", "notebook": "context.ipynb", "description": "saves no figure"},
]}


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_DATA"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), *filter(None, [env.get("PYTHONPATH")])])
    return env


def run_cli(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(WORKBENCH), "reports", "--no-progress"], cwd=root, capture_output=True, text=True, env=cli_env())


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("built") / "checkout"
    (root / "notebooks").mkdir(parents=True)
    for name in ("tiny.ipynb", "context.ipynb"):
        shutil.copy(FIXTURE_NOTEBOOKS / name, root / "notebooks" / name)
    shutil.copy(REPO / "notebooks" / "documents.ipynb", root / "notebooks" / "documents.ipynb")
    shutil.copytree(REPO / "data", root / "data")
    (root / "reports.yaml").write_text(yaml.safe_dump(MATRIX, sort_keys=False), encoding="utf-8")
    for _ in range(2):  # the second run writes the parameters cache (never the first file of a checkout)
        proc = run_cli(root)
        assert proc.returncode == 0 and proc.stderr == "", proc.stdout + proc.stderr
    assert (root / "figures" / "tiny" / "note.txt").is_file()
    assert not any((root / "figures" / "plain").iterdir())
    return root


@pytest.fixture
def checkout(built, tmp_path, monkeypatch) -> Path:
    """A copy of the built checkout, the working directory (messages name paths relative to it)."""
    root = tmp_path / "checkout"
    shutil.copytree(built, root, symlinks=True)
    monkeypatch.chdir(root)
    monkeypatch.delenv("WORKBENCH_DATA", raising=False)
    return root


def plan(root: Path) -> tuple[list[str], list[str]]:
    """(reports the runner would skip, reports it would run), as ``workbench reports`` plans them."""
    project = Project(root)
    specs = load_matrix(project.matrix, project.notebooks, cache_dir=project.cache, data_dir=project.data)
    results, todo = runner._plan(project, specs, False, None)
    return sorted(r.name for r in results), sorted(spec.name for spec, _ in todo)


def test_with_nothing_changed_every_report_is_unchanged_and_nothing_is_said(checkout, capsys):
    assert plan(checkout) == (["plain", "tiny"], [])
    assert capsys.readouterr().err == ""


# -- key files ---------------------------------------------------------------------------------
def test_a_key_file_that_is_not_text_means_changed_the_report_is_rebuilt_and_a_warning_names_it(checkout):
    key = checkout / "reports" / ".cache" / "tiny.key"
    key.write_bytes(b"\xff\xfe\x00binary")
    proc = run_cli(checkout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == ["reports/.cache/tiny.key: warning: ignored (not text); the report is rebuilt"]
    status = {line.split()[1]: line.split()[0] for line in proc.stdout.splitlines()[:2]}
    assert status == {"tiny": "ok", "plain": "skipped"}, proc.stdout
    assert "1 regenerated, 1 unchanged, 0 failed" in proc.stdout
    assert len(key.read_text(encoding="ascii")) == 64
    assert run_cli(checkout).stderr == ""  # repaired: said once


@pytest.mark.parametrize("content, message", [
    (b'{"key": "not this shape"}', "reports/.cache/tiny.key: warning: ignored (not a cache key); the report is rebuilt"),
    (b"", "reports/.cache/tiny.key: warning: ignored (not a cache key); the report is rebuilt"),
    (None, "reports/.cache/tiny.key: warning: removed (not a file; a cache key belongs here); the report is rebuilt"),
])
def test_a_key_of_the_wrong_shape_means_changed_with_one_warning(checkout, capsys, content, message):
    key = checkout / "reports" / ".cache" / "tiny.key"
    key.unlink()
    if content is None:
        (key / "inside").mkdir(parents=True)
    else:
        key.write_bytes(content)
    assert plan(checkout) == (["plain"], ["tiny"])
    assert capsys.readouterr().err.splitlines() == [message]
    assert not key.is_dir()


def test_a_key_of_other_inputs_means_changed_without_a_warning(checkout, capsys):
    (checkout / "reports" / ".cache" / "tiny.key").write_text("0" * 64, encoding="ascii")
    assert plan(checkout) == (["plain"], ["tiny"])
    assert capsys.readouterr().err == ""


# -- the parameters cache ------------------------------------------------------------------------
def _entry(fields: dict, checksum: str | None = None) -> bytes:
    good = hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    return json.dumps({"parameters": fields, "sha256": checksum or good}).encode("utf-8")


@pytest.mark.parametrize("content, why", [
    (b"[]", "not of the shape of an entry"),
    (b"{}", "not of the shape of an entry"),
    (b'{"parameters": {"label": {"name": "label", "type": 5, "default": "", "help": ""}}, "sha256": ""}',
     "not of the shape of an entry"),
    (b"\xff\xfe", "not JSON text"),
    (b'{"parameters": ', "not JSON text"),
    (_entry({}, checksum="0" * 64), "its checksum does not match its content"),
    # of the right shape, its checksum right, but not what the notebook declares: it would blame reports.yaml
    (_entry({}), "it does not match the notebook"),
])
def test_a_parameters_cache_entry_that_cannot_be_trusted_is_ignored_never_blaming_reports_yaml(checkout, content, why):
    entries = sorted((checkout / "reports" / ".cache").glob("parameters-*.json"))
    assert len(entries) == 2
    for entry in entries:
        entry.write_bytes(content)
    proc = run_cli(checkout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == [
        f"reports/.cache/{entry.name}: warning: cache entry of a notebook's parameters ignored ({why}); the notebook is read again"
        for entry in entries]
    assert "0 regenerated, 2 unchanged" in proc.stdout  # the cache of parameters is not an input of a report
    assert run_cli(checkout).stderr == ""  # the entries were replaced


# -- outputs deleted by hand ---------------------------------------------------------------------
@pytest.mark.parametrize("deleted", ["reports/tiny.html", "reports/notebooks/tiny.ipynb", "figures/tiny", "figures/tiny/note.txt"])
def test_a_report_whose_outputs_were_deleted_by_hand_is_rebuilt(checkout, capsys, deleted):
    target = checkout / deleted
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    assert plan(checkout) == (["plain"], ["tiny"])
    assert capsys.readouterr().err == ""


def test_the_empty_figures_folder_of_a_report_that_saved_no_figure_is_not_an_output(checkout, capsys):
    (checkout / "figures" / "plain").rmdir()
    assert plan(checkout) == (["plain", "tiny"], [])
    assert capsys.readouterr().err == ""


def test_a_record_of_outputs_of_the_wrong_shape_is_ignored_and_folders_are_checked_instead(checkout, capsys):
    (checkout / "reports" / ".cache" / "outputs.json").write_text('{"tiny": {"key": 1}, "plain": []}', encoding="utf-8")
    assert plan(checkout) == (["plain", "tiny"], [])
    assert capsys.readouterr().err.splitlines() == [
        "reports/.cache/outputs.json: warning: record of the last run's outputs partly or wholly ignored (not of its shape); "
        "the reports it does not vouch for are checked by their folders"]
    shutil.rmtree(checkout / "figures" / "tiny")
    assert plan(checkout) == (["plain"], ["tiny"])


# -- leftovers of an earlier attempt -----------------------------------------------------------------
def test_leftovers_of_an_interrupted_attempt_are_cleaned_never_taken_for_outputs(checkout, capsys):
    leftovers = [
        checkout / "reports" / ".cache" / "run" / "tiny" / "tiny.ipynb",  # the work folder of an interrupted run
        checkout / "figures" / ".tiny.old" / "note.txt",  # a figures folder moved aside
        checkout / "reports" / ".tiny.html.k2j4h1.tmp",  # half-written outputs
        checkout / "reports" / "notebooks" / ".tiny.ipynb.a8d9s7.tmp",
        checkout / "reports" / ".cache" / ".tiny.key.q1w2e3.tmp",
        checkout / "reports" / ".failed" / "tiny.ipynb",  # the failure of inputs that are no longer current
    ]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("left over", encoding="utf-8")
    assert plan(checkout) == (["plain", "tiny"], [])
    assert [p for p in leftovers if p.exists()] == []
    assert not (checkout / "reports" / ".cache" / "run").exists() and not (checkout / "figures" / ".tiny.old").exists()
    assert capsys.readouterr().err == ""


def test_durations_of_any_shape_are_a_hint(tmp_path):
    path = tmp_path / "durations.json"
    path.write_text('{"a": 1' + "0" * 400 + ', "b": 2.5, "c": "slow", "d": -1, "e": true}', encoding="utf-8")
    assert read_durations(path) == {"b": 2.5}
    path.write_bytes(b"\xff")
    assert read_durations(path) == {}


# -- documents: inside data/documents/, in the key, in the provenance ---------------------------------------
@pytest.mark.parametrize("name, message", [
    ("../../../private/notes.txt",
     "documents: '../../../private/notes.txt' climbs out of data/documents/ ('..'): name a file inside that folder, relative to it"),
    ("sub/../../weights.yaml",
     "documents: 'sub/../../weights.yaml' climbs out of data/documents/ ('..'): name a file inside that folder, relative to it"),
    ("/etc/hostname",
     "documents: '/etc/hostname' is an absolute path: a report reads only files of data/documents/ "
     "(copy the file there and name it relative to that folder)"),
    ("notes.txt", "documents: 'notes.txt' is not a file in data/documents/"),
])
def test_the_library_refuses_a_document_outside_data_documents(tiny_data, name, message):
    with pytest.raises(InputError) as err:
        read_documents(tiny_data, [name])
    assert str(err.value) == message


def test_the_library_refuses_a_link_that_leads_outside(tiny_data, tmp_path):
    (tmp_path / "private.txt").write_text("private", encoding="utf-8")
    (tiny_data / "documents").mkdir(exist_ok=True)
    (tiny_data / "documents" / "notes.txt").symlink_to(tmp_path / "private.txt")
    with pytest.raises(InputError) as err:
        read_documents(tiny_data, ["notes.txt"])
    assert str(err.value) == ("documents: 'notes.txt' leads outside data/documents/ (a symbolic link): "
                              "name a file inside that folder")


def test_by_default_every_visible_text_file_is_read(tiny_data):
    folder = tiny_data / "documents"
    folder.mkdir(exist_ok=True)
    for name in ("b.txt", "a.txt", ".hidden.txt", "notes.md"):
        (folder / name).write_text(name, encoding="utf-8")
    assert [p.name for p in document_paths(tiny_data)] == ["a.txt", "b.txt"]
    assert read_documents(tiny_data, ["b.txt", ".hidden.txt"]) == {"b.txt": "b.txt", ".hidden.txt": ".hidden.txt"}


def test_a_named_document_is_in_the_key_even_where_the_data_hash_does_not_look(checkout):
    # A hidden file is left out of the data folder's hash; named by a report, its bytes are in the key.
    (checkout / "data" / "documents" / ".notes.txt").write_text("54 codings", encoding="utf-8")
    matrix = {"reports": [{"name": "notes", "notebook": "documents.ipynb", "description": "named documents",
                           "parameters": {"documents": [".notes.txt", FIRST_DOCUMENT]}}]}
    (checkout / "reports.yaml").write_text(yaml.safe_dump(matrix), encoding="utf-8")
    project = Project(checkout)

    def key() -> str:
        [spec] = load_matrix(project.matrix, project.notebooks, data_dir=project.data)
        return input_key(spec, project, inputs_fingerprint(project))

    before = key()
    (checkout / "data" / "documents" / ".notes.txt").write_text("315 codings", encoding="utf-8")
    assert key() != before


def test_the_documents_a_report_read_are_listed_with_their_checksums():
    data = REPO / "data"
    page = str(documents_html(data, [FIRST_DOCUMENT], "en"))
    digest = hashlib.sha256((data / "documents" / FIRST_DOCUMENT).read_bytes()).hexdigest()
    assert "<h2>Documents read</h2>" in page
    assert f'<span class="wb-file">documents/{FIRST_DOCUMENT}</span> <span class="wb-file">SHA-256 {digest[:12]}</span>' in page


def test_by_default_a_link_that_leads_outside_is_refused_too(tiny_data, tmp_path):
    (tmp_path / "private.txt").write_text("private", encoding="utf-8")
    (tiny_data / "documents").mkdir(exist_ok=True)
    (tiny_data / "documents" / "a.txt").write_text("a", encoding="utf-8")
    (tiny_data / "documents" / "notes.txt").symlink_to(tmp_path / "private.txt")
    with pytest.raises(InputError) as err:
        document_paths(tiny_data)
    assert str(err.value) == ("documents: 'notes.txt' leads outside data/documents/ (a symbolic link): "
                              "name a file inside that folder")


def test_the_runner_refuses_a_document_link_that_leads_outside_before_any_report_runs(checkout, tmp_path):
    (tmp_path / "private.txt").write_text("private", encoding="utf-8")
    (checkout / "data" / "documents" / "notes.txt").symlink_to(tmp_path / "private.txt")
    before = {p: p.read_bytes() for p in (checkout / "reports").glob("*.html")}
    proc = run_cli(checkout)
    assert proc.returncode == 2 and proc.stdout == "", proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == [
        "data/documents/notes.txt: leads outside data/documents/ (a symbolic link): name a file inside that folder"]
    assert {p: p.read_bytes() for p in (checkout / "reports").glob("*.html")} == before
