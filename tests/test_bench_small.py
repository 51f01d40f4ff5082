"""Smoke run of bench/small_file.py (one run) and its row in bench/report.py: the shape of the
results, never the figures (the benchmark itself is `bash bench/run.sh`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mlfence import toolchain

ROOT = toolchain.project_root()
sys.path.insert(0, str(ROOT / "bench"))

import report  # noqa: E402


def test_small_file_bench_writes_what_the_report_reads(tmp_path: Path) -> None:
    work = tmp_path / "work"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "small_file.py"), "--reps", "1", "--out", str(work / "small.json")],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    small = json.loads((work / "small.json").read_text())
    assert small["reps"] == 1 and small["exits"] == [1]  # the example file has findings
    assert small["wall_s"]["median"] > 0 and small["cpu_s"]["median"] > 0
    results = report.collect(work, {"cpus": 2})
    assert results["small_file_wall_s"] == small["wall_s"]["median"]
    assert results["targets"]["small_file_wall_s"]["target"] == "< 0.5"
    assert "one small file (examples/kubernetes/ml-serving.yaml)" in report.table(results)
