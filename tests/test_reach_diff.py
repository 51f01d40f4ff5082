"""`mlfence reach --diff BASE HEAD`: flows added, removed and changed between two revisions of the
seeds' example platform, from two folders and from two git revisions, as Markdown and JSON."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import MLFENCE, ROOT, cli_in_process, run

PLATFORM = ROOT / "examples" / "reach" / "platform.yaml"
# The change under review: the registry's ingress opened to every namespace on its port.
OPEN_REGISTRY = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "NetworkPolicy",
    "metadata": {"name": "allow-all-internal", "namespace": "model-registry"},
    "spec": {
        "podSelector": {},
        "policyTypes": ["Ingress"],
        "ingress": [{"from": [{"namespaceSelector": {}}], "ports": [{"port": 5000}]}],
    },
}
REGISTRY = "model-registry/Deployment/model-registry"


# The tests diff the same two revisions in several formats and directions: each distinct `opa eval`
# (a reach model, a check) runs once (opa_answers).
pytestmark = pytest.mark.usefixtures("shared_opa_answers")


def _revisions(root: Path) -> tuple[Path, Path]:
    base, head = root / "base", root / "head"
    for folder in (base, head):
        folder.mkdir(parents=True)
        shutil.copyfile(PLATFORM, folder / "platform.yaml")
    (head / "open.yaml").write_text(yaml.safe_dump(OPEN_REGISTRY))
    return base, head


def _diff(*args: str, cwd: Path, real_process: bool = False) -> subprocess.CompletedProcess[str]:
    """`mlfence reach --diff` in-process (conftest.cli_in_process), or as the console script."""
    if real_process:
        return run([MLFENCE, "reach", "--diff", *args], cwd=cwd)
    return cli_in_process("reach", "--diff", *args, cwd=cwd)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("diff")
    _revisions(root)
    return root


def test_json_lists_the_flow_the_change_opens(folders: Path) -> None:
    proc = _diff("base", "head", "--format", "json", cwd=folders)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    added = {(e["source"], e["target"], e["ports"]) for e in found["added"]}
    # CoreDNS's egress is not isolated: the new policy lets it reach the registry.
    assert ("kube-system/Deployment/coredns", REGISTRY, "TCP 5000") in added
    assert found["removed"] == []
    changed = {(c["source"], c["target"]): c for c in found["changed"]}
    ci = changed[("ci/Deployment/ci-runner", REGISTRY)]
    assert ci["before"]["ports"] == ci["after"]["ports"] == "TCP 5000"
    assert "model-registry/allow-all-internal rule 0" in ci["after"]["by"]
    assert "model-registry/allow-all-internal rule 0" not in ci["before"]["by"]


def test_markdown_for_a_pull_request_comment(folders: Path) -> None:
    proc = _diff("base", "head", "--to", "model-registry", cwd=folders, real_process=True)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.startswith("### mlfence reach: flows from `base` to `head`")
    # Both unisolated workloads (CoreDNS and the ingress gateway) can reach the registry now.
    assert "**2 added, 0 removed, 1 changed**" in text
    assert f"| `kube-system/Deployment/coredns` | `{REGISTRY}` | TCP 5000 |" in text
    assert f"| `istio-system/Deployment/istio-ingressgateway` | `{REGISTRY}` | TCP 5000 |" in text
    assert "#### Removed" not in text


def test_reverse_direction_removes_it_and_no_change_says_so(folders: Path) -> None:
    proc = _diff("head", "base", "--format", "json", "--to", "model-registry", cwd=folders)
    assert proc.returncode == 0, proc.stderr
    assert [(e["source"], e["target"]) for e in json.loads(proc.stdout)["removed"]] == [
        ("istio-system/Deployment/istio-ingressgateway", REGISTRY),
        ("kube-system/Deployment/coredns", REGISTRY),
    ]
    same = _diff("base", "base", cwd=folders)
    assert same.returncode == 0 and "No flow added, removed or changed." in same.stdout


def test_two_git_revisions(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "k8s").mkdir(parents=True)
    shutil.copyfile(PLATFORM, repo / "k8s" / "platform.yaml")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "base"]):
        assert run([*git, *args], cwd=repo).returncode == 0
    (repo / "k8s" / "open.yaml").write_text(yaml.safe_dump(OPEN_REGISTRY))
    (repo / "README").write_text("outside the scanned folder\n")
    for args in (["add", "."], ["commit", "-qm", "open the registry"]):
        assert run([*git, *args], cwd=repo).returncode == 0
    proc = _diff("HEAD~1", "HEAD", "k8s", "--format", "json", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert (found["base"], found["head"]) == ("HEAD~1", "HEAD")
    assert ("kube-system/Deployment/coredns", REGISTRY) in {(e["source"], e["target"]) for e in found["added"]}
    # From a subfolder the paths are relative to it, as git and the shell read them.
    sub = _diff("HEAD~1", "HEAD", ".", "--format", "json", cwd=repo / "k8s")
    assert sub.returncode == 0, sub.stderr
    assert json.loads(sub.stdout)["added"] == found["added"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["base", "no-such-revision"], "'no-such-revision' is neither a path nor a git revision"),
        (["base", "head", "--format", "dot"], "--diff writes markdown or json"),
        (["base", "head", "extra"], "base is a path: give two paths, or two git revisions"),
    ],
)
def test_bad_diff_input_is_one_line_and_exit_2(folders: Path, args: list[str], words: str) -> None:
    proc = _diff(*args, cwd=folders)
    assert proc.returncode == 2, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], proc.stderr


# --- `mlfence check --diff-base REV`: the same section in check's reports --------------------------


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository whose last commit holds the platform and its declared flows; the working tree
    adds the policy that opens the registry (not committed, as in a pull request being written)."""
    root = tmp_path_factory.mktemp("check-diff") / "repo"
    (root / "k8s").mkdir(parents=True)
    shutil.copyfile(PLATFORM, root / "k8s" / "platform.yaml")
    shutil.copyfile(PLATFORM.parent / ".mlfence.yaml", root / ".mlfence.yaml")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "base"]):
        assert run([*git, *args], cwd=root).returncode == 0
    (root / "k8s" / "open.yaml").write_text(yaml.safe_dump(OPEN_REGISTRY))
    return root


