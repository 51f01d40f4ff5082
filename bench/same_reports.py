"""Byte-identical reports before and after a performance change.

    python bench/same_reports.py save DIR      # one `mlfence check --format json` per corpus
    python bench/same_reports.py compare DIR   # the same runs again; exit 1 on any difference

A speed-up must not change a single finding, so every performance commit is checked by saving
the reports of the commit before it and comparing the reports after it. Each corpus is run from
the repository root with the same arguments; stdout (the JSON report), the exit code and the
stderr are kept. Corpora absent on this machine (the shared real-world inputs, the bench corpus
before `bench/corpus.py` has written it) are skipped and named as skipped, never silently.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MLFENCE = ROOT / ".venv" / "bin" / "mlfence"
REALWORLD = Path("/work/shared/realworld")

# name -> extra arguments and input paths (relative to the repository root or absolute).
CORPORA: dict[str, list[str]] = {
    "examples": ["examples"],
    "examples-jobs1": ["--jobs", "1", "examples"],
    "kubeflow": [str(REALWORLD / "kubernetes" / "kubeflow-manifests")],
    "terraform-fixtures": [str(REALWORLD / "terraform-fixtures" / "main"), str(REALWORLD / "terraform")],
    "terraform-fixtures-edge": [str(REALWORLD / "terraform-fixtures" / "edge")],
    "bench-corpus": ["bench/work/corpus/files"],
    "bench-corpus-jobs3": ["--jobs", "3", "bench/work/corpus/files"],
    "scale-10k": ["bench/work/scale/10000"],
    "small-file": ["examples/kubernetes/ml-training.yaml"],
    "stdin-plan": ["-"],
}
STDIN_INPUT = "examples/terraform/ml-platform.plan.json"


def _inputs(args: list[str]) -> list[str]:
    return [a for a in args if not a.startswith("--") and not a.isdigit() and a != "-"]


def run(name: str, args: list[str]) -> dict[str, object] | None:
    if any(not (ROOT / p).exists() for p in _inputs(args)):
        return None
    stdin = (ROOT / STDIN_INPUT).read_bytes() if "-" in args else None
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(MLFENCE), "check", "--format", "json", *args], cwd=ROOT, input=stdin, capture_output=True, check=False
    )
    return {
        "exit": proc.returncode,
        "stdout": proc.stdout.decode(),
        "stderr": proc.stderr.decode(),
        "wall_s": round(time.perf_counter() - t0, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["save", "compare"])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--only", nargs="*", default=None, help="corpus names (default: all)")
    opts = parser.parse_args()
    names = opts.only or list(CORPORA)
    opts.dir.mkdir(parents=True, exist_ok=True)
    different = 0
    for name in names:
        got = run(name, CORPORA[name])
        if got is None:
            print(f"{name}: skipped (input absent)")
            continue
        digest = hashlib.sha256(str(got["stdout"]).encode()).hexdigest()[:12]
        saved = opts.dir / f"{name}.json"
        if opts.mode == "save":
            saved.write_text(json.dumps(got))
            print(f"{name}: saved exit {got['exit']} report {digest} ({got['wall_s']} s)")
            continue
        if not saved.exists():
            print(f"{name}: no saved report in {opts.dir}")
            different += 1
            continue
        before = json.loads(saved.read_text())
        same = all(before[k] == got[k] for k in ("exit", "stdout", "stderr"))
        different += not same
        print(
            f"{name}: {'identical' if same else 'DIFFERENT'} exit {got['exit']} report {digest} "
            f"({before['wall_s']} s -> {got['wall_s']} s)"
        )
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
