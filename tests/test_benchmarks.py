"""The benchmark's own inputs stay valid: its synthetic dataset must load and analyse like real data.

``python benchmarks/run.py`` once broke silently when data/weights.yaml gained a key its synthetic
copy lacked; this builds that synthetic data folder (small) and runs the commands it is timed with.
"""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from workbench.analysis.options import OPTION_ROW_COLUMNS
from workbench.analysis.recommend import CSV_COLUMNS

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_synthetic_weights_handle_every_key_of_the_real_weights_file(bench):
    real = yaml.safe_load((REPO / "data" / "weights.yaml").read_text(encoding="utf-8"))
    frameworks = ["fw_aaa", "fw_bbb", "fw_ccc", "fw_kaz"]
    weights = bench.synthetic_weights(real, frameworks, ["src-1"], ["AAA"])
    assert set(weights) == set(real)
    # a key the benchmark does not know about stops it with a message instead of a broken dataset
    with pytest.raises(SystemExit, match="new_key"):
        bench.synthetic_weights({**real, "new_key": 1}, frameworks, ["src-1"], ["AAA"])


def test_the_benchmarks_synthetic_dataset_validates_and_analyses(bench, tmp_path):
    work, env = bench.make_workdir(REPO)
    try:
        syn = work / "synthetic"
        _, frameworks, peers = bench.write_synthetic(work, syn, 12, 8, env)
        assert len(frameworks) == 13 and "fw_kaz" in frameworks and peers
        workbench = str(Path(sys.executable).parent / "workbench")
        validate = subprocess.run([workbench, "validate", "--data", syn], cwd=work, env=env, capture_output=True, text=True)
        assert validate.returncode == 0, validate.stdout + validate.stderr
        assert validate.stdout.startswith("ok: 13 frameworks")
        out = tmp_path / "recs.csv"
        recommend = subprocess.run([workbench, "recommend", "--data", syn, "--peers", ",".join(peers), "--draws", "20", "--out", out],
                                   cwd=work, env=env, capture_output=True, text=True)
        assert recommend.returncode == 0, recommend.stdout + recommend.stderr
        # one row per option of each ranked concept: the concept's columns, then the rest of the ranking's
        header = OPTION_ROW_COLUMNS + [c for c in CSV_COLUMNS if c not in OPTION_ROW_COLUMNS + ["options"]] + ["as_of", "frameworks"]
        assert out.read_text(encoding="utf-8-sig").startswith(",".join(header) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_the_per_report_breakdown_runs_and_sees_every_phase(bench, tmp_path):
    # One small report through the runner, then the breakdown task on it: every phase measured.
    work, env = bench.make_workdir(REPO)
    try:
        name = "network-senior-level"
        done = subprocess.run([str(Path(sys.executable).parent / "workbench"), "reports", "--only", name, "--no-progress"],
                              cwd=work, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        phases, _ = bench.inproc("phases", work, name, cwd=work, env=env)
        row = phases["per_report_s"][name]
        assert set(row) == set(bench.PHASE_COLUMNS)
        for phase in ("imports", "data", "figures", "tables and text", "export"):
            assert row[phase] > 0, phase
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_the_explorer_benchmark_runs_and_reports_every_change():
    import json
    import subprocess

    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "inproc.py"), "explorer"], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(result["updates_s"]) == len(result["changes"]) == 20  # one timed update per change, nothing dropped
    assert all(s > 0 for s in result["updates_s"])
