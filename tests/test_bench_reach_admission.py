"""bench/reach/admission.py's gator measurement of one NetworkPolicy's admission, run for real on
the NetworkPolicies of three namespaces (against the whole 1x inventory): what it records and what
bench/report.py reads from it, never the figures (the benchmark itself is `bash bench/run.sh`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import GO_TEST_ENV
from mlfence import gatekeeper, toolchain

ROOT = toolchain.project_root()
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bench" / "reach"))

import admission  # noqa: E402
import report  # noqa: E402


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("reach-admission")
    out = work / "reach_admission.json"
    cmd = [sys.executable, str(ROOT / "bench" / "reach" / "admission.py"), "--skip-opa", "--gator-namespaces", "3"]
    cmd += ["--gator-one-policy-reviews", "3", "--warmup", "1"]
    # The gator runs it starts load the whole 1x platform and exit: conftest's collector setting
    # for short-lived Go tools (figures are not asserted, only what is recorded).
    env = {**GO_TEST_ENV, **os.environ}
    subprocess.run([*cmd, "--out", str(out)], cwd=ROOT, check=True, capture_output=True, env=env)
    return {"work": work, "result": json.loads(out.read_text())}


def test_network_policy_rules_are_the_constraints_matching_that_kind() -> None:
    rules = admission.network_policy_rules()
    assert rules == sorted(r.rule_id for r in gatekeeper.kubernetes_rules() if "NetworkPolicy" in r.kinds)
    assert "MLF-K8S-060" in rules
    # The other declared-flow rules match workloads and Namespaces: a NetworkPolicy's admission
    # never evaluates them.
    assert "MLF-K8S-061" not in rules and "MLF-K8S-062" not in rules


def test_gator_reviews_the_network_policies_of_the_namespaces_asked(measured: dict[str, Any]) -> None:
    gator = measured["result"]["gator_bench"]
    assert gator["mode"] == "networkpolicy"
    assert gator["rules"] == admission.network_policy_rules()
    assert gator["constraint_match"]["kinds"] == [{"apiGroups": ["*"], "kinds": ["NetworkPolicy"]}]
    assert gator["constraint_match"]["namespaces"] == ["team-0000", "team-0001", "team-0002"]
    # Every object of the platform is loaded and reviewed, the inventory stays whole ...
    assert gator["reviews"] == gator["objects_reviewed_per_iteration"] == 3202
    # ... and the 10 policies of each of the three namespaces plus the reviewed one match.
    assert gator["network_policy_reviews"] == 31
    assert gator["network_policy_review_rego_ms"]["reviews"] == 31
    assert set(gator["template_mean_ms"]) == {gatekeeper.constraint_kind(r) for r in _rules(gator["rules"])}
    rego = gator["network_policy_review_rego_ms"]
    assert 0 < rego["p50"] <= rego["p95"] <= rego["p99"] <= rego["max"]
    # The undeclared flow, found on both policies deciding it (team-0001/p7's egress rule and the
    # reviewed team-0002/allow-from-previous's ingress rule), as opa run --server denies it.
    assert gator["violations"] == 2
    assert gator["cpu_s"] > 0 and gator["allocations_per_network_policy_review"] > 0
    assert "statsEntries" not in gator["raw"]


def test_gator_reviews_the_one_policy_of_each_case(measured: dict[str, Any]) -> None:
    """The decision the OPA server is asked for, in gator: each case's NetworkPolicy reviewed
    repeatedly (warm-up + reviews copies) against the whole platform, the Constraints matched to
    its name and namespace, with the verdict the server gives."""
    one = measured["result"]["gator_one_policy"]
    assert one["rules"] == admission.network_policy_rules()
    assert (one["reviews"], one["warmup_reviews_dropped"]) == (3, 1)
    assert one["platform_reviews"]["reviews"] == 3201
    assert set(one["cases"]) == set(admission.CASES)
    for name, case in one["cases"].items():
        meta = admission.CASES[name]["metadata"]
        assert case["constraint_match"]["namespaces"] == [meta["namespace"]]
        assert case["constraint_match"]["name"] == meta["name"]
        assert case["objects_reviewed_per_iteration"] == 3201 + 4
        assert case["violations_per_review"] == (0 if name == "declared_flow" else 1)
        rego = case["rego_ms"]
        assert 0 < rego["p50"] <= rego["p95"] <= rego["p99"] <= rego["max"]
        assert (
            set(case["template_mean_ms"])
            == set(case["template_p99_ms"])
            == set(gatekeeper.constraint_kind(r) for r in _rules(one["rules"]))
        )
        assert case["allocations_per_review"] > 0


def test_every_gator_run_records_its_collector(measured: dict[str, Any]) -> None:
    """The Go collector's cycles and peak heap of each gator run (GODEBUG=gctrace=1), and the
    collector settings it ran with (the fixture's environment: no tuned run asked for)."""
    runs = [measured["result"]["gator_bench"], *measured["result"]["gator_one_policy"]["cases"].values()]
    env = {**GO_TEST_ENV, **os.environ}
    for run in runs:
        assert run["go_env"] == {k: env[k] for k in ("GOGC", "GOMEMLIMIT") if k in env}
        assert isinstance(run["gc_cycles"], int) and run["gc_cycles"] >= 0
        assert isinstance(run["gc_peak_heap_mib"], int) and run["gc_peak_heap_mib"] >= 0
    assert measured["result"]["gator_one_policy"]["go_env"] == {}
    assert "gator_one_policy_tuned" not in measured["result"]


def test_gc_trace_counts_cycles_and_the_largest_heap() -> None:
    trace = "\n".join(
        [
            "gc 1 @0.011s 1%: 0.024+1.2+0.14 ms clock, 0.049+0.095/0.13/0.78+0.29 ms cpu, 3->4->1 MB, 4 MB goal, 2 P",
            "some other line, 99->1->1 MB",
            "gc 2 @2.366s 7%: 0.19+62+0.048 ms clock, 0.38+0.044/33/43+0.096 ms cpu, 98->103->57 MB, 115 MB goal, 2 P",
            "gc 3 @2.576s 7%: 0.094+55+0.038 ms clock, 0.18+0.13/26/41+0.077 ms cpu, 915->920->58 MB, 1024 MB goal",
        ]
    )
    assert admission.gc_trace(trace) == (3, 915)
    assert admission.gc_trace("") == (0, 0)


def test_gator_tuned_reviews_run_the_one_policy_measurement_with_the_tuned_collector(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """--gator-tuned-reviews N: the one-policy measurement again over N reviews with
    TUNED_GATOR_ENV (docs/deploy.md's settings for Gatekeeper), recorded beside the default one."""
    calls: list[tuple[int, int, dict[str, str] | None]] = []

    def one_policy(
        objects: list[dict[str, Any]], work: Path, reviews: int, warmup: int, go_env: dict[str, str] | None = None
    ) -> dict[str, Any]:
        calls.append((reviews, warmup, go_env))
        return {"go_env": go_env or {}, "cases": {}}

    monkeypatch.setattr(admission, "gator_one_policy", one_policy)
    out = tmp_path / "out.json"
    argv = ["admission.py", "--skip-opa", "--gator-mode", "one-policy", "--gator-one-policy-reviews", "7"]
    monkeypatch.setattr(sys, "argv", [*argv, "--warmup", "2", "--gator-tuned-reviews", "9", "--out", str(out)])
    admission.main()
    assert calls == [(7, 2, None), (9, 2, admission.TUNED_GATOR_ENV)]
    assert admission.TUNED_GATOR_ENV == {"GOGC": "off", "GOMEMLIMIT": "1GiB"}
    result = json.loads(out.read_text())
    assert result["gator_one_policy_tuned"]["go_env"] == admission.TUNED_GATOR_ENV
    assert result["gator_one_policy"]["go_env"] == {}


def test_report_reads_the_gator_p99(measured: dict[str, Any]) -> None:
    results = report.collect(measured["work"], {"cpus": 2})
    p99 = measured["result"]["gator_bench"]["all_reviews_ms"]["p99"]
    assert results["reach_admission_gator_p99_ms"] == pytest.approx(p99, abs=1e-3)
    np_p99 = measured["result"]["gator_bench"]["network_policy_review_rego_ms"]["p99"]
    assert results["reach_admission_gator_np_p99_ms"] == np_p99
    one = measured["result"]["gator_one_policy"]["cases"].values()
    assert results["reach_admission_gator_one_p99_ms"] == max(c["rego_ms"]["p99"] for c in one)
    assert results["reach_admission_gator_one_tuned_p99_ms"] is None


def test_report_reads_the_tuned_gator_p99(tmp_path: Path) -> None:
    def one(p99s: list[float], env: dict[str, str]) -> dict[str, Any]:
        return {"go_env": env, "cases": {f"case{i}": {"rego_ms": {"p99": p}} for i, p in enumerate(p99s)}}

    run = {"gator_one_policy": one([18.0, 21.5], {}), "gator_one_policy_tuned": one([8.0, 11.25], {"GOGC": "off"})}
    (tmp_path / "reach_admission.json").write_text(json.dumps(run))
    results = report.collect(tmp_path, {"cpus": 2})
    assert results["reach_admission_gator_one_p99_ms"] == 21.5
    assert results["reach_admission_gator_one_tuned_p99_ms"] == 11.25
    row = next(r for r in report.table(results).splitlines() if "admission in gator" in r)
    assert "gator's defaults / GOGC=off" in row and "| 21.5 / 11.25 | <= 10 |" in row


def test_report_judges_the_target_on_the_tuned_server(tmp_path: Path) -> None:
    """The target's p99 is the server as docs/deploy.md runs it with a fed inventory when that run
    exists (admission.py --tuned), the default settings' figures kept beside it."""

    def server(p99s: list[float], cpus: list[float]) -> dict[str, Any]:
        cases = {
            f"case{i}": {"p99_ms": p, "server_cpu_ms_per_request": c}
            for i, (p, c) in enumerate(zip(p99s, cpus, strict=True))
        }
        return {"cases": cases}

    run = {"opa_server": server([20.0, 25.0], [9.0, 8.0])}
    (tmp_path / "reach_admission.json").write_text(json.dumps(run))
    results = report.collect(tmp_path, {"cpus": 2})
    assert (results["reach_admission_p99_ms"], results["reach_admission_server_cpu_ms"]) == (25.0, 9.0)
    assert results["targets"]["reach_admission_p99_ms"]["met"] is False
    run["opa_server_tuned"] = server([7.0, 9.5], [4.0, 4.5])
    (tmp_path / "reach_admission.json").write_text(json.dumps(run))
    results = report.collect(tmp_path, {"cpus": 2})
    assert (results["reach_admission_p99_ms"], results["reach_admission_server_cpu_ms"]) == (9.5, 4.5)
    assert (results["reach_admission_default_p99_ms"], results["reach_admission_default_server_cpu_ms"]) == (25.0, 9.0)
    assert results["targets"]["reach_admission_p99_ms"]["met"] is True


def test_stats_entries_group_per_review() -> None:
    def entry(kind: str, ns: int) -> dict[str, Any]:
        return {"statsFor": kind, "stats": [{"name": "templateRunTimeNS", "value": ns}, {"name": "constraintCount"}]}

    stats = [entry("A", 1_000_000), entry("B", 500_000), entry("B", 2_000_000), entry("A", 3_000_000)]
    per_review, means = admission.per_review_ms(stats, 2)
    assert per_review == [1.5, 5.0]
    assert means == {"A": 2.0, "B": 1.25}
    with pytest.raises(SystemExit, match="do not name every template"):
        admission.per_review_ms([entry("A", 1), entry("A", 1)], 2)
    with pytest.raises(SystemExit, match="not a multiple"):
        admission.per_review_ms([entry("A", 1)], 2)


@pytest.mark.parametrize(
    ("text", "ms"),
    [("16.041907ms", 16.041907), ("24.637µs", 0.024637), ("43.874660988s", 43874.660988), ("1m2.5s", 62500.0)],
)
def test_gator_durations_in_ms(text: str, ms: float) -> None:
    assert admission._duration_ms(text) == pytest.approx(ms)


def _rules(ids: list[str]) -> list[Any]:
    return [r for r in gatekeeper.kubernetes_rules() if r.rule_id in ids]


def test_report_records_reach_with_declared_flows(tmp_path: Path) -> None:
    """bench/reach/run.py --flows runs each scale again with declared flows: report.py records the
    1x wall time and the 10x/1x CPU growth of those runs beside the model-only ones."""

    def run(scale: int, wall: float, cpu: float) -> dict[str, Any]:
        return {"scale": scale, "wall_s": wall, "cpu_s": cpu}

    reach = {
        "runs": [run(1, 2.5, 2.4), run(10, 22.0, 21.0)],
        "cpu_growth": 8.75,
        "runs_with_flows": [run(1, 2.7, 2.6), run(10, 26.0, 26.0)],
    }
    (tmp_path / "reach.json").write_text(json.dumps(reach))
    results = report.collect(tmp_path, {"cpus": 2})
    assert (results["reach_1x_wall_s"], results["reach_cpu_growth_10x"]) == (2.5, 8.75)
    assert (results["reach_1x_flows_wall_s"], results["reach_flows_cpu_growth_10x"]) == (2.7, 10.0)
    del reach["runs_with_flows"]
    (tmp_path / "reach.json").write_text(json.dumps(reach))
    results = report.collect(tmp_path, {"cpus": 2})
    assert (results["reach_1x_flows_wall_s"], results["reach_flows_cpu_growth_10x"]) == (None, None)
