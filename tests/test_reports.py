"""`mlfence check` reports: gating separate from showing, rule globs, baselines, several outputs
in one run, SARIF validated against the official OASIS 2.1.0 schema, JUnit that counts only the
rules that ran, skipped inputs listed by name."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from conftest import MLFENCE, OPEN_EGRESS, ROOT, cli_in_process, run
from mlfence import baseline, selection
from mlfence.cli import app
from mlfence.reports import sarif as sarif_report
from mlfence.scan import Finding
from sarif_schema import assert_valid_sarif

TRAINER = """apiVersion: v1
kind: Pod
metadata: {name: trainer, namespace: ml-serving}
spec:
  containers: [{name: main, image: "registry.example/train:1"}]
"""
# Two high `fail` findings (MLF-K8S-001 on the policy, MLF-K8S-009 on the Pod) and one low
# `warn` (MLF-K8S-014: default service account), plus one document that is not an object.
MIXED = OPEN_EGRESS + "---\n" + TRAINER + "---\nsettings: {a: 1}\n"


def check(*args: str, input_text: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", "-q", *args], input=input_text)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def check_json(*args: str, input_text: str | None = None) -> tuple[int, dict[str, Any]]:
    code, out, _ = check("--format", "json", *args, input_text=input_text)
    return code, json.loads(out)


def ids(report: dict[str, Any]) -> list[str]:
    return sorted(f["rule_id"] for f in report["findings"])


# Most tests check the same file and differ in what mlfence does with OPA's answer (gate, filters,
# formats, baseline): each distinct `opa eval` runs once (opa_answers).
pytestmark = pytest.mark.usefixtures("shared_opa_answers")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """MIXED in one file for the module's tests that only read it: OPA is asked about the same
    path and content, so they share its answers."""
    path = tmp_path_factory.mktemp("mixed") / "mixed.yaml"
    path.write_text(MIXED)
    return path


@pytest.fixture
def own_mixed(tmp_path: Path) -> Path:
    """MIXED in the test's own folder, for the tests that edit it or scan its folder."""
    path = tmp_path / "mixed.yaml"
    path.write_text(MIXED)
    return path


# --- gating separate from showing ------------------------------------------------------------


def test_fail_on_severity_decides_the_exit_code_while_everything_is_shown(mixed: Path) -> None:
    code, report = check_json(str(mixed), "--fail-on", "critical")
    assert code == 0
    assert ids(report) == ["MLF-K8S-001", "MLF-K8S-009", "MLF-K8S-014"]
    assert report["summary"]["gate"]["failing"] == 0
    code, report = check_json(str(mixed), "--fail-on", "HIGH")
    assert code == 1 and report["summary"]["gate"]["failing"] == 2


def test_threshold_alone_still_gates_on_what_it_shows(mixed: Path) -> None:
    code, report = check_json(str(mixed), "--severity-threshold", "critical")
    assert code == 0 and report["findings"] == []
    assert report["summary"]["hidden"] == {"severity": 3, "rules": 0, "baseline": 0}


def test_fail_on_below_the_threshold_fails_on_hidden_findings_and_says_so(mixed: Path) -> None:
    code, out, _ = check(str(mixed), "--severity-threshold", "Critical", "--fail-on", "high")
    assert code == 1
    text = " ".join(out.split())
    assert "0 findings" in text
    assert "3 findings hidden by filters: 3 below critical" in text
    assert "2 findings fail the run (fail findings at or above high)" in text


def test_warn_statuses_combine_with_a_severity(mixed: Path) -> None:
    code, report = check_json(str(mixed), "--skip-rule", "MLF-K8S-00*", "--fail-on", "low,warn")
    assert ids(report) == ["MLF-K8S-014"] and code == 1
    code, _ = check_json(str(mixed), "--skip-rule", "MLF-K8S-00*", "--fail-on", "low")
    assert code == 0


