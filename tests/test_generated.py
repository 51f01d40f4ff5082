"""Generated files that are committed must be what the generators produce today: CI
regenerates them and fails on any difference (run `make generate` to refresh)."""

from __future__ import annotations

import filecmp
from pathlib import Path

from conftest import ROOT, run
from mlfence import catalog, docs, rule_index

MLFENCE = str(ROOT / ".venv" / "bin" / "mlfence")


def test_rule_docs_are_current(tmp_path: Path) -> None:
    docs.write(catalog.load(), tmp_path)
    committed = ROOT / "docs" / "rules"
    fresh = sorted(p.name for p in tmp_path.iterdir())
    assert sorted(p.name for p in committed.glob("*.md")) == fresh, "run `make generate`"
    _, mismatch, errors = filecmp.cmpfiles(committed, tmp_path, fresh, shallow=False)
    assert not mismatch and not errors, f"stale rule pages {mismatch + errors}: run `make generate`"


def test_rule_index_is_current() -> None:
    """A stale index would skip a rule for a kind its METADATA now lists (fail open)."""
    committed = (ROOT / rule_index.PATH).read_text()
    assert committed == rule_index.dumps(rule_index.build(catalog.load())), "run `make generate`"


def test_rule_index_covers_every_kubernetes_rule_and_kind() -> None:
    index = rule_index.build(catalog.load())["kubernetes"]
    listed = {(kind, tuple(pair)) for kind, pairs in index["kinds"].items() for pair in pairs}
    for rule in catalog.load():
        if rule.target == "kubernetes":
            pair = (rule.area, rule.slug)
            assert {(kind, pair) for kind in rule.kinds} <= listed, rule.rule_id
            assert rule.kinds or pair in {tuple(p) for p in index["any_kind"]}, rule.rule_id


def test_every_rule_page_has_threat_examples_and_remediation() -> None:
    for rule in catalog.load():
        page = (ROOT / "docs" / "rules" / f"{rule.rule_id}.md").read_text()
        for heading in ("## Threat", "## Remediation", "## Bad", "## Good"):
            assert heading in page, f"{rule.rule_id}: {heading}"
        assert "_No example yet._" not in page, rule.rule_id


def test_platform_rules_cite_their_sources_on_their_pages() -> None:
    """A rule encoding a platform's behaviour names the sources it was read in (issue 17): its
    page shows them, and docs/rules/platform-sources.md lists them under the rule."""
    sources_page = (ROOT / "docs" / "rules" / docs.SOURCES_PAGE).read_text()
    platform_rules = [rule for rule in catalog.load() if rule.platform]
    assert platform_rules
    for rule in platform_rules:
        assert rule.verified_against, rule.rule_id
        page = (ROOT / "docs" / "rules" / f"{rule.rule_id}.md").read_text()
        assert "## Platform behaviour" in page, rule.rule_id
        assert f"## [{rule.rule_id}]({rule.rule_id}.md)" in sources_page, rule.rule_id
        for source in rule.verified_against:
            assert source["repo"] in page and source["version"] in page, (rule.rule_id, source)
            assert source.get("ref") or (source.get("path") and source.get("commit")), (rule.rule_id, source)


def test_example_plan_is_generated_from_its_description(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    proc = run([MLFENCE, "plan", "examples/terraform/ml-platform.yaml", "--out", str(out)])
    assert proc.returncode == 0, proc.stderr
    committed = ROOT / "examples" / "terraform" / "ml-platform.plan.json"
    assert out.read_bytes() == committed.read_bytes(), "run `make generate`"
