"""The Go collector settings `mlfence check` gives its OPA processes (scan.go_gc_env)."""

from __future__ import annotations

import pytest

from mlfence import scan


def test_small_inputs_run_without_the_collector_up_to_a_memory_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOGC", raising=False)
    monkeypatch.delenv("GOMEMLIMIT", raising=False)
    assert scan.go_gc_env(1000) == {"GOGC": "off", "GOMEMLIMIT": "1GiB"}
    assert scan.go_gc_env(scan.SMALL_INPUT_BYTES) == {"GOGC": "off", "GOMEMLIMIT": "1GiB"}


def test_medium_inputs_collect_less_often_and_large_ones_keep_go_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOGC", raising=False)
    monkeypatch.delenv("GOMEMLIMIT", raising=False)
    assert scan.go_gc_env(scan.SMALL_INPUT_BYTES + 1) == {"GOGC": "400"}
    assert scan.go_gc_env(scan.MEDIUM_INPUT_BYTES) == {"GOGC": "400"}
    assert scan.go_gc_env(scan.MEDIUM_INPUT_BYTES + 1) is None


@pytest.mark.parametrize("variable", ["GOGC", "GOMEMLIMIT"])
def test_a_users_own_setting_wins(variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOGC", raising=False)
    monkeypatch.delenv("GOMEMLIMIT", raising=False)
    monkeypatch.setenv(variable, "200" if variable == "GOGC" else "4GiB")
    assert scan.go_gc_env(1000) is None
