"""The pytest plugin reports each Rego test as its own item, and a failing one fails by name."""

from __future__ import annotations

import pytest

from conftest import tool

pytest_plugins = ["pytester"]

PASSING = """package demo_test

test_one_is_one if 1 == 1
"""

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
    result = rego_project.runpytest_subprocess("-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*demo_test.rego::test_one_is_one PASSED*"])


def test_failing_rego_test_fails_pytest_by_name(rego_project: pytest.Pytester) -> None:
    (rego_project.path / "policy" / "demo_test.rego").write_text(FAILING)
    result = rego_project.runpytest_subprocess("-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*demo_test.rego::test_deliberately_broken FAILED*",
                                 "*data.demo_test.test_deliberately_broken failed*"])
    assert result.ret == 1


def test_policy_that_does_not_compile_fails(rego_project: pytest.Pytester) -> None:
    (rego_project.path / "policy" / "demo_test.rego").write_text("package demo_test\n\ntest_x if y == 1\n")
    result = rego_project.runpytest_subprocess()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*var y is unsafe*"])
