"""Real-world scan benchmark: `mlfence check` against Checkov on real Terraform plans and the
Kubeflow manifests tree, alternating the two tools so both see the same machine load.

    python bench/realworld.py [--root /work/shared/realworld] [--reps 3]
                              [--checkov bench/.venv-checkov/bin/checkov] --out bench/work/realworld.json

Corpora (read in place, never copied):
  terraform  ROOT/terraform-fixtures/main (real plan JSON from 13 tools' fixtures) + ROOT/terraform
  kubeflow   ROOT/kubernetes/kubeflow-manifests

Each run is one child process reaped with os.wait4, whose rusage covers the child and every
descendant it waited for (mlfence's OPA processes, Checkov's workers): CPU is user+sys of that
tree, peak RSS is ru_maxrss (the largest single process of the tree, not a sum). mlfence exits 1
with findings (success) and 2 when some input had an error: both are recorded, the error count
comes from the JSON summary. Without --checkov only mlfence runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MLFENCE = ROOT / ".venv" / "bin" / "mlfence"
DEFAULT_ROOT = Path("/work/shared/realworld")
CHECKOV_FLAGS = ["--quiet", "--compact", "-o", "json", "--skip-download"]


def corpora(root: Path) -> dict[str, dict[str, Any]]:
    return {
        "terraform": {
            "paths": [root / "terraform-fixtures" / "main", root / "terraform"],
            "framework": "terraform_plan",
        },
        "kubeflow": {"paths": [root / "kubernetes" / "kubeflow-manifests"], "framework": "kubernetes"},
    }


def count_files(paths: list[Path], suffixes: tuple[str, ...]) -> int:
    return sum(1 for p in paths for f in p.rglob("*") if f.is_file() and f.suffix in suffixes)


def timed(cmd: list[str], out: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run cmd (stdout to `out`); wall, CPU (user+sys of the process tree) and peak RSS via wait4."""
    t0 = time.perf_counter()
    with out.open("w") as stdout, (out.with_suffix(".stderr")).open("w") as stderr:
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "user_s": round(usage.ru_utime, 3),
        "sys_s": round(usage.ru_stime, 3),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "exit": proc.returncode,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
        "n": len(values),
    }


def mlfence_cmd(paths: list[Path]) -> list[str]:
    return [str(MLFENCE), "check", "-q", "--format", "json", *map(str, paths)]


def checkov_cmd(checkov: str, paths: list[Path], framework: str) -> list[str]:
    """One Checkov process. Plans go as `-f FILE` each: with several `-d` folders Checkov 3.3.30
    prints one report per folder and the later ones repeat the earlier folders' results (the
    first run measured it: the second report held twice the checks), so its time would be
    inflated; `-f` per plan scans each file once. Manifests: one `-d` (one folder)."""
    if framework == "terraform_plan":
        targets = [arg for p in paths for f in sorted(p.rglob("*.json")) for arg in ("-f", str(f))]
    else:
        targets = [arg for p in paths for arg in ("-d", str(p))]
    return [checkov, *targets, "--framework", framework, *CHECKOV_FLAGS]


def json_documents(text: str) -> list[Any]:
    """Every JSON document in text (Checkov prints one per scanned folder, concatenated)."""
    decoder, i, docs = json.JSONDecoder(), 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return docs
        doc, i = decoder.raw_decode(text, i)
        docs.append(doc)


def mlfence_counts(report: Path) -> dict[str, Any]:
    text = report.read_text()
    if not text.strip():
        return {"error": "empty output"}
    document = json.loads(text)
    s = document["summary"]
    keys = (
        "documents",
        "kubernetes_objects",
        "terraform_plans",
        "skipped_documents",
        "skipped_files",
        "input_errors",
        "findings",
        "fail",
        "warn",
        "unknown",
        "exempted",
    )
    out: dict[str, Any] = {k: s.get(k) for k in keys}
    out["files_with_findings"] = len({f["file"] for f in document["findings"]})
    rules: dict[str, int] = {}
    for f in document["findings"]:
        rules[f["rule_id"]] = rules.get(f["rule_id"], 0) + 1
    out["by_rule"] = dict(sorted(rules.items()))
    fatal = [e for e in document.get("errors") or [] if e.get("fatal")]
    out["input_error_examples"] = [f"{e['file']}: {e['message'][:160]}" for e in fatal[:10]]
    return out


def checkov_counts(report: Path) -> dict[str, Any]:
    text = report.read_text()
    if not text.strip():
        return {"error": "empty output"}
    try:
        documents = json_documents(text)
    except json.JSONDecodeError as exc:
        return {"error": f"not JSON: {exc}"}
    reports = [r for d in documents for r in (d if isinstance(d, list) else [d])]
    out: dict[str, Any] = {
        "reports": len(reports),
        "failed": 0,
        "passed": 0,
        "skipped": 0,
        "parsing_errors": 0,
        "resource_count": 0,
    }
    files: set[str] = set()
    for r in reports:
        s = r.get("summary") or {}
        for key in ("failed", "passed", "skipped", "parsing_errors", "resource_count"):
            out[key] += int(s.get(key) or 0)
        for f in (r.get("results") or {}).get("failed_checks") or []:
            files.add(f.get("file_path", ""))
        for f in (r.get("results") or {}).get("passed_checks") or []:
            files.add(f.get("file_path", ""))
    out["files_with_results"] = len(files)
    return out