@functools.cache
def _check(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`mlfence check --diff-base HEAD` on the repository, once per exact command: two tests read
    the JSON report (a check and its two reach models are ~1.5 s CPU), and nothing the tests do
    to the repository changes what k8s/ holds or its last commit."""
    return cli_in_process("check", "k8s", "--rule", "MLF-K8S-060", "--diff-base", "HEAD", *args, cwd=cwd)


def test_check_json_carries_the_flow_diff(repo: Path) -> None:
    proc = _check("--format", "json", cwd=repo)
    assert proc.returncode == 1, proc.stderr  # the findings decide the exit code, not the diff
    report = json.loads(proc.stdout)
    diff = report["reach_diff"]
    assert (diff["base"], diff["head"]) == ("HEAD", "working tree")
    added = {(e["source"], e["target"]): e for e in diff["added"]}
    coredns = added[("kube-system/Deployment/coredns", REGISTRY)]
    assert coredns["ports"] == "TCP 5000" and coredns["by"] == [
        "egress not isolated",
        "model-registry/allow-all-internal rule 0",
    ]
    # the settings declare the flows: CoreDNS is no component that may reach the registry
    assert coredns["undeclared"] == "TCP 5000"
    assert diff["removed"] == []
    # the same flow is a MLF-K8S-060 finding on the policy that opens it
    assert any(
        "kube-system/coredns (no component) can reach model-registry/model-registry" in f["message"]
        for f in report["findings"]
    )
    # without --diff-base the report has no such key
    plain = cli_in_process("check", "k8s", "--rule", "MLF-K8S-060", "--format", "json", cwd=repo)
    assert "reach_diff" not in json.loads(plain.stdout)


def test_check_table_and_github_end_with_the_markdown(repo: Path) -> None:
    table = _check(cwd=repo)
    assert table.returncode == 1, table.stderr
    report, _, section = table.stdout.partition("### mlfence reach: flows from `HEAD` to `working tree`")
    assert "MLF-K8S-060" in report and section, table.stdout
    assert f"| `kube-system/Deployment/coredns` | `{REGISTRY}` 🔴 not declared: TCP 5000 | TCP 5000 |" in section
    assert "not allowed by the declared flows, marked 🔴" in section
    github = _check("--format", "github", cwd=repo)
    annotations, _, markdown = github.stdout.partition("### mlfence reach:")
    assert annotations.startswith("::error ") and "| `istio-system/Deployment/istio-ingressgateway` |" in markdown
    # the job summary the GitHub action writes from the JSON report has the section too
    from mlfence import integrations

    summary = integrations.summary(json.loads(_check("--format", "json", cwd=repo).stdout))
    assert summary.startswith("## mlfence") and "#### Added" in summary


def test_check_diff_base_errors_are_one_line(repo: Path) -> None:
    proc = cli_in_process("check", "k8s", "--diff-base", "no-such-rev", cwd=repo)
    assert proc.returncode == 2, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert lines == ["mlfence: --diff-base: 'no-such-rev' is neither a path nor a git revision"], proc.stderr
    # a path as the base: the manifests of the base side
    base = repo / "base"
    base.mkdir(exist_ok=True)
    shutil.copyfile(PLATFORM, base / "platform.yaml")
    folder = cli_in_process("check", "k8s", "--rule", "MLF-K8S-060", "--diff-base", "base", "-f", "json", cwd=repo)
    diff = json.loads(folder.stdout)["reach_diff"]
    assert diff["base"] == "base" and ("kube-system/Deployment/coredns", REGISTRY) in {
        (e["source"], e["target"]) for e in diff["added"]
    }


def test_reach_diff_marks_added_undeclared_flows_with_settings(tmp_path: Path) -> None:
    """With the declared flows in the settings (found from the current folder), `reach --diff`
    marks an added flow they do not allow, as `check --diff-base` does; without them it does not."""
    _revisions(tmp_path)
    plain = _diff("base", "head", "--format", "json", "--to", "model-registry", cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert [e["undeclared"] for e in json.loads(plain.stdout)["added"]] == ["", ""]
    shutil.copyfile(PLATFORM.parent / ".mlfence.yaml", tmp_path / ".mlfence.yaml")
    declared = _diff("base", "head", "--format", "json", "--to", "model-registry", cwd=tmp_path)
    added = {e["source"]: e["undeclared"] for e in json.loads(declared.stdout)["added"]}
    assert added == {
        "istio-system/Deployment/istio-ingressgateway": "TCP 5000",
        "kube-system/Deployment/coredns": "TCP 5000",
    }
    text = _diff("base", "head", "--to", "model-registry", cwd=tmp_path).stdout
    assert "(2 not allowed by the declared flows, marked 🔴)" in text
