"""Every real plan of ../shared/realworld (the 8 of realworld/terraform and the 370 of
terraform-fixtures, from 13 tools' public fixtures): no evaluation error, no unexplained skip,
and the findings equal the reviewed snapshot (tests/snapshots/realworld-terraform.tsv).
A behaviour change shows here as a diff: review it, then run `tests/realworld_plans.py --update`."""

from __future__ import annotations

import difflib
from typing import Any

import pytest

import realworld_plans as rw

pytestmark = pytest.mark.skipif(not rw.SHARED.is_dir(), reason="the shared real-world corpus is not mounted")


@pytest.fixture(scope="module")
def answers() -> list[dict[str, Any]]:
    return rw.scan()


def test_every_file_is_scanned(answers: list[dict[str, Any]]) -> None:
    assert len(answers) == len(rw.plan_files()) >= 378


def test_no_unexplained_skip(answers: list[dict[str, Any]]) -> None:
    skipped = {a["path"] for a in answers if a["input_kind"] != "terraform_plan"}
    assert skipped == set(rw.NOT_PLANS), (
        f"not judged as plans but not explained: {sorted(skipped - set(rw.NOT_PLANS))}; "
        f"explained but judged: {sorted(set(rw.NOT_PLANS) - skipped)}"
    )


def test_findings_match_the_reviewed_snapshot(answers: list[dict[str, Any]]) -> None:
    expected = rw.SNAPSHOT.read_text().splitlines()
    actual = rw.render(rw.rows(answers)).splitlines()
    diff = list(difflib.unified_diff(expected, actual, "snapshot", "now", lineterm="", n=0))
    assert not diff, "findings on real plans changed; review, then update the snapshot:\n" + "\n".join(diff[:200])