def checkov_errors(stderr: str) -> dict[str, Any]:
    """Checks that crashed and files Checkov could not parse, from its log."""
    lines = [ln for ln in stderr.splitlines() if "[ERROR]" in ln]
    crashed = [ln.split("[ERROR]", 1)[1].strip() for ln in lines if "Failed to run check" in ln]
    parse = [ln.split("[ERROR]", 1)[1].strip() for ln in lines if "parsing" in ln.lower()]
    return {
        "error_lines": len(lines),
        "check_crashes": len(crashed),
        "check_crash_examples": crashed[:5],
        "parse_errors": parse[:10],
        "tracebacks": stderr.count("Traceback (most recent call last)"),
    }


def run_corpus(name: str, spec: dict[str, Any], reps: int, checkov: str | None, work: Path) -> dict[str, Any]:
    paths = [p for p in spec["paths"] if p.exists()]
    suffixes = (".json",) if spec["framework"] == "terraform_plan" else (".yaml", ".yml")
    result: dict[str, Any] = {
        "paths": [str(p) for p in paths],
        "files": count_files(paths, suffixes),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    env = {**os.environ, "LOG_LEVEL": "ERROR", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    runs: dict[str, list[dict[str, Any]]] = {"mlfence": [], "checkov": []}
    for rep in range(reps):
        # Alternate which tool goes first, so neither always inherits the other's cache state.
        order = ["mlfence", "checkov"] if rep % 2 == 0 else ["checkov", "mlfence"]
        for tool in order:
            if tool == "mlfence":
                r = timed(mlfence_cmd(paths), work / f"{name}-mlfence.json")
            elif checkov:
                r = timed(checkov_cmd(checkov, paths, spec["framework"]), work / f"{name}-checkov.json", env)
            else:
                continue
            runs[tool].append(r)
            print(
                f"  {name} rep {rep + 1}: {tool} {r['wall_s']} s wall, {r['cpu_s']} s CPU, "
                f"{r['peak_rss_mib']} MiB, exit {r['exit']}, load {r['load_average'][0]}",
                file=sys.stderr,
                flush=True,
            )
    result["runs"] = runs
    m = runs["mlfence"]
    bad = [r for r in m if r["exit"] not in (0, 1, 2)]
    if bad:
        err = (work / f"{name}-mlfence.stderr").read_text()[-2000:]
        raise RuntimeError(f"mlfence failed on {name}: exit {bad[0]['exit']}: {err}")
    result["mlfence_exit_codes"] = sorted({r["exit"] for r in m})
    for key in ("wall_s", "cpu_s", "peak_rss_mib"):
        result[f"mlfence_{key}"] = summary([r[key] for r in m])
    result["mlfence_counts"] = mlfence_counts(work / f"{name}-mlfence.json")
    result["mlfence_command"] = "mlfence check -q --format json " + " ".join(map(str, paths))
    if checkov and runs["checkov"]:
        c = runs["checkov"]
        result["checkov_exit_codes"] = sorted({r["exit"] for r in c})
        for key in ("wall_s", "cpu_s", "peak_rss_mib"):
            result[f"checkov_{key}"] = summary([r[key] for r in c])
        result["checkov_counts"] = checkov_counts(work / f"{name}-checkov.json")
        stderr = (work / f"{name}-checkov.stderr").read_text()
        result["checkov_errors"] = checkov_errors(stderr)
        shown = (
            ["-f", "PLAN.json ..."]
            if spec["framework"] == "terraform_plan"
            else [arg for p in paths for arg in ("-d", str(p))]
        )
        result["checkov_command"] = " ".join(["checkov", *shown, "--framework", spec["framework"], *CHECKOV_FLAGS])
        # Ratio per alternating pair (same moment of machine load), and ratio of medians.
        result["speedup_pairs"] = [round(cr["wall_s"] / mr["wall_s"], 2) for mr, cr in zip(m, c, strict=True)]
        result["speedup_cpu_pairs"] = [round(cr["cpu_s"] / mr["cpu_s"], 2) for mr, cr in zip(m, c, strict=True)]
        result["speedup"] = round(result["checkov_wall_s"]["median"] / result["mlfence_wall_s"]["median"], 2)
        result["speedup_cpu"] = round(result["checkov_cpu_s"]["median"] / result["mlfence_cpu_s"]["median"], 2)
    return result


def run(root: Path, reps: int, checkov: str | None, work: Path, only: list[str] | None) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    ).stdout.strip()
    result: dict[str, Any] = {
        "commit": commit,
        "reps": reps,
        "root": str(root),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "nproc": os.cpu_count(),
    }
    if checkov:
        result["checkov_version"] = subprocess.run(
            [checkov, "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    for name, spec in corpora(root).items():
        if only and name not in only:
            continue
        print(f"== realworld: {name}", file=sys.stderr, flush=True)
        result[name] = run_corpus(name, spec, reps, checkov, work)
        result[name]["commit"] = commit
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--checkov")
    parser.add_argument("--only", action="append", choices=["terraform", "kubeflow"])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    result = run(args.root, args.reps, args.checkov, args.out.parent / "realworld-work", args.only)
    if args.only and args.out.exists():
        # Re-running one corpus keeps the others' figures (each corpus records its own start and load).
        previous = json.loads(args.out.read_text())
        result = {
            **previous,
            **{k: v for k, v in result.items() if k in args.only},
            "rerun": {
                **(previous.get("rerun") or {}),
                **{
                    name: {
                        k: result[k]
                        for k in ("commit", "started", "finished", "load_average_at_start", "load_average_at_end")
                    }
                    for name in args.only
                },
            },
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    brief = {
        name: {k: result[name].get(k) for k in ("mlfence_wall_s", "checkov_wall_s", "speedup", "speedup_cpu")}
        for name in ("terraform", "kubeflow")
        if name in result
    }
    print(json.dumps(brief), file=sys.stderr)


if __name__ == "__main__":
    main()
