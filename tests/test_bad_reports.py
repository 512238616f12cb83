"""Bad report matrices (tests/fixtures/bad/reports_*.yaml) through the real `workbench reports`.

Each runs in a throwaway checkout that already holds a good report: the command must say where the
mistake is in one line, exit 2 (1 for a notebook that fails while running), show no traceback, and
leave every previous output byte for byte as it was.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
BAD = REPO / "tests" / "fixtures" / "bad"
WORKBENCH = Path(sys.executable).parent / "workbench"

pytestmark = pytest.mark.integration

CASES = [
    ("reports_name_dotdot.yaml", 2, "reports.yaml:3: report '../escape': name '../escape' is not a plain file name"),
    ("reports_unknown_parameter.yaml", 2, "reports.yaml:7: report 'tiny': unknown parameter 'labl' for notebook 'tiny.ipynb'"),
    ("reports_unknown_notebook.yaml", 2, "reports.yaml:4: report 'tiny': unknown notebook 'tinny.ipynb'"),
    ("reports_duplicate_name.yaml", 2, "reports.yaml:6: report 'tiny': duplicate report name (first at line 3; names that differ only in case are one)"),
    ("reports_name_case_duplicate.yaml", 2, "reports.yaml:6: report 'TINY': duplicate report name (first at line 3; names that differ only in case are one)"),
    ("reports_name_is_a_grid.yaml", 2, "reports.yaml:7: report 'tiny': is the name of a grid's entry (line 3), which stands for all its reports"),
    ("reports_tab_indented.yaml", 2, "reports.yaml:3: YAML syntax error: tab character used for indentation"),
    ("reports_cell_raises.yaml", 1, "cell 3: ValueError: deliberate failure for the test"),
    # issue 15: all found before any report runs
    ("reports_name_index.yaml", 2, "reports.yaml:3: report 'index': name 'index' is reserved (the runner writes index.html itself)"),
    ("reports_name_trailing_newline.yaml", 2, "reports.yaml:3: report 'tiny\\n': name 'tiny\\n' is not a plain file name"),
    ("reports_name_too_long.yaml", 2, "reports.yaml:3: report '" + "a" * 300 + "': name is 300 characters long, more than the 100"),
    ("reports_parameter_not_a_list_type.yaml", 2,
     "reports.yaml:7: report 'tiny': parameter 'label': expected a text (str), got a list (['a', 'b']) (the notebook declares str)"),
    ("reports_parameter_text_for_bool.yaml", 2,
     "reports.yaml:7: report 'tiny': parameter 'fail': expected a true/false (bool), got a str ('no') (the notebook declares bool)"),
    ("reports_parameter_nan.yaml", 2,
     "reports.yaml:7: report 'tiny': parameter 'sleep': must be a finite number (got nan)"),
    ("reports_notebook_truncated.yaml", 2,
     "reports.yaml:4: report 'cut': notebook 'truncated.ipynb' (line 35): not a valid notebook: JSON syntax error"),
    ("reports_notebook_latin1.yaml", 2,
     "reports.yaml:4: report 'latin': notebook 'latin1.ipynb' (line 8): not UTF-8 text (byte 0xe9); save the file as UTF-8"),
    ("reports_notebook_syntax_error.yaml", 2,
     "reports.yaml:4: report 'broken': notebook 'syntax_error.ipynb': syntax error in the parameters cell, line 2"),
    ("reports_yaml_alias_bomb.yaml", 2, "reports.yaml:9: YAML anchor '&l0' not allowed in data files (write the value out)"),
    # not a mistake: dollar signs in a label are drawn literally, the report succeeds
    ("reports_good_label_dollar.yaml", 0, "dollars"),
    # issue 23: a document outside data/documents/ is refused before any report runs
    ("reports_documents_climb_out.yaml", 2,
     "reports.yaml:7: report 'notes': parameter 'documents': '../../../private/notes.txt' climbs out of data/documents/ ('..'): "
     "name a file inside that folder, relative to it"),
    ("reports_documents_absolute.yaml", 2,
     "reports.yaml:9: report 'notes': parameter 'documents': '/home/researcher/private/notes.txt' is an absolute path: "
     "a report reads only files of data/documents/ (copy the file there and name it relative to that folder)"),
    ("reports_documents_missing.yaml", 2,
     "reports.yaml:7: report 'notes': parameter 'documents': 'notes.txt' is not a file in data/documents/"),
    # issue 23: every kind of mistake in a grid's title or description placeholders
    ("reports_grid_title_attribute.yaml", 2,
     "reports.yaml:6: report 'tiny': title has a placeholder '{lang.nonexistent}' that is not a grid parameter (the grid has: lang)"),
    ("reports_grid_title_positional.yaml", 2,
     "reports.yaml:6: report 'tiny': title has a placeholder '{0}' that is not a grid parameter (the grid has: lang)"),
    ("reports_grid_title_conversion.yaml", 2,
     "reports.yaml:6: report 'tiny': title has a placeholder '{lang!x}' with an unknown conversion '!x' (known: !s, !r, !a)"),
    ("reports_grid_title_format.yaml", 2,
     "reports.yaml:6: report 'tiny': title has a placeholder '{lang:>q}' that cannot be formatted "
     "(Unknown format code 'q' for object of type 'str')"),
    ("reports_grid_description_unbalanced.yaml", 2,
     "reports.yaml:5: report 'tiny': description is not a text with placeholders (expected '}' before end of string); "
     "write {{ or }} for a brace itself"),
    ("reports_grid_title_lone_brace.yaml", 2,
     "reports.yaml:6: report 'tiny': title is not a text with placeholders (Single '}' encountered in format string); "
     "write {{ or }} for a brace itself"),
]
#: The failure class of issue 15 each case belongs to (0: the earlier corpus).
CLASSES = {name: klass for name, klass in [
    ("reports_yaml_alias_bomb.yaml", 1), ("reports_parameter_nan.yaml", 2), ("reports_good_label_dollar.yaml", 7),
    *((n, 6) for n, _, _ in CASES if n.startswith(("reports_name_index", "reports_name_trailing", "reports_name_too",
                                                    "reports_parameter_not", "reports_parameter_text", "reports_notebook")))]}


def outputs_digest(root: Path) -> dict[str, str]:
    """Checksums of every output a researcher sees (runner state in dot-folders excluded)."""
    out = {}
    for folder in ("reports", "figures"):
        for p in sorted((root / folder).rglob("*")):
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts):
                out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("checkout")
    (root / "notebooks").mkdir()
    shutil.copy(REPO / "tests" / "fixtures" / "notebooks" / "tiny.ipynb", root / "notebooks")
    for broken in (BAD / "notebooks").glob("*.ipynb"):  # the notebooks the issue-15 matrices name
        shutil.copy(broken, root / "notebooks")
    shutil.copy(REPO / "notebooks" / "documents.ipynb", root / "notebooks")  # named by reports_documents_*, never run
    shutil.copytree(REPO / "data", root / "data")
    good = {"reports": [{"name": "tiny", "notebook": "tiny.ipynb", "description": "good", "parameters": {"label": "good"}}]}
    (root / "reports.yaml").write_text(yaml.safe_dump(good), encoding="utf-8")
    proc = subprocess.run([str(WORKBENCH), "reports", "--no-progress"], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return root


@pytest.mark.parametrize("name, status, message", CASES, ids=[c[0] for c in CASES])
def test_bad_matrix_gives_one_line_and_changes_nothing(checkout, name, status, message):
    before = outputs_digest(checkout)
    assert before, "the good report exists before the bad run"
    if status == 0:
        before = {k: v for k, v in before.items() if not k.startswith(("reports/index", f"reports/{message}", f"figures/{message}"))}
    good_matrix = (checkout / "reports.yaml").read_bytes()
    shutil.copy(BAD / name, checkout / "reports.yaml")
    try:
        proc = subprocess.run([str(WORKBENCH), "reports", "--no-progress"], cwd=checkout, capture_output=True, text=True)
    finally:
        (checkout / "reports.yaml").write_bytes(good_matrix)
    assert proc.returncode == status, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    if status == 2:
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith(message), lines
        assert proc.stdout == ""
    elif status == 0:
        # Drawn, not parsed as mathematics (which fails on the unclosed brace): the figure exists.
        assert (checkout / "figures" / message / "label.png").exists(), proc.stdout
        after = {k: v for k, v in outputs_digest(checkout).items() if k in before}
        assert after == before
        return
    else:
        failed = [line for line in proc.stdout.splitlines() if line.startswith("FAILED")]
        assert len(failed) == 1 and "tiny" in failed[0] and message in failed[0], proc.stdout
        assert (checkout / "reports" / ".failed" / "tiny.ipynb").exists()
    assert outputs_digest(checkout) == before


def test_a_document_link_that_leads_outside_the_data_is_refused(checkout, tmp_path):
    # Generated at test time (a symbolic link is not committed): the name stays inside
    # data/documents/, the file it leads to does not.
    outside = tmp_path / "notes.txt"
    outside.write_text("private notes", encoding="utf-8")
    link = checkout / "data" / "documents" / "notes.txt"
    link.symlink_to(outside)
    before = outputs_digest(checkout)
    good_matrix = (checkout / "reports.yaml").read_bytes()
    shutil.copy(BAD / "reports_documents_missing.yaml", checkout / "reports.yaml")
    try:
        proc = subprocess.run([str(WORKBENCH), "reports", "--no-progress"], cwd=checkout, capture_output=True, text=True)
    finally:
        (checkout / "reports.yaml").write_bytes(good_matrix)
        link.unlink()
    assert proc.returncode == 2 and proc.stdout == "", proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == [
        "reports.yaml:7: report 'notes': parameter 'documents': 'notes.txt' leads outside data/documents/ (a symbolic link): "
        "name a file inside that folder"]
    assert outputs_digest(checkout) == before
