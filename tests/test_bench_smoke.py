"""Smoke run of the benchmark harness (bench/) with tiny inputs: 3 plans, 10 manifests, mlfence
only (no Checkov), one second of sidecar load at a low rate. It checks that the harness
produces well-formed results, never the figures themselves: the real benchmark is
`bash bench/run.sh` and never runs inside the test suite.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mlfence import bundle, toolchain

ROOT = toolchain.project_root()
sys.path.insert(0, str(ROOT / "bench"))  # the bench modules import each other (checkov_map)


def _bench_module(name: str) -> ModuleType:
    """bench/<name>.py under a unique module name (tests/sidecar is a package called sidecar)."""
    spec = importlib.util.spec_from_file_location(f"mlfence_bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


corpus = _bench_module("corpus")
report = _bench_module("report")
scan = _bench_module("scan")
sidecar = _bench_module("sidecar")


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench")


def test_corpus_labels_known_bad_cases(work: Path) -> None:
    doc = corpus.build(work / "corpus", plans=3, manifests=10, seed=3)
    files = doc["files"]
    assert sum(1 for f in files if f["target"] == "terraform") == 3
    assert sum(1 for f in files if f["target"] == "kubernetes") == 10
    assert doc["known_bad"] > 0
    for entry in files:
        assert (work / "corpus" / "files" / entry["file"]).is_file()
        for bad in entry["bad"]:
            assert bad["rule_id"].startswith("MLF-")
            if entry["target"] == "terraform":
                assert bad["resource_prefix"].startswith("module.")
    plan = json.loads((work / "corpus" / "files" / files[0]["file"]).read_text())
    assert plan["format_version"] and plan["resource_changes"]
    assert all(c["address"].startswith("module.") for c in plan["resource_changes"])


def test_scan_and_recall_mlfence_only(work: Path) -> None:
    result = scan.run(work / "corpus", reps=1, checkov=None, subset=None, work=work / "scan-work")
    assert result["mlfence_wall_s"]["n"] == 1 and result["mlfence_wall_s"]["median"] > 0
    recall = result["recall"]
    assert recall["known_bad"] > 0 and 0 <= recall["mlfence"]["recall"] <= 1
    assert "checkov" not in recall and "speedup" not in result
    (work / "scan.json").write_text(json.dumps(result))


def test_sidecar_low_rate(work: Path) -> None:
    built = bundle.build(work / "bundle.tar.gz")
    result = sidecar.run(
        built.path, {"admission": [20]}, duration=1, reps=1, wrk_seconds=0, limit=5, per_payload_repeats=0
    )
    point = result["workloads"]["admission"]["points"][0]
    assert point["runs"][0]["sent"] == 20
    assert point["runs"][0]["ok"] + point["runs"][0]["errors"] + point["runs"][0]["dropped"] == 20
    assert point["p50_ms"] > 0 and point["p99_ms"] >= point["p50_ms"]
    assert result["payloads"]["admission"] == 5
    if sidecar.VEGETA.is_file():  # built by bench/run.sh only, so not on a fresh CI machine
        go = point["vegeta"]["runs"][0]
        assert go["sent"] == 20 and go["ok"] + go["errors"] == 20 and go["p99_ms"] >= go["p50_ms"] > 0
    (work / "sidecar.json").write_text(json.dumps(result))


def test_report_is_well_formed(work: Path) -> None:
    results = report.collect(work, report.machine())
    for key in (
        "scan_speedup_vs_checkov",
        "recall_ratio_vs_checkov",
        "sidecar_p99_ms",
        "sidecar_rps",
        "cidr_lookup_growth_100x",
        "machine",
        "targets",
        "raw",
    ):
        assert key in results
    assert results["machine"]["nproc"] >= 1 and results["machine"]["cpu_model"] is not None
    assert results["scan_speedup_vs_checkov"] is None  # no Checkov in the smoke run
    assert isinstance(results["raw"]["scan"]["recall"]["mlfence"]["recall"], float)
    table = report.table(results)
    assert table.startswith("| figure |") and "sidecar" in table
    json.dumps(results)
