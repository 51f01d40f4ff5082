"""`pip install mlfence` outside the repository (issue 14 §1): the wheel the project builds, in a
fresh virtual environment in a temporary folder, with no clone and no .tools/ on PATH, runs
check, rules, explain, version, build and sync for real, with the OPA engine it carries."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, cli_in_process, tool
from mlfence import toolchain
from sync import synth
from sync.server import feed_server

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Installed:
    venv: Path
    work: Path  # a user's repository: a copy of examples/, no mlfence clone around it
    env: dict[str, str]

    def mlfence(
        self, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(self.venv / "bin" / "mlfence"), *args],
            cwd=cwd or self.work,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
        return proc


def _clean_env(path: str) -> dict[str, str]:
    """The environment of a user who never cloned mlfence: no MLFENCE_* variables, no .tools."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if k
        in (
            "HOME",
            "LANG",
            "LC_ALL",
            "TMPDIR",
            "PIP_INDEX_URL",
            "PIP_CACHE_DIR",
            "HTTPS_PROXY",
            "HTTP_PROXY",
            "NO_PROXY",
        )
    }
    return {**keep, "PATH": path, "COLUMNS": "200"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build-wheel.sh"), "--out", str(base / "dist")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHON": sys.executable},
        timeout=900,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    wheel = Path(build.stdout.strip().splitlines()[-1])
    assert wheel.name.endswith("-py3-none-manylinux_2_17_x86_64.whl"), wheel.name
    venv = base / "v"
    # A fresh environment without a pip of its own: the test's pip installs into it (--python,
    # pip >= 22.3), as `pip install` would from inside it. Bootstrapping a pip into the new
    # environment (ensurepip) cost ~4 s CPU that the installed mlfence never uses. --no-compile:
    # pip byte-compiles every module of every package it installs (~1000 files, ~2.5 s CPU) while
    # the tests import a fraction of them; Python compiles what is imported on first use (and
    # writes those .pyc files, as the test environment does not forbid it). What is installed,
    # and from where, is the same.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    pip = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "-q",
            "--no-compile",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert pip.returncode == 0, pip.stderr[-3000:]
    work = base / "work"
    shutil.copytree(ROOT / "examples", work / "examples")
    # Helm charts need helm, as with conftest: a folder holding only helm stands for the user's own.
    helm_only = base / "helm-only"
    helm_only.mkdir()
    (helm_only / "helm").symlink_to(tool("helm"))
    yield Installed(venv, work, _clean_env(f"{venv / 'bin'}:{helm_only}:/usr/bin:/bin"))


def _findings(report: dict) -> list[tuple[str, str, str, str]]:
    return sorted((f["rule_id"], f["resource"], f["status"], f["file"]) for f in report["findings"])


def test_check_gives_the_developer_setup_findings(installed: Installed) -> None:
    proc = installed.mlfence("check", "-q", "--format", "json", "examples")
    assert proc.returncode == 1, proc.stderr
    wheel_report = json.loads(proc.stdout)
    # The developer setup's answer, in-process (conftest.cli_in_process): the installed console
    # script is the one under test here.
    dev = cli_in_process("check", "-q", "--format", "json", "examples", cwd=installed.work)
    dev_report = json.loads(dev.stdout)
    assert wheel_report["errors"] == [] and dev_report["errors"] == []
    assert _findings(wheel_report) == _findings(dev_report)
    assert wheel_report["summary"]["findings"] >= 30


def test_rules_explain_and_version(installed: Installed) -> None:
    rules = installed.mlfence("rules", "--format", "json")
    assert rules.returncode == 0, rules.stderr
    assert len(json.loads(rules.stdout)) >= 70
    explain = installed.mlfence("explain", "MLF-K8S-001")
    assert explain.returncode == 0 and "MLF-K8S-001" in explain.stdout and "```yaml" in explain.stdout
    for args in (["--version"], ["version"]):
        proc = installed.mlfence(*args)
        assert proc.returncode == 0, proc.stderr
        pin = toolchain.pins()["opa"]
        assert "mlfence 0.1.0" in proc.stdout and f"opa {pin} (pinned {pin}) from the mlfence wheel" in proc.stdout
        assert "data aws: syncToken" in proc.stdout and "resources (package)" in proc.stdout
    info = json.loads(installed.mlfence("version", "--json").stdout)
    assert info["opa"]["source"] == "the mlfence wheel" and info["catalog"]["rules"] >= 70
    # typer names the shell from the parent processes unless told not to (its own test switch):
    # under some process trees that finds none and the command fails, whatever the product does.
    completion = installed.mlfence(
        "--show-completion", "bash", env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    )
    assert completion.returncode == 0 and "complete" in completion.stdout