def test_soft_fail_reports_but_exits_zero_and_bad_input_still_exits_two(mixed: Path, tmp_path: Path) -> None:
    code, report = check_json(str(mixed), "--soft-fail")
    assert code == 0 and report["summary"]["gate"] == {
        "fail_on": "low",
        "statuses": ["fail"],
        "soft_fail": True,
        "failing": 2,
        "rule": "fail findings at or above low (soft fail: exit 0)",
    }
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [\n")
    code, _ = check_json(str(mixed), str(broken), "--soft-fail")
    assert code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fail-on", "sometimes"], "--fail-on 'sometimes' is neither a severity"),
        (["--severity-threshold", "urgent"], "Invalid value for '--severity-threshold'"),
        (["--rule", "MLF-NOPE-*"], "pattern MLF-NOPE-* matches no rule ID"),
        (["--skip-rule", "MLF-K8S-001,MLF-K8S-999"], "unknown rule ID MLF-K8S-999"),
    ],
)
def test_bad_selection_is_one_line_and_exit_2(mixed: Path, args: list[str], message: str) -> None:
    proc = cli_in_process("check", str(mixed), *args)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    if not args[0].startswith("--severity"):  # typer's own usage box for enum values
        assert proc.stderr.strip().count("\n") == 0, proc.stderr


def test_rule_filters_take_comma_lists_globs_any_case_and_count_what_they_hide(mixed: Path) -> None:
    code, report = check_json(str(mixed), "--rule", "mlf-k8s-00*,MLF-TF-001")
    assert ids(report) == ["MLF-K8S-001", "MLF-K8S-009"] and code == 1
    assert report["summary"]["hidden"]["rules"] == 1
    code, report = check_json(
        str(mixed), "--rule", "MLF-K8S-*", "--skip-rule", "MLF-K8S-001", "--skip-rule", "mlf-k8s-01?"
    )
    assert ids(report) == ["MLF-K8S-009"]
    assert report["summary"]["hidden"]["rules"] == 2


def test_gate_unit() -> None:
    finding = Finding("MLF-K8S-001", "medium", "warn", "", "", "a.yaml", 1, "x", "")
    assert selection.gate(None, "low", False).fails(finding) is False
    assert selection.gate("warn", "low", False).fails(finding) is True
    assert selection.gate("warn,high", "low", False).fails(finding) is False
    assert selection.gate("Medium,WARN", "critical", False).fails(finding) is True


# --- baselines --------------------------------------------------------------------------------


def test_baseline_reports_only_new_findings_and_survives_moved_lines(tmp_path: Path, own_mixed: Path) -> None:
    mixed = own_mixed
    saved = tmp_path / "baseline.json"
    code, report = check_json(str(mixed), "--write-baseline", str(saved))
    assert code == 0, "writing a baseline accepts today's findings"
    recorded = json.loads(saved.read_text())
    assert recorded["mlfence_baseline"] == 1
    assert sorted(e["rule_id"] for e in recorded["findings"]) == ["MLF-K8S-001", "MLF-K8S-009", "MLF-K8S-014"]
    assert all("line" not in e for e in recorded["findings"])
    assert {e["fingerprint"] for e in recorded["findings"]} == {f["fingerprint"] for f in report["findings"]}

    # The same objects further down the file, after a comment block: nothing is new.
    mixed.write_text("# moved\n# down\n\n" + MIXED)
    code, report = check_json(str(mixed), "--baseline", str(saved))
    assert code == 0 and report["findings"] == [] and report["fixed"] == []
    assert report["summary"]["hidden"]["baseline"] == 3
    assert report["summary"]["baseline"] == {"file": str(saved), "new": 0, "unchanged": 3, "fixed": 0}

    # A second open policy is new; the Pod's two findings are fixed once the Pod is gone.
    second = OPEN_EGRESS.replace("open-egress", "open-egress-2")
    mixed.write_text(OPEN_EGRESS + "---\n" + second)
    code, out, _ = check(str(mixed), "--baseline", str(saved))
    assert code == 1
    text = " ".join(out.split())
    assert "ml-serving/NetworkPolicy/open-egress-2" in text
    assert "fixed since the baseline: MLF-K8S-009 ml-serving/Pod/trainer" in text
    assert "baseline: 1 new, 2 fixed" in text
    code, report = check_json(str(mixed), "--baseline", str(saved))
    assert sorted(e["rule_id"] for e in report["fixed"]) == ["MLF-K8S-009", "MLF-K8S-014"]
    assert {f["resource"] for f in report["findings"]} == {"ml-serving/NetworkPolicy/open-egress-2"}


