"""The rule catalog is read once per policy version: later runs take it from the user cache
(mlfence.cache), and any change to a Rego source makes them read it again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from mlfence import catalog, toolchain


def _fresh_load(policy: Path) -> tuple[catalog.Rule, ...]:
    catalog.load.cache_clear()  # the per-process memo; the user cache is what is tested
    try:
        return catalog.load(policy)
    finally:
        catalog.load.cache_clear()


def _count_opa_runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    calls: list[tuple[str, ...]] = []
    real = toolchain.run

    def counting(*args: str, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(toolchain, "run", counting)
    return calls


def test_second_read_comes_from_the_cache_and_equals_the_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFENCE_CACHE_DIR", str(tmp_path / "cache"))
    calls = _count_opa_runs(monkeypatch)
    first = _fresh_load(ROOT / "policy")
    assert [c[:2] for c in calls] == [("opa", "inspect"), ("opa", "eval")]
    assert list((tmp_path / "cache").glob("catalog-*.json"))
    calls.clear()
    second = _fresh_load(ROOT / "policy")
    assert calls == [], "the cached catalog ran OPA again"
    assert second == first
    assert [r.examples for r in second] == [r.examples for r in first]
    assert [r.kinds for r in second] == [r.kinds for r in first] and any(r.kinds for r in first)


def test_an_edited_rule_misses_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFENCE_CACHE_DIR", str(tmp_path / "cache"))
    policy = tmp_path / "policy"
    # The rules without their Rego tests: the catalog reads no test (its key leaves them out), but
    # `opa inspect` of the folder would parse them, twice here, for nothing this test asserts on.
    shutil.copytree(ROOT / "policy", policy, ignore=shutil.ignore_patterns("*_test.rego"))
    before = {r.rule_id: r.title for r in _fresh_load(policy)}
    source = catalog.by_id("MLF-K8S-001", policy).source
    catalog.load.cache_clear()
    text = source.read_text()
    old_title = before["MLF-K8S-001"]
    assert f"# title: {old_title}" in text
    source.write_text(text.replace(f"# title: {old_title}", "# title: Edited title"))
    after = {r.rule_id: r.title for r in _fresh_load(policy)}
    assert after["MLF-K8S-001"] == "Edited title"
    assert len(list((tmp_path / "cache").glob("catalog-*.json"))) == 2


def test_cache_off_still_reads_the_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFENCE_CACHE_DIR", "off")
    calls = _count_opa_runs(monkeypatch)
    rules = _fresh_load(ROOT / "policy")
    assert len(rules) >= 90 and ("opa", "inspect") in [c[:2] for c in calls]


def test_parse_trees_are_cached_until_the_file_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """rego_source keeps OPA's parse tree of each policy file in the user cache (a build or a
    fixtures run parses ~90 files): the same bytes are not parsed again, an edited file is, and
    a file that does not parse is an error every time (never cached)."""
    from mlfence import rego_source

    monkeypatch.setenv("MLFENCE_CACHE_DIR", str(tmp_path / "cache"))
    module = tmp_path / "m.rego"
    module.write_text("package m\n\nx := 1\n")
    calls = _count_opa_runs(monkeypatch)
    first = rego_source._opa_parse(module)
    assert [c[:2] for c in calls] == [("opa", "parse")]
    calls.clear()
    assert rego_source._opa_parse(module) == first
    assert calls == [], "an unchanged file was parsed again"
    # The same bytes at another path (a moved checkout, a second environment of one release):
    # the tree's locations are read for rows and text only, so it is not parsed again.
    elsewhere = tmp_path / "copy" / "m.rego"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(module.read_bytes())
    assert rego_source._opa_parse(elsewhere) == first
    assert calls == [], "the same bytes at another path were parsed again"
    module.write_text("package m\n\nx := 2\n")
    edited = rego_source._opa_parse(module)
    assert [c[:2] for c in calls] == [("opa", "parse")] and edited != first
    module.write_text("package m\n\nx := \n")
    for _ in range(2):
        with pytest.raises(rego_source.LinkError, match="opa parse failed"):
            rego_source._opa_parse(module)
