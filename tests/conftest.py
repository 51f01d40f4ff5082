"""Shared fixtures: the pinned binaries and a clean snapshot of the policy tree."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

from mlfence import toolchain

ROOT = toolchain.project_root()

# pytest-xdist workers run with COLUMNS=80 and LINES=24 in their environment; the table report
# sizes itself from the terminal, so the same test would see other line breaks with and without
# -n. Every test sees the width a CI log (no terminal) gets.
for _variable in ("COLUMNS", "LINES"):
    os.environ.pop(_variable, None)
MLFENCE = str(ROOT / ".venv" / "bin" / "mlfence")
# A NetworkPolicy that opens HTTPS egress to the whole internet (MLF-K8S-001): the CLI and report
# tests' standard failing input.
OPEN_EGRESS = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open-egress, namespace: ml-serving}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{protocol: TCP, port: 443}]}]
"""

# Hypothesis profiles. CI must not go red or green by chance, so with CI set the examples are
# derandomised (the same inputs on every run, no example database) and modest in number; a local
# run explores new random inputs each time, `full` many more. A failing input hypothesis finds
# becomes an explicit @example in the test, so CI keeps checking it. Loaded here, before the test
# modules build their settings objects (an explicit @settings inherits the loaded profile).
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True, suppress_health_check=_SLOW_OK
)
settings.register_profile("dev", deadline=None, print_blob=True, suppress_health_check=_SLOW_OK)
settings.register_profile("full", deadline=None, print_blob=True, suppress_health_check=_SLOW_OK)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(HYPOTHESIS_PROFILE)


def examples(ci: int, dev: int, full: int) -> int:
    """The example budget of a property test under the loaded profile: each example of the
    engine properties starts real processes, so budgets are per test, not one global number."""
    return {"ci": ci, "dev": dev, "full": full}[HYPOTHESIS_PROFILE]


# PyYAML's libyaml-backed safe loader where it is built (the pure-Python one otherwise): the same
# objects from large streams (a rendered chart, a built tree) several times faster.
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

GO_TOOLS = frozenset({"opa", "conftest", "gator", "regal", "helm", "kustomize", "netpol-analyzer"})
GO_TEST_ENV = {"GOGC": "off", "GOMEMLIMIT": "1GiB"}


def tool(name: str) -> str:
    return str(toolchain.binary(name))


def strict_eval(query: str, input_doc: Any, bundle: Path | None = None, *data: Path) -> dict[str, Any]:
    """The bindings of a query evaluated with strict builtin errors (any error is exit 2, which
    fails the test with the input that caused it) on the built bundle or on data paths."""
    sources = ["--bundle", str(bundle)] if bundle else [arg for path in data for arg in ("-d", str(path))]
    if not bundle:
        sources += ["--ignore", "*_test.rego"]
    proc = run(
        [tool("opa"), "eval", "--format", "json", "--strict-builtin-errors", "--stdin-input", *sources, query],
        input_text=json.dumps(input_doc),
        env={"GOGC": "off"},  # one compile, then exit: no garbage collection spends less CPU
    )
    assert proc.returncode == 0, f"error on {json.dumps(input_doc)[:3000]}:\n{(proc.stderr or proc.stdout)[-3000:]}"
    result = json.loads(proc.stdout)["result"][0]
    return result.get("bindings") or {"value": result["expressions"][0]["value"]}


