"""`mlfence` as users run it: every bad-input case, exemptions that expire, every report format.
Most tests run the CLI in-process (conftest.cli_in_process: same entry point, exit code, stdout
and stderr); the ones marked "real process" run the installed console script."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from conftest import MLFENCE, OPEN_EGRESS, ROOT, cli_in_process, run, tool
from mlfence import scan
from mlfence.cli import app
from sarif_schema import assert_valid_sarif

CLEAN = """apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: ml-serving}
data: {a: b}
"""


def mlfence(*args: str, input_text: str | None = None, cwd: Path = ROOT) -> tuple[int, str, str]:
    proc = cli_in_process(*args, input_text=input_text, cwd=cwd)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


def mlfence_process(*args: str, input_text: str | None = None, cwd: Path = ROOT) -> tuple[int, str, str]:
    """The installed console script in a real process."""
    proc = run([MLFENCE, *args], input_text=input_text, cwd=cwd)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


def as_json(*args: str, input_text: str | None = None) -> tuple[int, dict]:
    code, out, _err = mlfence("check", "--format", "json", "-q", *args, input_text=input_text)
    return code, json.loads(out)


# Many tests check the same file and differ in what mlfence does with OPA's answer (report format,
# exemptions, filters): each distinct `opa eval` runs once (opa_answers).
pytestmark = pytest.mark.usefixtures("shared_opa_answers")


@pytest.fixture(scope="module")
def bad_policy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file for the module (no test writes it): OPA is asked about the same path and content."""
    path = tmp_path_factory.mktemp("bad") / "open.yaml"
    path.write_text(OPEN_EGRESS)
    return path


@pytest.fixture(scope="module")
def examples_in_one_process() -> tuple[int, dict]:
    """The example platform scanned with --jobs 1: read by the two tests below (the report does
    not depend on --jobs, which test_parallel_jobs_give_the_same_report checks)."""
    return as_json("examples/", "--jobs", "1")


def test_examples_scan_finds_problems_of_every_kind(examples_in_one_process: tuple[int, dict]) -> None:
    code, report = examples_in_one_process
    assert code == 1
    ids = {f["rule_id"] for f in report["findings"]}
    assert {"MLF-K8S-001", "MLF-TF-001"} <= ids
    assert any(i.startswith("MLF-TF-04") for i in ids) and any(i.startswith("MLF-TF-06") for i in ids), ids
    assert report["summary"]["terraform_plans"] == 1
    for finding in report["findings"]:
        assert set(finding) >= {"rule_id", "severity", "status", "message", "file", "resource", "remediation"}
        assert finding["status"] in {"fail", "warn", "unknown", "exempted"}


def test_parallel_jobs_give_the_same_report(examples_in_one_process: tuple[int, dict]) -> None:
    """--jobs splits the documents over OPA processes; every process builds the inventory from
    all documents, so cross-object findings (default deny) are the same as in one process."""
    one = examples_in_one_process
    three = as_json("examples/", "--jobs", "3")
    assert one == three and one[1]["findings"]


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: main, image: registry.example.com/app:1}}]}}
"""
DEFAULT_DENY = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
"""


def test_shards_see_the_documents_other_shards_answer_for(tmp_path: Path) -> None:
    """Each OPA process is given only its own documents plus the context documents (the kinds
    scan.rego's layout and inventory read): the kustomization that scopes a folder and the
    default-deny policy of that scope land in other shards and still count."""
    scoped = tmp_path / "scoped"
    scoped.mkdir()
    (scoped / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml, b.yaml, c.yaml]\n"
    )
    (scoped / "a.yaml").write_text(DEPLOYMENT.format(name="trainer"))
    (scoped / "b.yaml").write_text(DEFAULT_DENY)
    (scoped / "c.yaml").write_text(DEPLOYMENT.format(name="reader"))
    (tmp_path / "loose.yaml").write_text(DEPLOYMENT.format(name="loose"))
    one = as_json(str(tmp_path), "--jobs", "1")
    for jobs in ("2", "3", "5"):
        assert as_json(str(tmp_path), "--jobs", jobs) == one
    denied = {(f["file"], f["rule_id"]) for f in one[1]["findings"]}
    assert (str(tmp_path / "loose.yaml"), "MLF-K8S-009") in denied
    assert not any(rule == "MLF-K8S-009" and file.startswith(str(scoped)) for file, rule in denied)


