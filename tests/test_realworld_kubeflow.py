"""The Kubeflow manifests as users have them: the current scan equals the reviewed snapshot
(tests/snapshots/kubeflow-manifests.tsv), every finding carries a verdict and a reason, and the
precision stated in docs/realworld-precision.md is the snapshot's. A behaviour change shows as a
diff: review it, then run `python tests/realworld_kubeflow.py --update` and review the new rows.

`mlfence reach` of the same tree is here too (it was in test_reach.py): both commands run in this
process and the tree is rendered by kustomize, and each rendered text parsed, once for the module,
not once per command."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

import realworld_kubeflow as kf
from conftest import cli_in_process
from mlfence import documents, kustomize

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not kf.TREE.is_dir(), reason="the shared real-world corpus is not mounted"),
]


@pytest.fixture(scope="module", autouse=True)
def render_once() -> Iterator[None]:
    """kustomize's rendering of a set of kustomization folders, kept for the module: the tree is
    read-only shared input, and rendering it (about 160 `kustomize build` processes) is most of
    each command's time. The documents parsed from each text are kept too (parse_text is a pure
    function of its arguments and its Documents are frozen): the second command would parse the
    same 3.5 MB of rendered YAML again (~3 s CPU)."""
    rendered: dict[tuple[Path, ...], kustomize.Tree] = {}
    parsed: dict[tuple[str, str, bool, str], tuple[list[documents.Document], list[documents.InputProblem]]] = {}
    real_render, real_parse = kustomize.render_tree, documents.parse_text

    def render(found: Iterable[Path]) -> kustomize.Tree:
        folders = tuple(found)
        if folders not in rendered:
            rendered[folders] = real_render(folders)
        return rendered[folders]

    def parse(
        text: str, path: str, json_first: bool, template: str = ""
    ) -> tuple[list[documents.Document], list[documents.InputProblem]]:
        key = (text, path, json_first, template)
        if key not in parsed:
            parsed[key] = real_parse(text, path, json_first, template)
        docs, problems = parsed[key]
        return list(docs), list(problems)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kustomize, "render_tree", render)
        patch.setattr(documents, "parse_text", parse)
        yield


def test_scan_matches_the_reviewed_snapshot() -> None:
    expected = ["\t".join(row[: kf.KEY]) for row in kf.read()]
    actual = ["\t".join(row) for row in kf.scan(cli_in_process)]
    diff = list(difflib.unified_diff(expected, actual, "snapshot", "now", lineterm="", n=0))
    assert not diff, "Kubeflow findings changed; review, then update the snapshot:\n" + "\n".join(diff[:200])


def test_reach_models_the_tree_without_errors() -> None:
    """Kubeflow's kustomize tree, rendered: the model is built with no input error and holds the
    platform's own workloads (the central dashboard and the pipeline services)."""
    proc = cli_in_process("reach", str(kf.TREE), "--format", "json", env={"COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    workloads = json.loads(proc.stdout)["workloads"]
    assert {"kubeflow/Deployment/centraldashboard", "kubeflow/Deployment/ml-pipeline"} <= set(workloads)
    assert len(workloads) >= 50, len(workloads)


def test_every_finding_is_reviewed_and_the_stated_precision_is_the_snapshots() -> None:
    rows = kf.read()
    assert rows
    unreviewed = [row for row in rows if row[kf.KEY] not in {"keep", "noise"} or not row[kf.KEY + 1].strip()]
    assert not unreviewed, f"rows without a verdict and reason: {unreviewed[:5]}"
    kept, total = kf.precision(rows)
    page = (kf.ROOT / "docs" / "realworld-precision.md").read_text()
    stated = re.search(r"(\d+) of (\d+) findings kept", page)
    assert stated and (int(stated.group(1)), int(stated.group(2))) == (kept, total), (kept, total)
