"""The reviewed Kubeflow snapshot: ../shared/realworld/kubernetes/kubeflow-manifests scanned as a
user has it (`mlfence check` renders its kustomizations), with the settings in
tests/snapshots/kubeflow-manifests.mlfence.yaml. tests/snapshots/kubeflow-manifests.tsv holds one
row per finding and a reviewer's verdict (keep / noise) with a one-phrase reason.

`python tests/realworld_kubeflow.py --update` rescans and rewrites the finding columns; rows whose
finding is unchanged keep their verdict, new rows get `?` and must be reviewed by hand (the test
refuses `?`). The precision in docs/realworld-precision.md is kept / total of the snapshot.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path("/work/shared/realworld") if Path("/work/shared/realworld").is_dir() else ROOT.parent / "shared/realworld"
TREE = SHARED / "kubernetes" / "kubeflow-manifests"
SNAPSHOT = ROOT / "tests" / "snapshots" / "kubeflow-manifests.tsv"
SETTINGS = ROOT / "tests" / "snapshots" / "kubeflow-manifests.mlfence.yaml"
HEADER = ("rule", "status", "resource", "file", "kustomization", "verdict", "reason")
KEY = 5  # the finding columns; verdict and reason are the review


def _relative(path: str) -> str:
    prefix = str(TREE) + "/"
    return path[len(prefix) :] if path.startswith(prefix) else path


def scan(cli: Callable[..., subprocess.CompletedProcess[str]] | None = None) -> list[tuple[str, ...]]:
    """The finding columns of every finding, sorted (duplicates kept: one per kustomize build).
    `cli` runs `mlfence ARGS` (the test runs it in-process); by default a real process."""
    args = ("check", "-q", "--format", "json", "--config", str(SETTINGS), str(TREE))
    if cli is not None:
        proc = cli(*args)
    else:
        mlfence = str(Path(sys.executable).parent / "mlfence")
        proc = subprocess.run([mlfence, *args], capture_output=True, text=True, check=False, cwd=ROOT)
    if not proc.stdout.strip():
        raise RuntimeError(f"mlfence check gave no report (exit {proc.returncode}): {proc.stderr[-2000:]}")
    report = json.loads(proc.stdout)
    return sorted(
        (f["rule_id"], f["status"], f["resource"], _relative(f["file"]), _relative(f.get("kustomization") or ""))
        for f in report["findings"]
    )


def read() -> list[tuple[str, ...]]:
    lines = SNAPSHOT.read_text().splitlines()
    assert tuple(lines[0].split("\t")) == HEADER, "unexpected snapshot header"
    return [tuple(line.split("\t")) for line in lines[1:] if line]


def precision(rows: list[tuple[str, ...]]) -> tuple[int, int]:
    verdicts = Counter(row[KEY] for row in rows)
    return verdicts["keep"], len(rows)


def write(rows: list[tuple[str, ...]]) -> None:
    text = "\t".join(HEADER) + "\n" + "".join("\t".join(row) + "\n" for row in rows)
    tmp = SNAPSHOT.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(SNAPSHOT)


def update() -> None:
    reviewed: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    if SNAPSHOT.is_file():
        for row in read():
            reviewed.setdefault(row[:KEY], []).append(row[KEY:])
    rows = []
    for finding in scan():
        review = reviewed.get(finding, [])
        rows.append((*finding, *(review.pop(0) if review else ("?", "?"))))
    write(rows)


if __name__ == "__main__":
    if sys.argv[1:] == ["--update"]:
        update()
        kept, total = precision(read())
        print(f"{total} findings, {kept} kept ({kept / total:.1%}); review the rows marked ?")
    else:
        print(__doc__)