def test_context_kinds_cover_what_the_inventory_reads() -> None:
    rules = ("synced_kinds", "model_synced_kinds")
    # Both rules from one `opa eval` of the policy alone (conftest.policy_value's command, one
    # compile): the query is an object of the two, undefined if either is.
    query = "{" + ", ".join(f'"{rule}": data.mlfence.{rule}' for rule in rules) + "}"
    proc = run([tool("opa"), "eval", "-f", "json", "-d", str(ROOT / "policy"), "--ignore", "*_test.rego", query])
    assert proc.returncode == 0, proc.stderr
    [result] = json.loads(proc.stdout)["result"]
    for rule in rules:
        synced = result["expressions"][0]["value"][rule]
        assert synced, rule
        assert {kind for kinds in synced.values() for kind in kinds} <= scan.CONTEXT_KINDS, rule
    assert {"Kustomization", "ConfigMap"} <= scan.CONTEXT_KINDS


def test_job_count() -> None:
    assert scan.job_count(10, 4) == 4 and scan.job_count(2, 4) == 2
    assert scan.job_count(10, None) == 1  # too few documents for a second OPA start-up
    assert 1 <= scan.job_count(10_000, None) <= 8


def test_clean_input_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "clean.yaml"
    path.write_text(CLEAN)
    code, report = as_json(str(path))
    assert code == 0
    assert report["findings"] == []
    assert report["summary"]["kubernetes_objects"] == 1


def test_table_output_has_summary_line(bad_policy: Path) -> None:
    code, out, _ = mlfence_process("check", str(bad_policy))  # real process: the console script
    assert code == 1
    assert "MLF-K8S-001" in out and "1 findings (1 fail" in out


def test_stdin(bad_policy: Path) -> None:
    # Real process: stdin is a pipe, as in `kustomize build | mlfence check -`.
    code, out, _ = mlfence_process("check", "--format", "json", "-q", "-", input_text=bad_policy.read_text())
    report = json.loads(out)
    assert code == 1
    assert report["findings"][0]["file"] == "<stdin>"


def test_malformed_yaml_names_file_and_line_and_keeps_other_findings(tmp_path: Path, bad_policy: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n")
    code, report = as_json(str(broken), str(bad_policy))
    assert code == 2
    assert [e["file"] for e in report["errors"]] == [str(broken)]
    assert report["errors"][0]["line"] > 0
    assert [f["rule_id"] for f in report["findings"]] == ["MLF-K8S-001"]


def test_malformed_json_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "plan.json"
    broken.write_text('{"format_version": "1.2", "resource_changes": [')
    code, out, _err = mlfence("check", str(broken))
    assert code == 2
    assert "plan.json" in out and "not valid JSON" in out


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0.001", "opa did not finish within 0.001 s; set MLFENCE_TOOL_TIMEOUT"),
        ("soon", "MLFENCE_TOOL_TIMEOUT='soon' is not a number of seconds"),
        ("-5", "must be a positive number of seconds"),
    ],
)
def test_tool_timeout_is_one_line_and_exit_2(value: str, message: str) -> None:
    """An OPA that outlives its time (a huge scan on a busy machine) ends the run with one line."""
    proc = cli_in_process("check", "-q", "examples/kubernetes", env={"MLFENCE_TOOL_TIMEOUT": value})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert message in proc.stdout + proc.stderr


def test_missing_path_exit_2(tmp_path: Path) -> None:
    code, report = as_json(str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "no such file" in report["errors"][0]["message"]


def test_non_kubernetes_documents_are_skipped_counted_and_named(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    path.write_text("replicas: 3\nimage: x\n")
    # Nothing but a values file: nothing was checked, which is an input error unless allowed.
    code, report = as_json(str(path))
    assert code == 2 and "nothing was checked" in report["errors"][-1]["message"]
    code, report = as_json(str(path), "--allow-empty")
    assert code == 0
    assert report["summary"]["skipped_documents"] == 1
    assert ("document", str(path), 1) in [(s["what"], s["file"], s["line"]) for s in report["skipped"]]


def test_binary_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "weights.json"
    path.write_bytes(b"\x00\x01\x02model")
    code, report = as_json(str(path))
    assert code == 2
    assert report["summary"]["input_errors"] == 1
    assert "binary" in report["errors"][0]["message"] and report["errors"][0]["fatal"] is True


def test_huge_file_is_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlfence import documents
    from mlfence.inputs import limits

    monkeypatch.setattr(limits, "MAX_INPUT_BYTES", 10)
    path = tmp_path / "big.yaml"
    path.write_text(OPEN_EGRESS)
    loaded = documents.load([str(path)])
    assert loaded.documents == [] and loaded.skipped_files == 1
    assert "limit" in loaded.problems[0].message and loaded.problems[0].fatal


def test_kubernetes_list_is_flattened(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    item = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ml"},
        "spec": {"hostNetwork": True, "containers": [{"name": "c", "image": "i"}]},
    }
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [item]}))
    code, report = as_json(str(path), "--rule", "MLF-K8S-002")
    assert code == 1
    assert report["findings"][0]["resource"] == "ml/Pod/p"


