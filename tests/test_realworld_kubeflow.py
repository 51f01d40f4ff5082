"""The Kubeflow manifests as users have them: the current scan equals the reviewed snapshot
(tests/snapshots/kubeflow-manifests.tsv), every finding carries a verdict and a reason, and the
precision stated in docs/realworld-precision.md is the snapshot's. A behaviour change shows as a
diff: review it, then run `python tests/realworld_kubeflow.py --update` and review the new rows."""

from __future__ import annotations

import difflib
import re

import pytest

import realworld_kubeflow as kf

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not kf.TREE.is_dir(), reason="the shared real-world corpus is not mounted"),
]


def test_scan_matches_the_reviewed_snapshot() -> None:
    expected = ["\t".join(row[: kf.KEY]) for row in kf.read()]
    actual = ["\t".join(row) for row in kf.scan()]
    diff = list(difflib.unified_diff(expected, actual, "snapshot", "now", lineterm="", n=0))
    assert not diff, "Kubeflow findings changed; review, then update the snapshot:\n" + "\n".join(diff[:200])


def test_every_finding_is_reviewed_and_the_stated_precision_is_the_snapshots() -> None:
    rows = kf.read()
    assert rows
    unreviewed = [row for row in rows if row[kf.KEY] not in {"keep", "noise"} or not row[kf.KEY + 1].strip()]
    assert not unreviewed, f"rows without a verdict and reason: {unreviewed[:5]}"
    kept, total = kf.precision(rows)
    page = (kf.ROOT / "docs" / "realworld-precision.md").read_text()
    stated = re.search(r"(\d+) of (\d+) findings kept", page)
    assert stated and (int(stated.group(1)), int(stated.group(2))) == (kept, total), (kept, total)
