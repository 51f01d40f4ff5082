"""Gatekeeper benchmark: `gator bench --engine rego` on the generated ConstraintTemplates and
Constraints (what `mlfence build` writes to DIR/gatekeeper, built here with the same
mlfence.gatekeeper.artifacts and the same parameters, from the given data folder) against the
Kubernetes example objects (every kind, cases without per-case parameters).

    python bench/gator_bench.py --data DATA_DIR --work DIR --iterations 1000 --out gator.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from mlfence import fixtures, gatekeeper, parameters  # noqa: E402

GATOR = ROOT / ".tools" / "bin" / "gator"


def write_inputs(data: Path, work: Path, limit: int | None = None) -> dict[str, Any]:
    params = parameters.gatekeeper(data)
    artifacts = gatekeeper.artifacts(params)
    for artifact in artifacts:
        if artifact.path.startswith(("templates/", "constraints/")):
            path = work / "gatekeeper" / artifact.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(gatekeeper.dump(artifact.document))
    objects = [c.document for c in fixtures.cases() if c.target == "kubernetes" and not c.parameters]
    if limit:
        objects = objects[:limit]
    resources = work / "gatekeeper" / "resources" / "objects.yaml"
    resources.parent.mkdir(parents=True, exist_ok=True)
    resources.write_text(yaml.safe_dump_all(objects, sort_keys=False))
    constraint_bytes = max(
        len(gatekeeper.dump(a.document).encode()) for a in artifacts if a.path.startswith("constraints/")
    )
    return {
        "templates": sum(1 for a in artifacts if a.path.startswith("templates/")),
        "objects": len(objects),
        "largest_constraint_bytes": constraint_bytes,
    }


def run(data: Path, work: Path, iterations: int, concurrency: int = 1, limit: int | None = None) -> dict[str, Any]:
    info = write_inputs(data, work, limit)
    base = work / "gatekeeper"
    cmd = [
        str(GATOR),
        "bench",
        "--engine",
        "rego",
        "--iterations",
        str(iterations),
        "--warmup",
        "10",
        "--concurrency",
        str(concurrency),
        "--output",
        "json",
        "-f",
        str(base / "templates"),
        "-f",
        str(base / "constraints"),
        "-f",
        str(base / "resources"),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"gator bench failed ({proc.returncode}): {proc.stderr[-2000:]} {proc.stdout[-500:]}")
    raw = json.loads(proc.stdout)
    return {
        **info,
        "command": " ".join(["gator", *cmd[1:]]).replace(str(base), "GATEKEEPER_DIR"),
        "iterations": iterations,
        "concurrency": concurrency,
        "raw": raw,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    result = run(args.data, args.work, args.iterations, args.concurrency, args.limit)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