def test_helm_chart_findings_point_at_templates() -> None:
    code, report = as_json("examples/helm/inference", "--values", "examples/helm/inference/values-public.yaml")
    assert code == 1
    files = {f["file"] for f in report["findings"] if f["rule_id"] == "MLF-K8S-001"}
    assert files == {"examples/helm/inference/templates/networkpolicy.yaml"}


def test_helm_chart_that_fails_to_render_exit_2(tmp_path: Path) -> None:
    chart = tmp_path / "broken-chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: broken\nversion: 0.1.0\n")
    (chart / "templates" / "x.yaml").write_text("kind: {{ .Values.missing.deeper }}\n")
    code, out, _ = mlfence("check", str(chart))
    assert code == 2
    assert "helm template failed" in out and "nil pointer" in out


def test_rule_filters_and_unknown_rule(bad_policy: Path) -> None:
    code, report = as_json(str(bad_policy), "--skip-rule", "MLF-K8S-001")
    assert code == 0 and report["findings"] == []
    code, _out, err = mlfence("check", str(bad_policy), "--rule", "MLF-K8S-999")
    assert code == 2 and "unknown rule ID MLF-K8S-999" in err


def test_severity_threshold(bad_policy: Path) -> None:
    code, report = as_json(str(bad_policy), "--severity-threshold", "critical")
    assert code == 0 and report["findings"] == []


def test_fail_on_warn_counts_unknown_values(tmp_path: Path) -> None:
    from mlfence.planfixture import build_plan

    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            build_plan(
                [
                    {
                        "address": "aws_security_group_rule.mlflow",
                        "values": {"type": "ingress", "from_port": 5000, "to_port": 5000, "protocol": "tcp"},
                        "unknown": {"cidr_blocks": True},
                    }
                ]
            )
        )
    )
    code, report = as_json(str(plan))
    assert code == 0
    assert [(f["rule_id"], f["status"]) for f in report["findings"]] == [("MLF-TF-001", "unknown")]
    code, _ = as_json(str(plan), "--fail-on", "warn")
    assert code == 1


def _exemptions(tmp_path: Path, expires: str, **extra: str) -> Path:
    entry = {
        "rule": "MLF-K8S-001",
        "resource": "ml-serving/NetworkPolicy/*",
        "reason": "egress proxy pending",
        "owner": "platform-security",
        "expires": expires,
        **extra,
    }
    path = tmp_path / "exemptions.yaml"
    path.write_text(json.dumps({"exemptions": [entry]}))
    return path


def test_active_exemption_reports_exempted_and_passes(tmp_path: Path, bad_policy: Path) -> None:
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    code, report = as_json(str(bad_policy), "--exemptions", str(_exemptions(tmp_path, future)))
    assert code == 0
    [finding] = report["findings"]
    assert finding["status"] == "exempted"
    assert finding["exemption"]["owner"] == "platform-security"
    assert report["summary"]["exempted"] == 1


def test_expired_exemption_no_longer_exempts_and_says_so(tmp_path: Path, bad_policy: Path) -> None:
    past = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    code, report = as_json(str(bad_policy), "--exemptions", str(_exemptions(tmp_path, past)))
    assert code == 1
    [finding] = report["findings"]
    assert finding["status"] == "fail"
    assert "expired" in finding["message"]
    assert report["summary"]["expired_exemptions"][0]["expires"] == past


def test_exemption_valid_through_its_last_day(tmp_path: Path, bad_policy: Path) -> None:
    today = dt.date.today().isoformat()
    code, report = as_json(str(bad_policy), "--exemptions", str(_exemptions(tmp_path, today)))
    assert code == 0 and report["findings"][0]["status"] == "exempted"


@pytest.mark.parametrize(
    "broken",
    [
        {"rule": "MLF-K8S-001", "resource": "*", "owner": "x", "expires": "2030-01-01"},
        {"rule": "MLF-K8S-001", "resource": "*", "reason": "because", "expires": "2030-01-01"},
        {"rule": "MLF-K8S-001", "resource": "*", "reason": "because", "owner": "x"},
        {"rule": "MLF-K8S-001", "resource": "*", "reason": "because", "owner": "x", "expires": "2030-02-31"},
        {"rule": "K8S-1", "resource": "*", "reason": "because", "owner": "x", "expires": "2030-01-01"},
    ],
)
def test_invalid_exemptions_exit_2_naming_the_entry(tmp_path: Path, bad_policy: Path, broken: dict) -> None:
    path = tmp_path / "exemptions.yaml"
    path.write_text(json.dumps({"exemptions": [broken]}))
    code, _out, err = mlfence("check", str(bad_policy), "--exemptions", str(path))
    assert code == 2
    assert "exemption" in err and "Traceback" not in err


