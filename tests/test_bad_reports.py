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
    ("reports_duplicate_name.yaml", 2, "reports.yaml:6: report 'tiny': duplicate report name (first at line 3)"),
    ("reports_tab_indented.yaml", 2, "reports.yaml:3: YAML syntax error: tab character used for indentation"),
    ("reports_cell_raises.yaml", 1, "cell 3: ValueError: deliberate failure for the test"),
]


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
    else:
        failed = [line for line in proc.stdout.splitlines() if line.startswith("FAILED")]
        assert len(failed) == 1 and "tiny" in failed[0] and message in failed[0], proc.stdout
        assert (checkout / "reports" / ".failed" / "tiny.ipynb").exists()
    assert outputs_digest(checkout) == before
