"""The input layer through the CLI: never a silent pass, never a traceback, never a hang,
bounded reads, folders and Terraform inputs as pipelines produce them. The CLI runs in-process
(conftest.cli_in_process) except where the process itself is the point: its CPU time, a read
that could block (a real process has a timeout), the console script's stderr."""

from __future__ import annotations

import json
import os
import re
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import ROOT, cli_in_process, run, tool
from mlfence import documents
from mlfence.inputs import jsontext, placeholders
from mlfence.inputs.errors import InputError
from mlfence.inputs.limits import MAX_DEPTH

SHARED = ROOT.parent / "shared" if (ROOT.parent / "shared").is_dir() else Path("/work/shared")
FIXTURES = SHARED / "realworld" / "terraform-fixtures"
MLFENCE = [str(Path(sys.executable).parent / "mlfence")]


def host_pod(value: str = "true", name: str = "p") -> str:
    return (
        f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: ml}}\n"
        f"spec:\n  hostNetwork: {value}\n  containers: [{{name: c, image: i}}]\n"
    )


def check(*args: str, stdin: bytes | None = None) -> tuple[int, dict[str, Any], str]:
    proc = cli_in_process("check", "-q", "--format", "json", *args, input_text=stdin)
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout) if proc.stdout.strip() else {}
    return proc.returncode, report, proc.stderr


def check_process(*args: str, timeout: float) -> tuple[int, dict[str, Any], str]:
    """`mlfence check` in a real process, stopped after `timeout` seconds."""
    proc = subprocess.run(
        [*MLFENCE, "check", "-q", "--format", "json", *args],
        capture_output=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
    )
    assert "Traceback" not in proc.stderr.decode(errors="replace"), proc.stderr.decode(errors="replace")
    report = json.loads(proc.stdout) if proc.stdout.strip() else {}
    return proc.returncode, report, proc.stderr.decode(errors="replace")


def messages(report: dict[str, Any]) -> list[str]:
    return [f"{e['file']}: {e['message']}" for e in report.get("errors", [])]


def rule_ids(report: dict[str, Any]) -> set[str]:
    return {f["rule_id"] for f in report.get("findings", [])}


# --- 1/4. YAML as Kubernetes reads it, and an unreadable value never costs the other files ----


def test_yaml11_boolean_is_a_violation_and_dates_do_not_crash(tmp_path: Path) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text(host_pod("y").replace("metadata: {", "metadata: {annotations: {when: 2024-01-01}, "))
    config = tmp_path / "config.yaml"
    config.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ml}\ndata:\n  since: 2024-01-01\n"
    )
    code, report, _ = check(str(pod), str(config), "--rule", "MLF-K8S-002")
    assert code == 1 and rule_ids(report) == {"MLF-K8S-002"}


def test_one_broken_document_keeps_the_others(tmp_path: Path) -> None:
    stream = tmp_path / "all.yaml"
    stream.write_text(host_pod("true") + "---\nkey: [unclosed\n---\n" + host_pod("true", "q"))
    other = tmp_path / "other.yaml"
    other.write_text(host_pod("true", "r"))
    code, report, _ = check(str(stream), str(other), "--rule", "MLF-K8S-002")
    assert code == 2
    assert {f["resource"] for f in report["findings"]} == {"ml/Pod/p", "ml/Pod/q", "ml/Pod/r"}
    # libyaml notices the unclosed list at the end of its document (lines 7-8, the error mark 9).
    [(where, line)] = [(e["file"], e["line"]) for e in report["errors"] if e["fatal"]]
    assert where == str(stream) and 7 <= line <= 9


PROFILE_TEMPLATE = """apiVersion: v1
kind: Namespace
metadata:
  name: {username}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: notebook
  namespace: {username}
spec:
  template:
    spec:
      hostNetwork: true
      containers: [{name: c, image: i}]
"""
HELM_OUTSIDE_A_CHART = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\nspec:\n  type: NodePort\n"
# Placeholders inside strings are data (Knative's domain template, CRD descriptions): judged.
QUOTED = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config-network, namespace: knative-serving}\n"
    'data:\n  domain-template: "{{.Name}}.{{.Namespace}}.{{.Domain}}"\n  note: "spec.containers{name}"\n'
)