def test_fingerprint_ignores_line_and_path_spelling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    base = Finding("MLF-K8S-001", "high", "fail", "", "m", "k8s/a.yaml", 3, "ns/Kind/x", "")
    moved = Finding("MLF-K8S-001", "high", "fail", "", "m", "./k8s/a.yaml", 40, "ns/Kind/x", "")
    absolute = Finding("MLF-K8S-001", "high", "fail", "", "m", str(tmp_path / "k8s" / "a.yaml"), 1, "ns/Kind/x", "")
    other = Finding("MLF-K8S-001", "high", "fail", "", "m", "k8s/a.yaml", 3, "ns/Kind/y", "")
    assert baseline.fingerprint(base) == baseline.fingerprint(moved) == baseline.fingerprint(absolute)
    assert baseline.fingerprint(base) != baseline.fingerprint(other)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist (create it with --write-baseline)"),
        ("{not json", "is not valid JSON (line 1"),
        ('{"findings": []}', "is not an mlfence baseline"),
        ('{"mlfence_baseline": 1, "findings": [{"rule_id": "MLF-K8S-001"}]}', "at findings/0"),
        (
            '{"mlfence_baseline": 1, "findings": [{"fingerprint": "zz", "rule_id": "a", "resource": "b", '
            '"location": "c"}]}',
            "does not match",
        ),
    ],
)
def test_malformed_baseline_is_one_clear_line(tmp_path: Path, mixed: Path, content: str | None, message: str) -> None:
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content)
    proc = cli_in_process("check", str(mixed), "--baseline", str(path))
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"mlfence: baseline {path}") and message in proc.stderr, proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr


# --- several outputs, SARIF, JUnit --------------------------------------------------------------


def test_one_run_writes_table_sarif_junit_and_json(tmp_path: Path, mixed: Path) -> None:
    # A real process: the console script writing its outputs.
    files = {name: tmp_path / "out" / f"report.{name}" for name in ("sarif", "junit", "json")}
    proc = run(
        [
            MLFENCE,
            "check",
            str(mixed),
            "--sarif",
            str(files["sarif"]),
            "--junit",
            str(files["junit"]),
            "--json",
            str(files["json"]),
        ]
    )
    assert proc.returncode == 1
    assert "HIGH (2)" in proc.stdout and "3 findings (2 fail, 1 warn" in proc.stdout  # the console table stays
    report = json.loads(files["json"].read_text())
    assert ids(report) == ["MLF-K8S-001", "MLF-K8S-009", "MLF-K8S-014"]
    sarif = json.loads(files["sarif"].read_text())
    assert_valid_sarif(sarif)
    assert sorted(r["ruleId"] for r in sarif["runs"][0]["results"]) == ids(report)
    suite = ET.fromstring(files["junit"].read_text().split("?>", 1)[1])
    assert suite.get("failures") == "2"
    assert not list(tmp_path.glob("out/.*.tmp")), "outputs are written atomically"


def test_sarif_is_what_github_code_scanning_ranks_and_tracks(tmp_path: Path, mixed: Path) -> None:
    code, out, _ = check(str(mixed), "--format", "sarif")
    assert code == 1
    sarif = json.loads(out)
    assert_valid_sarif(sarif)
    run_ = sarif["runs"][0]
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert len(rules) > 60
    for rule in rules.values():
        assert rule["properties"]["security-severity"] in {"9.5", "8.0", "5.5", "2.0"}
        assert "security" in rule["properties"]["tags"]
        assert rule["helpUri"].endswith(f"/docs/rules/{rule['id']}.md")
        assert rule["help"]["markdown"].startswith(f"# {rule['id']}: ")
    # help.markdown is the rule page itself, as docs/rules/ has it.
    page = (ROOT / "docs" / "rules" / "MLF-K8S-001.md").read_text()
    assert rules["MLF-K8S-001"]["help"]["markdown"] == page
    assert rules["MLF-K8S-001"]["properties"]["security-severity"] == "8.0"
    _, report = check_json(str(mixed))
    by_rule = {f["rule_id"]: f["fingerprint"] for f in report["findings"]}
    for result in run_["results"]:
        assert result["partialFingerprints"]["mlfence/v1"] == by_rule[result["ruleId"]]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == mixed.as_uri()
        assert location["region"]["startLine"] in (1, 9)
    note = run_["invocations"][0]["toolExecutionNotifications"][0]
    assert "skipped" in note["message"]["text"] and note["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 15
    }


