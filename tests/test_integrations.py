"""CI integrations, each run for real (issue 14 §5): the pre-commit hooks with the real
`pre-commit try-repo`, the GitHub Action's check script, and the GitLab template's script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import OPEN_EGRESS, ROOT, tool

pytestmark = pytest.mark.slow

VENV_BIN = ROOT / ".venv" / "bin"
# The same policy opening egress to the private 10/8 only: compliant, and never reported.
INTERNAL_EGRESS = OPEN_EGRESS.replace("0.0.0.0/0", "10.0.0.0/8").replace("name: open-egress", "name: internal-egress")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{VENV_BIN}:/usr/bin:/bin",
        "MLFENCE_OPA": tool("opa"),
        "MLFENCE_HELM": tool("helm"),
        **extra,
    }


def _git_repo(path: Path, *, compliant_too: bool = False) -> Path:
    (path / "k8s").mkdir(parents=True)
    (path / "k8s" / "open.yaml").write_text(OPEN_EGRESS)
    if compliant_too:
        (path / "k8s" / "internal.yaml").write_text(INTERNAL_EGRESS)
    (path / "plans").mkdir()
    shutil.copyfile(ROOT / "examples" / "terraform" / "ml-platform.plan.json", path / "plans" / "ml.plan.json")
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "init"],
    ):
        subprocess.run(["git", *args], cwd=path, check=True, capture_output=True)
    return path


def _hook_sections(stdout: str) -> dict[str, str]:
    """pre-commit's output per hook: the text from its `- hook id: <id>` line to the next hook."""
    sections: dict[str, str] = {}
    for part in stdout.split("- hook id: ")[1:]:
        hook, _, text = part.partition("\n")
        sections[hook.strip()] = text
    return sections


def _try_repo(repo: Path, env: dict[str, str], *hooks: str) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo` of this repository: a fresh store each time, so a fresh install of
    mlfence into a new environment (the hooks' cost is that install: run as few as the test needs)."""
    return subprocess.run(
        [str(VENV_BIN / "pre-commit"), "try-repo", str(ROOT), *hooks, "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )


def test_pre_commit_hooks_with_the_real_pre_commit(tmp_path: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"mlfence-manifests", "mlfence-plans", "mlfence-charts"}
    repo = _git_repo(tmp_path / "repo", compliant_too=True)
    # pip byte-compiles every module it installs into the hooks' environment (~1000 files of
    # mlfence's dependencies, ~2.5 s CPU); the hooks import a fraction, which Python compiles on
    # first use. What is installed, and from where, is the same. PIP_COMPILE=0, not
    # PIP_NO_COMPILE=1: pip reads a --no-... variable as the option's own value, so
    # PIP_NO_COMPILE=1 would ask for compiling.
    env = _env(tmp_path, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), PIP_COMPILE="0")
    # Every hook in one run (one install: a try-repo installs mlfence anew, the test's main cost);
    # each hook's own output must name its rule.
    proc = _try_repo(repo, env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout
    sections = _hook_sections(proc.stdout)
    for hook, rule in (("mlfence-manifests", "MLF-K8S-001"), ("mlfence-plans", "MLF-TF-001")):
        assert rule in sections.get(hook, ""), f"{hook} did not report {rule}:\n{proc.stdout}"
    # The repository holds no chart: the charts hook has no files and is skipped, not failed.
    assert "mlfence-charts" not in sections and "(Helm charts)" in proc.stdout, proc.stdout
    # The compliant manifest went through the same hook run (both Kubernetes objects were read)
    # and nothing is reported on it.
    manifests = sections["mlfence-manifests"]
    assert "k8s/open.yaml" in manifests and "(2 Kubernetes objects" in manifests, manifests
    assert "internal-egress" not in manifests and "k8s/internal.yaml" not in manifests, manifests


def test_github_action_check_script(tmp_path: Path) -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = action["runs"]["steps"]
    assert any("ci/github/check.sh" in str(s.get("run", "")) for s in steps)
    repo = _git_repo(tmp_path / "repo")
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    proc = subprocess.run(
        ["bash", str(ROOT / "ci" / "github" / "check.sh")],
        cwd=repo,
        capture_output=True,
        text=True,
        env=_env(
            tmp_path,
            MLFENCE_PATHS="k8s plans",
            MLFENCE_ARGS="--severity-threshold low",
            MLFENCE_SARIF="out.sarif",
            GITHUB_STEP_SUMMARY=str(summary),
            GITHUB_OUTPUT=str(output),
        ),
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "exit-code=1" in output.read_text()
    assert "MLF-K8S-001" in proc.stdout  # the console table in the job log
    text = summary.read_text()
    assert text.startswith("## mlfence") and "| MLF-K8S-001 |" in text and "| MLF-TF-001 |" in text
    sarif = json.loads((repo / "out.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]


def test_gitlab_template_script(tmp_path: Path) -> None:
    template = yaml.safe_load((ROOT / "ci" / "gitlab" / "mlfence.gitlab-ci.yml").read_text())
    job = template["mlfence"]
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    # The install line is what tests/test_wheel.py proves; the rest runs as written, in one shell
    # as GitLab runs a job's script.
    script = "\n".join(line for line in job["script"] if "pip install" not in line)
    repo = _git_repo(tmp_path / "repo")
    variables = {k: v for k, v in job["variables"].items() if k != "MLFENCE_PACKAGE"}
    variables["MLFENCE_PATHS"] = "k8s plans"
    proc = subprocess.run(
        ["bash", "-c", script],
        cwd=repo,
        env=_env(tmp_path, **variables),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    issues = json.loads((repo / "gl-code-quality-report.json").read_text())
    assert {"MLF-K8S-001", "MLF-TF-001"} <= {i["check_name"] for i in issues}
    for issue in issues:
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] and issue["location"]["lines"]["begin"] >= 1
        assert len(issue["fingerprint"]) == 32
    assert len({i["fingerprint"] for i in issues}) == len(issues)