@pytest.mark.parametrize(
    ("text", "placeholder", "line"),
    [
        (PROFILE_TEMPLATE, "{username} at line 4", 4),
        (HELM_OUTSIDE_A_CHART, "{{ .Values.name }} at line 4", 4),
    ],
)
def test_unrendered_templates_are_skipped_per_file_without_hiding_the_rest(
    tmp_path: Path, text: str, placeholder: str, line: int
) -> None:
    (tmp_path / "template.yaml").write_text(text)
    (tmp_path / "quoted.yaml").write_text(QUOTED)
    (tmp_path / "pod.yaml").write_text(host_pod())
    code, report, _ = check(str(tmp_path))
    # The template is one note naming it, its placeholders and line; not an input error.
    notes = [e for e in report["errors"] if e["file"].endswith("template.yaml")]
    assert len(notes) == 1 and not notes[0]["fatal"] and notes[0]["line"] == line, report["errors"]
    assert placeholder in notes[0]["message"] and "unrendered template" in notes[0]["message"]
    assert report["summary"]["input_errors"] == 0 and report["summary"]["skipped_files"] == 1
    # The other files are judged as usual, and their findings decide the exit code.
    assert {f["file"].rsplit("/", 1)[1] for f in report["findings"]} == {"pod.yaml"}
    assert report["summary"]["documents"] == 2
    assert code == 1
    # Alone, the template leaves nothing checked: that is still a run that checked nothing.
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "template.yaml").write_text(text)
    assert check(str(alone))[0] == 2


def test_placeholder_detection_ignores_strings_and_comments() -> None:
    assert placeholders.template_reason(QUOTED, [{"data": {"a": "{{.Name}}"}}], False) is None
    assert placeholders.template_reason("# name: {username}\nkind: x\n", [{"kind": "x"}], False) is None
    # A one-key null mapping without a placeholder in the text is plain YAML, not a template.
    assert placeholders.template_reason("a: {b: }\n", [{"a": {"b": None}}], False) is None
    line, reason = placeholders.template_reason("a: {b}\n", [{"a": {"b": None}}], False) or (0, "")
    assert line == 1 and "{b} at line 1" in reason


def _tokens_line_by_line(text: str) -> list[tuple[int, str]]:
    """placeholders.tokens as it reads without its whole-text shortcut: every line's code."""
    found: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        code = placeholders._code(line)
        found += [(number, m.group(0)) for m in placeholders._TEMPLATE.finditer(code)]
        found += [(number, m.group(0)) for m in placeholders._BARE.finditer(code)]
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list('{}%$ #\n\r\x0b\x1c\u2028ab_.-:"')), max_size=60))
@example("a: {b} # {c}\r{{ x }}\n{%y%}")
@example("{{ a\r}}")
def test_placeholder_tokens_match_the_line_by_line_reading(text: str) -> None:
    assert placeholders.tokens(text) == _tokens_line_by_line(text)


# The bare-placeholder pattern as first written, lookbehind first: placeholders._BARE puts the `{`
# first (much faster on large texts) and must match exactly where this one does.
_BARE_LOOKBEHIND_FIRST = re.compile(r"(?<![{\w$])\{([A-Za-z_][\w.-]*)\}(?!\})")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("{}$ \n\u00e9a9_.-:")), max_size=40))
@example("{a}")
@example("x{a} ${b} {{c}} {d}} _{e} {f.g-h}\n{i}")
def test_bare_placeholder_pattern_matches_as_the_lookbehind_first_one(text: str) -> None:
    spans = [(m.span(), m.groups()) for m in placeholders._BARE.finditer(text)]
    assert spans == [(m.span(), m.groups()) for m in _BARE_LOOKBEHIND_FIRST.finditer(text)]