def test_sarif_artifact_uris_for_stdin_and_awkward_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = check("-", "--format", "sarif", "--stdin-filename", "deploy/net policy.yaml", input_text=OPEN_EGRESS)
    assert code == 1
    sarif = json.loads(out)
    assert_valid_sarif(sarif)
    [result] = sarif["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "deploy/net%20policy.yaml", "uriBaseId": "%SRCROOT%"}
    assert sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    code, out, _ = check("-", "--format", "sarif", input_text=OPEN_EGRESS)
    assert code == 1
    sarif = json.loads(out)
    assert_valid_sarif(sarif)  # "<stdin>" itself is not a URI reference
    assert (
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "%3Cstdin%3E"
    )
    _code, report = check_json("-", "--stdin-filename", "deploy/net.yaml", input_text=OPEN_EGRESS)
    assert report["findings"][0]["file"] == "deploy/net.yaml"


def test_sarif_marks_exempted_and_new_results(tmp_path: Path, mixed: Path) -> None:
    saved = tmp_path / "baseline.json"
    check_json(str(mixed), "--write-baseline", str(saved), "--skip-rule", "MLF-K8S-001")
    exemptions = tmp_path / "exemptions.yaml"
    exemptions.write_text(
        json.dumps(
            {
                "exemptions": [
                    {
                        "rule": "MLF-K8S-001",
                        "resource": "ml-serving/NetworkPolicy/*",
                        "reason": "proxy pending",
                        "owner": "platform",
                        "expires": (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat(),
                    }
                ]
            }
        )
    )
    _, out, _ = check(str(mixed), "--format", "sarif", "--baseline", str(saved), "--exemptions", str(exemptions))
    sarif = json.loads(out)
    assert_valid_sarif(sarif)
    [result] = sarif["runs"][0]["results"]
    assert result["baselineState"] == "new"
    assert result["suppressions"] == [{"kind": "external", "justification": "proxy pending"}]


def test_duplicate_fingerprints_get_distinct_sarif_fingerprints() -> None:
    findings = [Finding("R", "high", "fail", "", msg, "a.yaml", 1, "x", "", fingerprint="f" * 32) for msg in ("b", "a")]
    assert sarif_report._fingerprints(findings) == ["f" * 32 + ":2", "f" * 32]


def test_junit_counts_only_rules_that_ran(mixed: Path) -> None:
    code, out, _ = check(str(mixed), "--format", "junit", "--rule", "MLF-K8S-00*")
    assert code == 1
    suite = ET.fromstring(out.split("?>", 1)[1])
    cases = {(c.get("classname"), c.get("name")): c for c in suite.iter("testcase")}
    skipped = {k[0]: c.find("skipped").get("message") for k, c in cases.items() if c.find("skipped") is not None}
    passed = [k[0] for k, c in cases.items() if len(c) == 0]
    failed = [k[0] for k, c in cases.items() if c.find("failure") is not None]
    assert sorted(failed) == ["MLF-K8S-001", "MLF-K8S-009"]
    assert skipped["MLF-K8S-014"] == "not run: excluded by --rule/--skip-rule"
    assert skipped["MLF-TF-001"] == "not run: excluded by --rule/--skip-rule"
    assert passed and all(r.startswith("MLF-K8S-00") for r in passed), passed
    assert suite.get("tests") == str(len(cases))
    assert suite.get("skipped") == str(len(skipped)) and suite.get("failures") == "2"
    # Without filters, Terraform rules did not run on a Kubernetes-only scan either.
    _, out, _ = check(str(mixed), "--format", "junit")
    suite = ET.fromstring(out.split("?>", 1)[1])
    tf = [c for c in suite.iter("testcase") if c.get("classname") == "MLF-TF-001"]
    assert tf[0].find("skipped").get("message") == "not run: nothing this rule checks was scanned"


def test_junit_rule_with_findings_below_threshold_is_not_passed(mixed: Path) -> None:
    _, out, _ = check(str(mixed), "--format", "junit", "--severity-threshold", "medium")
    suite = ET.fromstring(out.split("?>", 1)[1])
    [case] = [c for c in suite.iter("testcase") if c.get("classname") == "MLF-K8S-014"]
    assert "1 findings not shown" in case.find("skipped").get("message")


# --- skipped inputs by name ---------------------------------------------------------------------


def test_skipped_files_and_documents_are_listed_by_name(tmp_path: Path, own_mixed: Path) -> None:
    # A binary file is an input error now (exit 2, tests/test_inputs.py); a link back up the
    # tree is a file-level skip that is only a note.
    (tmp_path / "loop").symlink_to(tmp_path)
    (tmp_path / "notes.yaml").write_text("kind: ReleaseNotes\nmetadata: {name: v1}\n")
    code, report = check_json(str(tmp_path))
    assert code == 1
    skipped = {(s["what"], Path(s["file"]).name, s.get("name")) for s in report["skipped"]}
    assert ("file", "loop", None) in skipped
    assert ("document", "notes.yaml", "ReleaseNotes/v1") in skipped
    assert ("document", "mixed.yaml", "mapping with keys settings") in skipped
    assert report["summary"]["skipped_documents"] == 2 and report["summary"]["skipped_files"] == 1
    _, out, _ = check(str(tmp_path))
    text = " ".join(out.split())
    assert f"skipped file: {tmp_path / 'loop'}: skipped: a symbolic link to a folder already scanned" in text
    assert f"skipped document: {tmp_path / 'notes.yaml'}:1: ReleaseNotes/v1: neither" in text


def test_github_annotations_escape_properties(tmp_path: Path) -> None:
    odd = tmp_path / "a,b:c.yaml"
    odd.write_text(OPEN_EGRESS)
    _, out, _ = check(str(odd), "--format", "github", "--rule", "MLF-K8S-001")
    first = out.splitlines()[0]
    assert first.startswith("::error file=") and "a%2Cb%3Ac.yaml,line=" in first


def test_fixed_lists_only_what_this_run_could_have_found_again(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(OPEN_EGRESS)
    (tmp_path / "b.yaml").write_text(OPEN_EGRESS.replace("open-egress", "other"))
    saved = tmp_path / "baseline.json"
    check_json(str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "--write-baseline", str(saved))
    assert len(json.loads(saved.read_text())["findings"]) == 2
    # b.yaml not scanned this time, and MLF-K8S-001 filtered out: neither says "fixed".
    code, report = check_json(str(tmp_path / "a.yaml"), "--baseline", str(saved))
    assert code == 0 and report["fixed"] == [] and report["summary"]["hidden"]["baseline"] == 1
    code, report = check_json(
        str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "--baseline", str(saved), "--skip-rule", "MLF-K8S-001"
    )
    assert code == 0 and report["fixed"] == []
    # A deleted file's findings are fixed.
    (tmp_path / "b.yaml").unlink()
    code, report = check_json(str(tmp_path / "a.yaml"), "--baseline", str(saved))
    assert code == 0 and [e["resource"] for e in report["fixed"]] == ["ml-serving/NetworkPolicy/other"]


def test_sarif_and_junit_of_real_inputs(tmp_path: Path) -> None:
    """The example platform (manifests, a chart, a plan) and real plans other projects committed."""
    sarif, junit = tmp_path / "r.sarif", tmp_path / "r.xml"
    realworld = ROOT.parent / "shared" / "realworld" / "terraform"  # beside the clone, in CI too
    inputs = ["examples/", *([str(realworld)] if realworld.is_dir() else [])]
    # In-process (conftest.cli_in_process): test_one_run_writes_table_sarif_junit_and_json is the
    # console script's own test.
    proc = cli_in_process("check", "-q", *inputs, "--sarif", str(sarif), "--junit", str(junit), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    document = json.loads(sarif.read_text())
    assert_valid_sarif(document)
    assert len(document["runs"][0]["results"]) == report["summary"]["findings"] > 30
    suite = ET.fromstring(junit.read_text().split("?>", 1)[1])
    cases = list(suite.iter("testcase"))
    assert suite.get("tests") == str(len(cases))
    assert (
        suite.get("failures")
        == str(sum(c.find("failure") is not None for c in cases))
        == str(report["summary"]["fail"])
    )


def test_write_baseline_with_broken_inputs_says_what_is_missing(tmp_path: Path, mixed: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [\n")
    saved = tmp_path / "baseline.json"
    proc = cli_in_process("check", "-q", str(mixed), str(broken), "--write-baseline", str(saved))
    assert proc.returncode == 2
    assert f"wrote the baseline {saved}; 1 inputs had errors, their findings are not in it" in proc.stderr
    assert len(json.loads(saved.read_text())["findings"]) == 3


@pytest.mark.parametrize(
    ("content", "name"),
    [
        ({"kind": "Kustomization"}, "Kustomization"),
        ({"kind": "ReleaseNotes", "metadata": {"name": "v1"}}, "ReleaseNotes/v1"),
        ({"varReference": [], "resources": []}, "mapping with keys resources, varReference"),
        ([{"a": 1}, {"b": 2}], "list of 2 items"),
        ("just text", "string"),
    ],
)
def test_skipped_documents_are_named(content: object, name: str) -> None:
    from mlfence.scan import _describe

    assert _describe(content) == name