@pytest.fixture(scope="session")
def gatekeeper_capabilities(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Capabilities of the OPA embedded in the pinned gator: Gatekeeper's engine is the oldest."""
    version = toolchain.dependency_version("gator", "github.com/open-policy-agent/opa")
    assert version, "cannot read the OPA version inside gator (go version -m)"
    path = tmp_path_factory.mktemp("caps") / f"opa-{version}.json"
    proc = subprocess.run(
        [tool("opa"), "capabilities", "--version", version], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    path.write_text(proc.stdout)
    return path


def run(
    args: list[str],
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    input_text: str | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    # The Go tools the tests start directly compile and exit: collecting garbage the exit makes
    # moot is wasted CPU, so the collector waits until the heap nears GOMEMLIMIT (gator verify of
    # the engines' suite: 29.5 s user with GOGC=400, 22.3 s with this, peak RSS 265 -> 625 MB;
    # the machine has 24 GB for two workers). A GOGC or GOMEMLIMIT in the environment or given
    # by the test wins; mlfence itself is left to choose its own for the OPA it runs.
    go_default = GO_TEST_ENV if Path(args[0]).name in GO_TOOLS else {}
    tuned = {"GOGC", "GOMEMLIMIT"} & (set(os.environ) | set(env or {}))
    merged = {**({} if tuned else go_default), **os.environ, **(env or {})}
    return subprocess.run(
        args, cwd=cwd, env=merged, input=input_text, capture_output=True, text=True, check=False, timeout=timeout
    )


# Variables that move the project, its tools or its cache: the answers mlfence caches in-process
# (the rule catalog, the rule defaults) are keyed as if they never changed, so a run that sets
# one of them must be a real process (run([MLFENCE, ...])).
_RELOCATING = ("MLFENCE_HOME", "MLFENCE_TOOLS_BIN", "MLFENCE_OPA", "MLFENCE_CACHE_DIR")


def cli_in_process(
    *args: str,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    input_text: str | bytes | None = None,
) -> subprocess.CompletedProcess[str]:
    """`mlfence ARGS` run inside the test process, as the console script runs it: the same entry
    point (mlfence.cli:run, with its one-line errors), arguments, working folder, environment,
    stdin, stdout, stderr and exit code; only the interpreter start-up (~0.4 s CPU) and the rule
    catalog (two OPA runs and every rule's examples, ~2 s CPU, cached after the first run) are
    not paid again on every call. For tests of what a command does; the tests of the installed
    console script itself keep real processes (run([MLFENCE, ...]))."""
    import contextlib
    import sys

    from typer.testing import CliRunner

    from mlfence import cli

    moved = sorted(set(env or {}) & set(_RELOCATING))
    assert not moved, f"{moved} change what mlfence caches in-process: run a real process"
    code: int = 0
    with contextlib.chdir(cwd), CliRunner().isolation(input=input_text, env=env) as (out, err, _mixed):
        argv, sys.argv = sys.argv, ["mlfence", *args]
        try:
            cli.run()
        except SystemExit as exc:
            if isinstance(exc.code, str):  # what the interpreter does with SystemExit("message")
                sys.stderr.write(exc.code + "\n")
                code = 1
            else:
                code = exc.code or 0
        finally:
            sys.argv = argv
            sys.stdout.flush()
            sys.stderr.flush()
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    return subprocess.CompletedProcess(["mlfence", *args], code, stdout, stderr)


def opa_eval(query: str, input_doc: object, *data_paths: str | Path, bundle: Path | None = None) -> object:
    """Evaluate a query with the real OPA; returns the value (or raises on errors). Rego tests
    under the data paths are left out (as strict_eval and policy_value leave them): the queries
    read the policy, and the tests were nearly half of what each process compiled."""
    args = [tool("opa"), "eval", "--format", "json", "--strict-builtin-errors", "--stdin-input"]
    if bundle is not None:
        args += ["--bundle", str(bundle)]
    for path in data_paths:
        args += ["-d", str(path)]
    if data_paths:
        args += ["--ignore", "*_test.rego"]
    proc = run([*args, query], input_text=json.dumps(input_doc))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout).get("result")
    return result[0]["expressions"][0]["value"] if result else None


def policy_value(name: str) -> Any:
    """data.mlfence.<name> from the project's policy alone (no data, tests excluded)."""
    proc = run(
        [
            tool("opa"),
            "eval",
            "-f",
            "json",
            "-d",
            str(ROOT / "policy"),
            "--ignore",
            "*_test.rego",
            f"data.mlfence.{name}",
        ]
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]


@pytest.fixture(scope="module")
def shared_opa_answers() -> Iterator[None]:
    """For a module whose tests ask OPA the same question and differ in what mlfence does with the
    answer (report format, gate, filters, --from/--to): each distinct `opa eval` runs once in the
    module (tests/opa_answers.py). Modules ask for it with
    `pytestmark = pytest.mark.usefixtures("shared_opa_answers")`."""
    from opa_answers import share_opa_answers

    with share_opa_answers():
        yield


@pytest.fixture(scope="session")
def built_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The OPA bundle `mlfence build` ships, built once per session."""
    from mlfence import bundle

    return bundle.build(tmp_path_factory.mktemp("bundle") / "bundle.tar.gz").path


@pytest.fixture(scope="session")
def shipped_conftest_policy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """conftest's policy folder as `mlfence build` ships it (dist/conftest/policy: the rules
    without their Rego tests, which are nearly half of what `-p policy` makes a conftest process
    parse and compile). For tests of what conftest makes of an input; the repository's own folder
    is what tests/test_conftest_docs.py and test_conftest_namespaces.py run, and
    tests/test_engines.py checks that both judge alike."""
    from mlfence import bundle

    return bundle.conftest_tree(tmp_path_factory.mktemp("conftest-tree") / "conftest") / "policy"


@pytest.fixture(scope="session")
def gatekeeper_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated ConstraintTemplates and Constraints (shipped parameters), written once."""
    from mlfence import gatekeeper, parameters

    out = tmp_path_factory.mktemp("gatekeeper")
    for artifact in gatekeeper.artifacts(parameters.gatekeeper(ROOT / "data")):
        if artifact.path.startswith(("templates/", "constraints/")):
            target = out / artifact.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(gatekeeper.dump(artifact.document))
    return out


# Files whose tests take the most time run first, longest first, as measured in a whole parallel
# run (tests/ time per file, junit XML of `make test`, Dec 2026: the engines fixture runs conftest
# and gator over every case; the others start many CLI, OPA, gator, kustomize or pip processes).
# Under pytest-xdist (`make test`: -n <cores + 1> --dist loadfile) a worker takes the next file when its
# own is nearly done, so a long file handed out last would leave the other worker idle at the end.
LONG_FIRST = (
    "tests/test_engines.py",
    "tests/test_robustness.py",
    "tests/test_realworld_kubeflow.py",
    "tests/test_gates.py",
    "tests/test_wheel.py",
    "tests/test_integrations.py",
    "tests/test_inputs_yaml.py",
    "tests/test_bundle.py",
    "tests/test_gatekeeper.py",
    "tests/test_inputs.py",
    "tests/test_reports.py",
    "tests/test_cli.py",
    "tests/test_reach.py",
    "tests/test_helmchart.py",
    "tests/test_sidecar.py",
    "tests/test_conftest_namespaces.py",
    "tests/test_evasion_props.py",
    "tests/test_settings.py",
    "tests/test_conftest_docs.py",
    "tests/test_reach_diff.py",
    "tests/sync/test_sync_runs.py",
    "tests/test_errors.py",
    "tests/test_rego_plugin.py",
    "tests/sync/test_sync_refusals.py",
    "tests/test_catalog_cache.py",
)


def pytest_configure(config: pytest.Config) -> None:
    """pytest-xdist's --dist loadfile hands files out by number of tests (most first) unless told
    not to, which put the long files with few tests (pre-commit, Kubeflow, the wheel, the gates)
    last: keep the order of pytest_collection_modifyitems (LONG_FIRST) instead."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONG_FIRST.index(path) if path in LONG_FIRST else len(LONG_FIRST)

    items.sort(key=rank)  # stable: the order within a file and among the others is kept


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run that collected no test fails (exit 1) instead of pytest's exit 5: a broken collection
    or a filter that matches nothing must never pass for a run of the suite."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("mlfence: no test was collected; failing the run (exit 1, not 5)", red=True)