def test_engine_override_and_wrong_engine(installed: Installed, tmp_path: Path) -> None:
    ok = installed.mlfence("version", env={"MLFENCE_OPA": tool("opa")})
    assert ok.returncode == 0 and "from MLFENCE_OPA" in ok.stdout
    fake = tmp_path / "opa"
    fake.write_text("#!/bin/sh\necho 'Version: 0.70.0'\n")
    fake.chmod(0o755)
    for value, words in (
        (str(fake), f"is v0.70.0, mlfence needs OPA {toolchain.pins()['opa']}"),
        (str(tmp_path / "missing"), "is not an executable file"),
    ):
        proc = installed.mlfence("check", "examples/kubernetes", env={"MLFENCE_OPA": value})
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], proc.stderr


def test_build_writes_bundle_gatekeeper_and_conftest_tree(installed: Installed) -> None:
    proc = installed.mlfence("build", "--out", "dist")
    assert proc.returncode == 0, proc.stderr
    dist = installed.work / "dist"
    assert (dist / "bundle.tar.gz").is_file()
    assert (dist / "gatekeeper" / "templates" / "kustomization.yaml").is_file()
    assert (dist / "gatekeeper" / "constraints" / "kustomization.yaml").is_file()
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ml"},
        "spec": {"hostNetwork": True, "containers": [{"name": "c", "image": "i"}]},
    }
    opa = installed.venv / "lib"
    engine = next(opa.rglob("mlfence/_bin/opa"))
    decision = subprocess.run(
        [
            str(engine),
            "eval",
            "--format",
            "json",
            "--bundle",
            str(dist / "bundle.tar.gz"),
            "--stdin-input",
            "data.mlfence.decision",
        ],
        input=json.dumps(pod),
        capture_output=True,
        text=True,
        check=True,
    )
    value = json.loads(decision.stdout)["result"][0]["expressions"][0]["value"]
    assert value["allowed"] is False
    conftest = subprocess.run(
        [
            tool("conftest"),
            "test",
            "-p",
            str(dist / "conftest" / "policy"),
            "-d",
            str(dist / "conftest" / "data"),
            "examples/kubernetes/ml-training.yaml",
        ],
        cwd=installed.work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert conftest.returncode == 1 and "MLF-K8S-033" in conftest.stdout, conftest.stdout + conftest.stderr


def test_sync_against_a_loopback_feed_server_feeds_check(installed: Installed, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".mlfence.yaml").write_text(yaml.safe_dump(yaml.safe_load(synth.CONFIG)))
    with feed_server() as server:
        feeds = synth.Feeds(server).publish_defaults()
        proc = installed.mlfence("sync", "--timeout", "5", "--retries", "0", "--backoff", "0", *feeds.args(), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    synced = repo / ".mlfence" / "data" / "mlfence" / "rangedata"
    approved = json.loads((synced / "approved" / "data.json").read_text())
    assert "aws" in json.dumps(approved) and "azure" in json.dumps(approved)
    # Without a settings file an installed mlfence never writes into its own package.
    bare = tmp_path / "bare"
    bare.mkdir()
    refused = installed.mlfence("sync", "--feed", "aws=http://127.0.0.1:9/x", cwd=bare)
    assert refused.returncode == 2 and "--out" in refused.stderr
    # check and build read the data synced beside the settings file.
    built = installed.mlfence("build", "--out", str(tmp_path / "dist"), cwd=repo)
    assert built.returncode == 0, built.stderr
    with tarfile.open(tmp_path / "dist" / "bundle.tar.gz") as archive:
        member = archive.extractfile("/.manifest") or archive.extractfile(".manifest")
        assert member is not None
        manifest = json.loads(member.read())
    provenance = manifest["metadata"]["data_provenance"]["mlfence/rangedata"]["provenance"]
    assert provenance["aws"]["version"] == 100  # the synthetic feed's syncToken, not the shipped one
