"""The pytest plugin reports each Rego test as its own item, and a failing one fails by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import tool

pytest_plugins = ["pytester"]

PASSING = """package demo_test

test_one_is_one if 1 == 1
"""

# The inner pytest runs load the plugins installed beside mlfence's; hypothesis's alone is ~0.8 s
# CPU of each inner process's ~1.1 s start-up, and no inner test uses it.
NO_HYPOTHESIS = ("-p", "no:hypothesispytest")

FAILING = """package demo_test

test_one_is_one if 1 == 1

test_deliberately_broken if {
	x := {"allowed": false}
	x.allowed == true
}
"""


@pytest.fixture
def rego_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("MLFENCE_OPA", tool("opa"))
    pytester.makeini("[pytest]\nrego_root = policy\n")
    pytester.mkdir("policy")
    return pytester


def test_each_rego_test_is_a_pytest_item(rego_project: pytest.Pytester) -> None:
    (rego_project.path / "policy" / "demo_test.rego").write_text(PASSING)
    result = rego_project.runpytest_subprocess(*NO_HYPOTHESIS, "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*demo_test.rego::test_one_is_one PASSED*"])


def test_failing_rego_test_fails_pytest_by_name(rego_project: pytest.Pytester) -> None:
    (rego_project.path / "policy" / "demo_test.rego").write_text(FAILING)
    result = rego_project.runpytest_subprocess(*NO_HYPOTHESIS, "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*demo_test.rego::test_deliberately_broken FAILED*", "*data.demo_test.test_deliberately_broken failed*"]
    )
    assert result.ret == 1


def test_policy_that_does_not_compile_fails(rego_project: pytest.Pytester) -> None:
    (rego_project.path / "policy" / "demo_test.rego").write_text("package demo_test\n\ntest_x if y == 1\n")
    result = rego_project.runpytest_subprocess(*NO_HYPOTHESIS)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*var y is unsafe*"])


def test_xdist_workers_share_one_opa_test_run(
    rego_project: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under `-n 2` both workers collect the Rego items, from one `opa test` run: the real opa,
    behind a wrapper that counts its `test` invocations."""
    calls = tmp_path / "calls"
    wrapper = tmp_path / "opa"
    wrapper.write_text(f'#!/bin/sh\n[ "$1" = test ] && echo x >> "{calls}"\nexec "{tool("opa")}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("MLFENCE_OPA", str(wrapper))
    for number in range(4):  # files for both workers
        (rego_project.path / "policy" / f"demo{number}_test.rego").write_text(
            PASSING.replace("package demo_test", f"package demo{number}_test")
        )
    result = rego_project.runpytest_subprocess(*NO_HYPOTHESIS, "-n", "2")
    result.assert_outcomes(passed=4)
    assert calls.read_text().count("x") == 1, "opa test ran more than once"