@pytest.mark.parametrize("wrap", ["[{}]", '{{"a": 1, "b": [2, {}]}}'], ids=["lists", "mixed"])
def test_json_nesting_limit_is_exact(wrap: str) -> None:
    """MAX_DEPTH levels of containers are read; one more is refused, on the value's line."""

    def nested(levels: int) -> str:
        text = "1"
        for _ in range(levels):
            text = wrap.format(text)
        return text

    levels_per_wrap = 1 if wrap.startswith("[") else 2
    fits = nested(MAX_DEPTH // levels_per_wrap)
    assert jsontext.load_values(fits)[0][0] == 1
    with pytest.raises(InputError) as refused:
        jsontext.load_values("\n" + nested(MAX_DEPTH // levels_per_wrap + 1))
    assert (refused.value.message, refused.value.line) == (f"nested deeper than {MAX_DEPTH} levels", 2)


@pytest.mark.parametrize(
    "name, payload, expected",
    [
        ("deep.json", "[" * 1000 + "]" * 1000, "nested deeper"),
        ("deep.yaml", "a: " + "[" * 400 + "]" * 400, "nested deeper"),
        (
            "bomb.yaml",
            "a: &a [x,x,x,x,x,x,x,x,x]\n"
            + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)),
            "excessive aliasing",
        ),
        ("wide.yaml", "a: &a " + "x" * 100_000 + "\nb: [" + ", ".join(["*a"] * 900) + "]\n", "expands to more than"),
        ("nan.json", '{"kind": NaN}', "NaN is not JSON"),
        ("cycle.yaml", "a: &a [*a]\n", "contains itself"),
    ],
)
def test_hostile_documents_are_input_errors_in_bounded_time(
    tmp_path: Path, name: str, payload: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(payload)
    started = time.process_time()  # CPU seconds: a loaded machine stretches the wall clock, not these
    loaded = documents.load([str(path)])
    assert time.process_time() - started < 2
    assert [p.fatal for p in loaded.problems] == [True] and expected in loaded.problems[0].message


def test_alias_bomb_through_the_cli_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(
        "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
        + "".join(f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    )
    assert path.stat().st_size < 600
    # CPU seconds of the CLI process (OPA start-up included), not wall time: an expanding bomb
    # burns CPU, while on a loaded machine the wall clock of a quick refusal runs long too.
    before = _children_cpu()
    code, report, _ = check_process(str(path), timeout=300)
    assert code == 2 and "excessive aliasing" in messages(report)[0]
    assert _children_cpu() - before < 15


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- 4. Only regular files; the cap counts bytes read ------------------------------------------


def test_devices_fifos_and_sockets_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    sock_path = tmp_path / "s.yaml"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    try:
        code, report, _ = check_process("/dev/zero", str(fifo), str(sock_path), timeout=60)
    finally:
        server.close()
    assert code == 2
    assert messages(report) == [
        "/dev/zero: not a regular file (a character device): refusing to read it",
        f"{fifo}: not a regular file (a FIFO): refusing to read it",
        f"{sock_path}: not a regular file (a socket): refusing to read it",
    ]


def test_stdin_cap_counts_bytes_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from mlfence.inputs import limits, reading

    monkeypatch.setattr(limits, "MAX_INPUT_BYTES", 1000)
    with open("/dev/zero", "rb") as endless, pytest.raises(reading.InputError, match="over the 1000-byte limit"):
        reading.read_bounded(endless)


# --- 5. Never exit 0 having checked nothing ---------------------------------------------------


@pytest.mark.parametrize(
    "stdin, expected",
    [
        (b"", "<stdin>: is empty (did the command before the pipe fail?)"),
        (b"\n  \n", "<stdin>: is empty"),
        (b"\x00\x01binary", "<stdin>: binary data"),
        (b"kind: \xff\xfe\xfa\n", "<stdin>: not UTF-8 text"),
        (b"# only a comment\n", "<stdin>: holds no documents"),
    ],
)
def test_stdin_that_checks_nothing_is_exit_2(stdin: bytes, expected: str) -> None:
    code, report, _ = check("-", stdin=stdin)
    assert code == 2 and messages(report)[0].startswith(expected), messages(report)


def test_empty_inputs_are_errors_unless_allowed(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    folder = tmp_path / "nothing"
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "README.md").write_text("not scanned\n")
    values = tmp_path / "values.yaml"
    values.write_text("replicas: 3\n")
    for args in ([str(empty)], ["/dev/null"], [str(folder)], [str(values)]):
        code, report, _ = check(*args)
        assert code == 2 and any(e["fatal"] for e in report["errors"]), (args, report)
        code, report, _ = check(*args, "--allow-empty")
        assert code == 0 and not any(e["fatal"] for e in report["errors"]), (args, report)


def test_non_utf8_and_oversized_files_are_errors(tmp_path: Path) -> None:
    latin = tmp_path / "latin1.yaml"
    latin.write_bytes("metadata: {name: caf\u00e9}\n".encode("latin-1"))
    code, report, _ = check(str(latin))
    assert code == 2 and "not UTF-8 text" in messages(report)[0]


def test_non_utf8_exemptions_file_is_one_line_exit_2(tmp_path: Path) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text(host_pod("true"))
    bad = tmp_path / "exemptions.yaml"
    bad.write_bytes(b"exemptions:\n- rule: MLF-K8S-002\n  reason: caf\xe9\n")
    proc = subprocess.run(
        [*MLFENCE, "check", "-q", str(pod), "--exemptions", str(bad)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert str(bad) in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


# --- 3. Folders -----------------------------------------------------------------------------


def test_symlinked_folders_are_followed_once_and_excludes_apply(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "apps").mkdir(parents=True)
    (real / "apps" / "pod.yaml").write_text(host_pod("true"))
    (real / "vendor").mkdir()
    (real / "vendor" / "pod.yaml").write_text(host_pod("true", "v"))
    (real / ".hidden").mkdir()
    (real / ".hidden" / "pod.yaml").write_text(host_pod("true", "h"))
    scan = tmp_path / "scan"
    scan.mkdir()
    (scan / "linked").symlink_to(real)
    (real / "apps" / "loop").symlink_to(scan)  # a link back up the tree
    code, report, _ = check(str(scan), "--rule", "MLF-K8S-002")
    assert code == 1
    assert sorted(f["resource"] for f in report["findings"]) == ["ml/Pod/p", "ml/Pod/v"]
    assert any("already scanned" in m for m in messages(report))
    code, report, _ = check(str(scan), "--rule", "MLF-K8S-002", "--exclude", "vendor", "--exclude", "*/loop")
    assert code == 1 and [f["resource"] for f in report["findings"]] == ["ml/Pod/p"]
    assert report["errors"] == []


# --- 2. Lists in every engine that sees them ---------------------------------------------------

NESTED_LIST = {
    "apiVersion": "v1",
    "kind": "List",
    "items": [
        {
            "apiVersion": "v1",
            "kind": "PodList",
            "items": [
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": "p", "namespace": "ml"},
                    "spec": {"hostNetwork": True, "containers": [{"name": "c", "image": "i"}]},
                }
            ],
        }
    ],
}


def test_nested_list_in_cli_conftest_and_decision(
    tmp_path: Path, shipped_conftest_policy: Path, decisions: dict[str, Any]
) -> None:
    path = tmp_path / "list.json"
    path.write_text(json.dumps(NESTED_LIST))
    code, report, _ = check(str(path), "--rule", "MLF-K8S-002")
    assert code == 1 and [f["resource"] for f in report["findings"]] == ["ml/Pod/p"]
    for combine in ([], ["--combine"]):
        policy = str(shipped_conftest_policy)
        proc = run([tool("conftest"), "test", *combine, "-o", "json", "-p", policy, "-d", "data", str(path)])
        assert proc.returncode == 1, proc.stdout + proc.stderr
        failures = [f["metadata"]["rule_id"] for r in json.loads(proc.stdout) for f in r.get("failures") or []]
        assert "MLF-K8S-002" in failures
    decision = decisions["nested"]
    assert decision["allowed"] is False and decision["input_kind"] == "kubernetes_list"
    assert "MLF-K8S-002" in {f["rule_id"] for f in decision["findings"]}


def _past_the_bound() -> Any:
    doc: Any = NESTED_LIST
    for _ in range(5):
        doc = {"apiVersion": "v1", "kind": "List", "items": [doc]}
    return doc


@pytest.fixture(scope="module")
def decisions() -> dict[str, Any]:
    """data.mlfence.decision of the whole policy for NESTED_LIST ("nested") and for it nested past
    the bound ("past_the_bound"): one `opa eval` (one compile of the whole tree) answers for both,
    each the whole input of its decision (`with input as`)."""
    query = "{name: d | some name, doc in input; d := data.mlfence.decision with input as doc}"
    proc = run(
        [
            tool("opa"),
            "eval",
            "--format",
            "json",
            "--stdin-input",
            "-d",
            "policy",
            "-d",
            "data",
            "--ignore",
            "*_test.rego",
            query,
        ],
        input_text=json.dumps({"nested": NESTED_LIST, "past_the_bound": _past_the_bound()}),
    )
    assert proc.returncode == 0, proc.stderr
    value: dict[str, Any] = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    assert set(value) == {"nested", "past_the_bound"}
    return value


def test_list_nested_past_the_bound_fails_closed(decisions: dict[str, Any]) -> None:
    decision = decisions["past_the_bound"]
    assert decision["allowed"] is False
    assert "MLF-INPUT-002" in {f["rule_id"] for f in decision["findings"]}


# --- 6. Terraform inputs as pipelines produce them ----------------------------------------------

UTF16_PLANS = sorted((FIXTURES / "main" / "bridgecrewio__checkov").glob("*utf*16*"))


@pytest.mark.parametrize("plan", UTF16_PLANS, ids=lambda p: p.name[-40:])
def test_utf16_plans_are_read_from_files_and_stdin(plan: Path) -> None:
    assert plan.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    code, report, _ = check(str(plan))
    assert code in (0, 1) and report["summary"]["terraform_plans"] == 1, report["summary"]
    code, report, _ = check("-", stdin=plan.read_bytes())
    assert code in (0, 1) and report["summary"]["terraform_plans"] == 1


def test_utf8_bom_and_utf16_be() -> None:
    plan = next((FIXTURES / "main" / "bridgecrewio__checkov").glob("*win_utf8*"))
    text = plan.read_bytes().decode("utf-8-sig")
    for payload in (b"\xef\xbb\xbf" + text.encode(), b"\xfe\xff" + text.encode("utf-16-be")):
        code, report, _ = check("-", stdin=payload)
        assert code in (0, 1) and report["summary"]["terraform_plans"] == 1


EDGE = FIXTURES / "edge"


@pytest.mark.parametrize(
    "path, expected",
    [
        (
            EDGE / "infracost__infracost" / "cmd__infracost__testdata__plan_with_terraform_wrapper.json",
            "setup-terraform wrapper",
        ),
        (
            EDGE / "bridgecrewio__checkov" / "tests__terraform__parser__resources__plan_vpc_endpoint__tfplan.json",
            "no `format_version`",
        ),
        (EDGE / "hashicorp__terraform-json" / "testdata__invalid__plan.json", "unexpected text after the value"),
        (EDGE / "hashicorp__terraform-json" / "testdata__invalid__state.json", "not valid JSON"),
    ],
)
def test_edge_fixtures_are_named_errors(path: Path, expected: str) -> None:
    code, report, _ = check(str(path))
    assert code == 2 and expected in messages(report)[0], messages(report)


def _plan() -> dict[str, Any]:
    return {"format_version": "1.2", "terraform_version": "1.9.0", "resource_changes": [], "planned_values": {}}


@pytest.mark.parametrize(
    "payload, expected",
    [
        (b"PK\x03\x04\x14\x00binary-plan", "terraform show -json plan.tfplan"),
        (
            b'{"@level":"info","@message":"Terraform 1.9.0","type":"version"}\n'
            b'{"@level":"info","@message":"Plan: 1 to add","type":"change_summary"}\n',
            "`terraform plan -json` event log",
        ),
        (json.dumps({"version": 4, "serial": 3, "lineage": "x", "resources": []}).encode(), "terraform.tfstate"),
        (json.dumps({"format_version": 1.2, "resource_changes": []}).encode(), "`format_version` is 1.2"),
        (json.dumps({"plan": _plan()}).encode(), "wraps a plan under the key 'plan'"),
        (json.dumps({"data": {"type": "plans", "id": "plan-1", "attributes": {}}}).encode(), "Terraform Cloud"),
    ],
)
def test_terraform_artefacts_that_are_not_plans(payload: bytes, expected: str, tmp_path: Path) -> None:
    code, report, _ = check("-", stdin=payload)
    assert code == 2 and expected in messages(report)[0], messages(report)
    path = tmp_path / "plan.json"
    path.write_bytes(payload)
    code, report, _ = check(str(path))
    assert code == 2 and expected in messages(report)[0], messages(report)


def test_state_from_terraform_show_is_scanned_as_posture() -> None:
    state = {"format_version": "1.0", "terraform_version": "1.9.0", "values": {"root_module": {"resources": []}}}
    code, report, _ = check("-", stdin=json.dumps(state).encode())
    assert code == 0 and report["summary"]["terraform_plans"] == 1 and report["errors"] == []


# --- Fuzz: whatever the bytes, the loader answers with documents and named problems ------------


@settings(
    max_examples=int(os.environ.get("MLFENCE_EXAMPLES", "200")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(str.encode),
        st.lists(
            st.sampled_from(
                [
                    "a:",
                    " - ",
                    "&x ",
                    "*x",
                    "<<: ",
                    "{",
                    "}",
                    "[",
                    "]",
                    "---\n",
                    "\n",
                    "!!binary ",
                    "!!int ",
                    "y",
                    "2024-01-01",
                    "'",
                    '"',
                    ": ",
                    "? ",
                    "|\n",
                    "\ufeff",
                    "\t",
                    "#",
                    "~",
                ]
            ),
            max_size=40,
        ).map(lambda p: "".join(p).encode()),
    )
)
@example(b"a: &a [*a]\n")
@example(b"\xff\xfe{\x00}\x00")
def test_loader_never_raises(payload: bytes) -> None:
    loaded = documents.Loaded()
    reader = documents._Reader(loaded, [], [], allow_empty=False)
    reader.text("fuzz", payload, None)
    assert all(p.path == "fuzz" and p.message for p in loaded.problems)
    json.dumps([d.content for d in loaded.documents])  # every document is JSON, as OPA needs
    assert loaded.documents or loaded.problems  # never nothing said
