"""Where the CPU of one `mlfence check` goes, phase by phase (CPU seconds, user+sys).

    python bench/phases.py [--jobs N] [--reps 3] PATH...

Phases, each measured on its own: Python start-up and imports (a child `python -c "import
mlfence.cli"`), settings, reading the inputs (documents.load: YAML/JSON decoding), serialising
the OPA inputs (scan.prepare_shards: by namespace when it may), then each OPA process as `mlfence
check` runs it, one after the other (`opa eval` of data.mlfence.scan on its shard, reaped with
os.wait4) with OPA's own --metrics timers (wall milliseconds inside the process: load/parse,
compile, evaluation), plus one `opa eval` of an empty input (the fixed cost of parsing and
compiling the policy and data). Finally the whole `mlfence check -q --format json` for the
total; what the phases do not cover is locating, baseline and report. The machine's load
average is recorded with each figure: CPU seconds move much less with neighbours than wall
seconds, but not nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = ROOT / ".venv" / "bin" / "python"
MLFENCE = ROOT / ".venv" / "bin" / "mlfence"


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def reaped(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(CPU seconds of the process tree, peak RSS MiB, stdout); `env` added to the environment."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT, env={**os.environ, **env} if env else None
        )
        _, _, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read().decode()


def once(paths: list[str], jobs: int | None) -> dict[str, Any]:
    from mlfence import documents, scan, settings, toolchain

    phases: dict[str, Any] = {}
    phases["python_imports_s"] = reaped([str(PY), "-c", "import mlfence.cli"])[0]
    t = cpu()
    config = settings.load(None, paths, None, None, known_rules=None)
    phases["settings_s"] = cpu() - t
    t = cpu()
    loaded = documents.load(paths)
    phases["read_inputs_s"] = cpu() - t
    workers = scan.job_count(len(loaded.documents), jobs)
    opa = str(toolchain.binary("opa"))
    with tempfile.TemporaryDirectory(prefix="mlfence-phases-") as tmp:
        data = config.stage_data(Path(tmp) / "data")
        t = cpu()
        inputs, _ = scan.prepare_shards(loaded.documents, toolchain.policy_dir(), data, workers, config.namespace_for)
        phases["serialise_inputs_s"] = cpu() - t
        base = [
            opa,
            "eval",
            "--format",
            "json",
            "--metrics",
            *(a for p in scan.policy_paths(toolchain.policy_dir(), loaded.documents, data) for a in ("-d", str(p))),
            "-d",
            str(data),
            "--ignore",
            "*_test.rego",
        ]
        empty = Path(tmp) / "empty.json"
        empty.write_text('{"documents": []}')
        # Each OPA process with the Go collector settings `mlfence check` gives it (scan.go_gc_env).
        phases["opa_fixed_cost_s"] = reaped(
            [*base, "--input", str(empty), "data.mlfence.scan"], scan.go_gc_env(len(empty.read_text()))
        )[0]
        processes = []
        for k, text in enumerate(inputs):
            path = Path(tmp) / f"input{k}.json"
            path.write_text(text)
            used, rss, out = reaped([*base, "--input", str(path), "data.mlfence.scan"], scan.go_gc_env(len(text)))
            timers = {
                k.removeprefix("timer_rego_").removesuffix("_ns"): round(v / 1e6)
                for k, v in json.loads(out).get("metrics", {}).items()
                if k.startswith("timer_rego")
            }
            processes.append(
                {
                    "cpu_s": round(used, 2),
                    "peak_rss_mib": round(rss),
                    "input_mib": round(len(text) / 2**20, 1),
                    "timers_ms": timers,
                }
            )
    phases["opa_processes"] = processes
    phases["opa_total_s"] = sum(p["cpu_s"] for p in processes)
    total, rss, _ = reaped(
        [str(MLFENCE), "check", "-q", "--format", "json", *(["--jobs", str(jobs)] if jobs else []), *paths]
    )
    phases["mlfence_check_total_s"] = total
    phases["mlfence_check_peak_rss_mib"] = round(rss)
    covered = sum(
        v for k, v in phases.items() if k.endswith("_s") and k not in ("mlfence_check_total_s", "opa_fixed_cost_s")
    )
    phases["locate_report_rest_s"] = total - covered
    phases["documents"] = len(loaded.documents)
    phases["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in phases.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--reps", type=int, default=3)
    opts = parser.parse_args()
    runs = [once(opts.paths, opts.jobs) for _ in range(opts.reps)]
    median = {k: statistics.median(r[k] for r in runs) for k, v in runs[0].items() if isinstance(v, int | float)}
    print(json.dumps({"paths": opts.paths, "jobs": opts.jobs, "median": median, "runs": runs}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
