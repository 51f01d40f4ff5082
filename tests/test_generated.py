"""Generated files that are committed must be what the generators produce today: CI
regenerates them and fails on any difference (run `make generate` to refresh)."""

from __future__ import annotations

import filecmp
from pathlib import Path

from conftest import ROOT, run
from mlfence import catalog, docs

MLFENCE = str(ROOT / ".venv" / "bin" / "mlfence")


def test_rule_docs_are_current(tmp_path: Path) -> None:
    docs.write(catalog.load(), tmp_path)
    committed = ROOT / "docs" / "rules"
    fresh = sorted(p.name for p in tmp_path.iterdir())
    assert sorted(p.name for p in committed.glob("*.md")) == fresh, "run `make generate`"
    _, mismatch, errors = filecmp.cmpfiles(committed, tmp_path, fresh, shallow=False)
    assert not mismatch and not errors, f"stale rule pages {mismatch + errors}: run `make generate`"


def test_every_rule_page_has_threat_examples_and_remediation() -> None:
    for rule in catalog.load():
        page = (ROOT / "docs" / "rules" / f"{rule.rule_id}.md").read_text()
        for heading in ("## Threat", "## Remediation", "## Bad", "## Good"):
            assert heading in page, f"{rule.rule_id}: {heading}"
        assert "_No example yet._" not in page, rule.rule_id


def test_example_plan_is_generated_from_its_description(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    proc = run([MLFENCE, "plan", "examples/terraform/ml-platform.yaml", "--out", str(out)])
    assert proc.returncode == 0, proc.stderr
    committed = ROOT / "examples" / "terraform" / "ml-platform.plan.json"
    assert out.read_bytes() == committed.read_bytes(), "run `make generate`"
