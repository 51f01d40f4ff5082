"""Severities and statuses: one Python definition (mlfence.levels), the same values everywhere."""

from __future__ import annotations

import json

from conftest import ROOT, opa_eval
from mlfence import catalog, cli, levels


def test_severities_agree_with_the_settings_schema_the_rules_and_the_cli() -> None:
    schema = json.loads((ROOT / "data" / "schemas" / "settings" / "schema.json").read_text())
    overrides = schema["properties"]["rules"]["properties"]["severity"]["additionalProperties"]["enum"]
    assert set(overrides) == set(levels.SEVERITIES)
    assert {r.severity for r in catalog.load()} <= set(levels.SEVERITIES)
    assert [s.value for s in cli.Severity] == list(reversed(levels.SEVERITIES))  # --severity, least first


def test_every_status_the_rego_side_makes_is_a_known_status() -> None:
    """result.rego's finding builders and the exemption path: fail, warn, unknown, exempted."""
    chain = [
        {"annotations": {"title": "t", "custom": {"id": "MLF-K8S-900", "severity": "low", "recommended_action": "r"}}}
    ]
    made = opa_eval(
        '[f.details.status | some f in [data.lib.mlfence.result.failure(input, "r", "m"), '
        'data.lib.mlfence.result.warning(input, "r", "m"), '
        'data.lib.mlfence.result.unknown(input, "r", "m")]]',
        chain,
        ROOT / "policy" / "lib",
    )
    assert isinstance(made, list) and len(made) == 3, made
    assert set(made) | {levels.EXEMPTED} == set(levels.STATUSES)
