"""Rule METADATA is checked by our own Regal rule (.regal/rules/mlfence/rule_metadata.rego), which
`regal lint policy` (the lint gate in test_gates.py, `make lint`) loads from .regal/rules: a rule
with bad metadata fails the lint, not just the catalog at build time."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import ROOT, run, tool

_GOOD = """# METADATA
# title: Example rule
# description: Why it matters.
# custom:
#   id: {id}
#   long_id: tf-aws-example
#   severity: {severity}
#   target: {target}
#   kinds: [aws_db_instance]
#   recommended_action: Fix it.
package mlfence.terraform.aws.{slug}

import data.lib.mlfence.result

violation contains result.failure(rego.metadata.chain(), "x", "y") if input.never
"""


def _lint(tmp_path: Path, rules: dict[str, str]) -> list[dict[str, object]]:
    """`regal lint` of a project holding only the given rule files and this repo's .regal."""
    shutil.copytree(ROOT / ".regal", tmp_path / ".regal")
    shutil.copytree(ROOT / "policy" / "lib", tmp_path / "policy" / "lib")
    for slug, text in rules.items():
        folder = tmp_path / "policy" / "mlfence" / "terraform" / "aws" / slug
        folder.mkdir(parents=True)
        (folder / f"{slug}.rego").write_text(text)
    # Only our rule runs (the test reads only its violations): Regal's ~100 built-in rules over
    # policy/lib were most of its CPU (this file: ~6 s -> ~2.4 s).
    command = ["lint", "--disable-all", "--enable", "rule-metadata", "--format", "json", "policy"]
    proc = run([tool("regal"), *command], cwd=tmp_path)
    report = json.loads(proc.stdout or "{}")
    return [v for v in report.get("violations", []) if v["title"] == "rule-metadata"]


def test_custom_regal_rule_passes_its_own_tests() -> None:
    proc = run([tool("regal"), "test", ".regal/rules"], cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_bad_metadata_is_reported_and_good_metadata_is_not(tmp_path: Path) -> None:
    violations = _lint(
        tmp_path,
        {
            "good": _GOOD.format(id="MLF-TF-901", severity="high", target="terraform", slug="good"),
            "bad": _GOOD.format(id="MLF-TF-901", severity="urgent", target="kubernetes", slug="bad"),
        },
    )
    found = {(Path(str(v["location"]["file"])).name, v["description"]) for v in violations}  # type: ignore[index]
    assert found == {
        (
            "bad.rego",
            'custom.target "kubernetes" does not match the rule\'s folder policy/mlfence/terraform ("terraform")',
        ),
        ("bad.rego", 'custom.severity "urgent" is not one of low, medium, high, critical'),
        # The first holder (by file) keeps the ID; every other one is reported.
        ("good.rego", "custom.id MLF-TF-901 is also used by policy/mlfence/terraform/aws/bad/bad.rego"),
    }
