"""The OPA server a large `mlfence check` starts before reading its inputs (mlfence.scan_server,
scan.started_early): the same answers as `opa eval`, `opa eval` whenever the server cannot
answer, and no OPA process left behind, even when mlfence itself is killed."""

from __future__ import annotations

import codecs
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, cli_in_process
from mlfence import documents, policy_subset, scan, scan_server, settings, toolchain

EXAMPLES = ROOT / "examples"
OVERRIDES = {"mlfence": {"overrides": {"all_resources": True}}}


# `scan.evaluate` by `opa eval` of the same documents and data is the reference of several tests:
# each distinct `opa eval` runs once (opa_answers); _evals still counts every one mlfence starts,
# and the server's answers are never shared.
pytestmark = [
    pytest.mark.skipif(not scan_server.available(), reason="servers are started on Linux only"),
    pytest.mark.usefixtures("shared_opa_answers"),
]


def _evals(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The `opa eval` processes started from now on."""
    calls: list[tuple[str, ...]] = []
    real = toolchain.run

    def counting(*args: str, **kwargs: Any) -> toolchain.Completed:
        if args[1:2] == ("eval",):
            calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(toolchain, "run", counting)
    return calls


@pytest.fixture(scope="module")
def loaded() -> documents.Loaded:
    found = documents.load([str(EXAMPLES)], rendering=documents.Rendering(kustomize=False))
    assert found.documents and any(
        isinstance(d.content, dict) and "format_version" in d.content for d in found.documents
    )
    return found


def _server_for(docs: list[documents.Document], data: Path, extra: dict[str, Any] | None) -> scan_server.ScanServer:
    policy = toolchain.policy_dir()
    return scan_server.ScanServer(scan.policy_paths(policy, docs, data), data, extra, toolchain.compile_gc_env())


@pytest.mark.parametrize("extra", [None, OVERRIDES], ids=["plain", "all-resources"])
def test_server_answers_every_shard_as_opa_eval_does(
    loaded: documents.Loaded, extra: dict[str, Any] | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = settings.load(None, [str(EXAMPLES)], None, None, known_rules=None)
    data = config.stage_data(tmp_path / "data")
    policy = toolchain.policy_dir()
    evals = _evals(monkeypatch)
    by_eval = scan.evaluate(loaded.documents, policy, data, extra_data=extra, jobs=3)
    assert len(evals) == 3
    evals.clear()
    with _server_for(loaded.documents, data, extra) as server:
        served = scan.evaluate(loaded.documents, policy, data, extra_data=extra, jobs=3, server=server)
    assert evals == [], "the server left shards to opa eval"
    assert served == by_eval
    assert served.findings and served.kinds["terraform_plan"] and served.kinds["kubernetes_object"]


def test_plans_on_a_server_are_split_over_the_cpus_with_the_same_answers(
    loaded: documents.Loaded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plans share nothing across documents: on a server (one compile for all shards) even a
    few dozen are split, one shard per CPU, where `opa eval` processes would take one."""
    plan = next(d for d in loaded.documents if isinstance(d.content, dict) and "format_version" in d.content)
    plans = [replace(plan, path=f"plan{i}.json", index=i) for i in range(2 * scan.PLANS_PER_JOB_ON_A_SERVER)]
    config = settings.load(None, [str(EXAMPLES)], None, None, known_rules=None)
    data = config.stage_data(tmp_path / "data")
    policy = toolchain.policy_dir()
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    evals = _evals(monkeypatch)
    by_eval = scan.evaluate(plans, policy, data)
    assert len(evals) == 1
    evals.clear()
    asked: list[str] = []
    with _server_for(plans, data, None) as server:
        answer = server.answer
        monkeypatch.setattr(server, "answer", lambda text, timeout: asked.append(text) or answer(text, timeout))
        served = scan.evaluate(plans, policy, data, server=server)
    assert evals == [] and len(asked) == 2
    assert served == by_eval and served.findings


def test_a_server_that_cannot_answer_leaves_the_shards_to_opa_eval(
    loaded: documents.Loaded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = settings.load(None, [str(EXAMPLES)], None, None, known_rules=None)
    data = config.stage_data(tmp_path / "data")
    policy = toolchain.policy_dir()
    by_eval = scan.evaluate(loaded.documents, policy, data, jobs=2)
    evals = _evals(monkeypatch)
    with _server_for(loaded.documents, data, None) as server:
        assert server._process is not None
        server._process.kill()  # a server that died (or never started)
        server._process.wait()
        assert scan.evaluate(loaded.documents, policy, data, jobs=2, server=server) == by_eval
    assert len(evals) == 2


def test_a_server_without_every_needed_module_or_with_other_data_is_not_used(
    loaded: documents.Loaded, tmp_path: Path
) -> None:
    config = settings.load(None, [str(EXAMPLES)], None, None, known_rules=None)
    data = config.stage_data(tmp_path / "data")
    policy = toolchain.policy_dir()
    needed = scan.policy_paths(policy, loaded.documents, data)
    with scan_server.ScanServer(needed[1:], data, None, None) as server:
        assert not server.covers(needed, data, None)
        assert server.covers(needed[1:], data, None)
        assert not server.covers(needed[1:], data, OVERRIDES)
        assert not server.covers(needed[1:], tmp_path, None)


def test_only_large_inputs_start_early_on_the_modules_their_files_may_need(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy, data = toolchain.policy_dir(), toolchain.data_dir()
    assert scan.started_early([str(EXAMPLES)], [], policy, data, None) is None  # small
    monkeypatch.setattr(scan, "EARLY_START_BYTES", 1)
    started = []
    monkeypatch.setattr(scan_server, "ScanServer", lambda modules, *rest: started.append(set(modules)))
    plans = tmp_path / "plans"
    plans.mkdir()
    plan_text = (EXAMPLES / "terraform" / "ml-platform.plan.json").read_text()
    (plans / "a.json").write_text(plan_text)
    # As Windows PowerShell writes `terraform show -json > plan.json`: still a plan, not objects.
    (plans / "b.json").write_bytes(codecs.BOM_UTF16_LE + plan_text.encode("utf-16-le"))
    scan.started_early([str(EXAMPLES / "kubernetes")], [], policy, data, None)
    scan.started_early([str(EXAMPLES)], [], policy, data, None)
    scan.started_early([str(plans)], [], policy, data, None)
    kubernetes_only, both, plans_only = started
    assert kubernetes_only == set(policy_subset.needed(policy, {"kubernetes"}, None))
    assert both == set(policy_subset.needed(policy, {"kubernetes", "terraform"}, None))
    assert plans_only == set(policy_subset.needed(policy, {"terraform"}, None))
    assert scan.started_early(["-"], [], policy, data, None) is None  # standard input: not sized
    monkeypatch.setenv(scan.SERVER_VARIABLE, "off")
    assert scan.started_early([str(EXAMPLES)], [], policy, data, None) is None
    assert len(started) == 3


def test_check_reports_the_same_with_and_without_the_early_server(monkeypatch: pytest.MonkeyPatch) -> None:
    args = ("check", "--format", "json", "--all-resources", "--jobs", "2", "examples")
    monkeypatch.setenv(scan.SERVER_VARIABLE, "off")
    without = cli_in_process(*args)
    monkeypatch.delenv(scan.SERVER_VARIABLE)
    monkeypatch.setattr(scan, "EARLY_START_BYTES", 1)
    evals = _evals(monkeypatch)
    served = cli_in_process(*args)
    assert evals == [], "the early server did not answer"
    assert (served.returncode, served.stdout, served.stderr) == (without.returncode, without.stdout, without.stderr)
    assert json.loads(served.stdout)["summary"]["findings"] > 0


KILLED_PARENT = """
import os, signal, sys
from pathlib import Path
from mlfence import scan_server, toolchain
server = scan_server.ScanServer([], toolchain.data_dir(), None, None)
assert server.wait_ready()
print(server._process.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_the_server_dies_with_a_killed_mlfence() -> None:
    proc = subprocess.run([sys.executable, "-c", KILLED_PARENT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    pid = int(proc.stdout.strip())
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid), "the OPA server outlived the mlfence that started it"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead (waiting for init to reap it).
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


def test_many_documents_go_to_opa_eval_and_free_the_server(
    loaded: documents.Loaded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond SERVER_DOCUMENTS one server would hold every shard's garbage at once: the shards go
    to their own `opa eval` processes and the server is stopped."""
    config = settings.load(None, [str(EXAMPLES)], None, None, known_rules=None)
    data = config.stage_data(tmp_path / "data")
    policy = toolchain.policy_dir()
    by_eval = scan.evaluate(loaded.documents, policy, data, jobs=2)
    monkeypatch.setattr(scan, "SERVER_DOCUMENTS", len(loaded.documents) - 1)
    evals = _evals(monkeypatch)
    with _server_for(loaded.documents, data, None) as server:
        process = server._process
        assert process is not None
        assert scan.evaluate(loaded.documents, policy, data, jobs=2, server=server) == by_eval
        assert process.poll() is not None, "the unused server still runs"
    assert len(evals) == 2