def test_sarif_output(bad_policy: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.sarif"
    code, _, _ = mlfence("check", str(bad_policy), "--format", "sarif", "--output", str(out))
    assert code == 1
    sarif = json.loads(out.read_text())
    assert_valid_sarif(sarif)
    assert sarif["version"] == "2.1.0"
    run_ = sarif["runs"][0]
    rule_ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    [result] = run_["results"]
    assert result["ruleId"] == "MLF-K8S-001" and rule_ids[result["ruleIndex"]] == "MLF-K8S-001"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert result["level"] == "error"


def test_junit_output(bad_policy: Path) -> None:
    code, out, _ = mlfence("check", str(bad_policy), "--format", "junit")
    assert code == 1
    suite = ET.fromstring(out.split("?>", 1)[1])
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [(c.get("classname"), c.get("name")) for c in failed] == [
        ("MLF-K8S-001", "ml-serving/NetworkPolicy/open-egress")
    ]
    assert int(suite.get("tests")) > 1 and suite.get("failures") == "1"


def test_github_output(bad_policy: Path) -> None:
    code, out, _ = mlfence("check", str(bad_policy), "--format", "github")
    assert code == 1
    assert out.startswith(f"::error file={bad_policy},line=1,title=MLF-K8S-001::")


def test_rules_and_explain() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["rules", "--format", "json"])
    assert result.exit_code == 0
    catalog = json.loads(result.stdout)
    assert {"MLF-K8S-001", "MLF-K8S-002", "MLF-TF-001"} <= {r["id"] for r in catalog}
    explained = runner.invoke(app, ["explain", "mlf-k8s-001"])
    assert explained.exit_code == 0 and "## Remediation" in explained.stdout and "## Bad" in explained.stdout
    missing = runner.invoke(app, ["explain", "MLF-K8S-999"])
    assert missing.exit_code == 2


def test_no_arguments_shows_usage() -> None:
    code, out, err = mlfence_process("check")  # real process: typer's usage error of the console script
    assert code == 2 and "Missing argument" in (out + err)


def test_new_rule_scaffold_picks_next_free_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from mlfence import catalog, scaffold

    home = tmp_path / "home"
    shutil.copytree(ROOT / "policy", home / "policy")
    (home / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "pins.txt", home / "tools" / "pins.txt")  # the catalog runs the pinned OPA
    (home / ".regal").mkdir()
    (home / ".regal" / "config.yaml").write_text(
        "rules:\n  mlfence:\n    rule-metadata:\n      retired-ids: [MLF-TF-099]  # merged into MLF-TF-001\n"
    )
    monkeypatch.setenv("MLFENCE_HOME", str(home))
    monkeypatch.setenv("MLFENCE_TOOLS_BIN", str(ROOT / ".tools" / "bin"))
    catalog.load.cache_clear()
    try:
        highest = max(int(r.rule_id[-3:]) for r in catalog.load() if r.rule_id.startswith("MLF-K8S"))
        written = scaffold.create("kubernetes", "network", "new_check")
        assert f"id: MLF-K8S-{highest + 1:03d}" in written[0].read_text()
        # Beside the target's other rules, in their package (read from the catalog, not spelled out).
        assert written[0].parent.parent == catalog.by_id("MLF-K8S-001").directory.parent
        assert f"package {catalog.target_package('kubernetes')}.network.new_check\n" in written[0].read_text()
        assert scaffold.next_id("terraform") == "MLF-TF-100"
        with pytest.raises(scaffold.ScaffoldError):
            scaffold.create("kubernetes", "network", "new_check")
        with pytest.raises(scaffold.ScaffoldError):
            scaffold.create("kubernetes", "Bad-Area", "x")
    finally:
        catalog.load.cache_clear()


def test_table_shows_exemption_note_literally(tmp_path: Path, bad_policy: Path) -> None:
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    code, out, _ = mlfence("check", str(bad_policy), "--exemptions", str(_exemptions(tmp_path, future)))
    assert code == 0
    assert "[exempted until" in " ".join(out.split()), out


@pytest.mark.parametrize(
    ("args", "real_process"),
    [
        (["check", "{bad}", "--output", "{ro}/report.json"], False),
        (["docs", "--out", "{ro}/docs"], True),  # the one real-process test of `mlfence docs`
        (["fixtures", "--out", "{ro}/fixtures"], False),
    ],
)
def test_unwritable_output_is_a_clear_error(
    tmp_path: Path, bad_policy: Path, args: list[str], real_process: bool
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    code, _out, err = (mlfence_process if real_process else mlfence)(
        *[a.format(bad=bad_policy, ro=blocker) for a in args]
    )
    assert code == 2
    assert err.startswith("mlfence: cannot access") and str(blocker) in err
