"""`mlfence check` of one small file, as a pre-commit hook runs it on every commit.

    python bench/small_file.py [--reps 10] [--file examples/kubernetes/ml-serving.yaml] --out OUT.json

Each run is `mlfence check -q --format json FILE`, one child process reaped with os.wait4 (wall,
CPU of the process tree: Python and its OPA process, peak RSS), with the 1-minute load average
after it. One unmeasured run first fills the user cache (rule defaults) and writes Python's
bytecode, as any installed mlfence has after its first run. Medians are the headline; the
minimum is the figure least disturbed by neighbours on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realworld import summary, timed

ROOT = Path(__file__).resolve().parents[1]
MLFENCE = ROOT / ".venv" / "bin" / "mlfence"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--file", default="examples/kubernetes/ml-serving.yaml")
    parser.add_argument("--out", type=Path, required=True)
    opts = parser.parse_args()
    cmd = [str(MLFENCE), "check", "-q", "--format", "json", opts.file]
    subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False)  # warm: cache and bytecode
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="mlfence-small-") as tmp:
        for _ in range(opts.reps):
            runs.append(timed(cmd, Path(tmp) / "report.json"))
    loads = [r["load_average"][0] for r in runs]
    result = {
        "file": opts.file,
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip(),
        "reps": opts.reps,
        "wall_s": summary([r["wall_s"] for r in runs]),
        "cpu_s": summary([r["cpu_s"] for r in runs]),
        "peak_rss_mib": statistics.median(r["peak_rss_mib"] for r in runs),
        "exits": sorted({r["exit"] for r in runs}),
        "load_1min_range": [min(loads), max(loads)],
        "runs": runs,
    }
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("wall_s", "cpu_s", "load_1min_range")}))


if __name__ == "__main__":
    main()
