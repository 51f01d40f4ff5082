"""CI scan benchmark: `mlfence check` against Checkov on the same corpus, alternating, plus the
recall of each tool on the corpus' known-bad ML-isolation cases.

    python bench/scan.py CORPUS_DIR --reps 3 [--checkov BIN] [--subset N] --out scan.json

CORPUS_DIR is what bench/corpus.py wrote (files/ and labels.json). With --subset N, both tools
are timed on the same fixed random subset of N files (copied to CORPUS_DIR/subset-N/files);
mlfence's recall is also reported on the full corpus. Without --checkov only mlfence runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import checkov_map

ROOT = Path(__file__).resolve().parents[1]
MLFENCE = ROOT / ".venv" / "bin" / "mlfence"
CHECKOV_FLAGS = ["--framework", "terraform_plan", "kubernetes", "--quiet", "--compact", "-o", "json", "--skip-download"]


def _tally(cases: list[dict[str, Any]], key: str) -> dict[str, dict[str, int]]:
    """Known-bad cases and each tool's detections, grouped by one field of the case."""
    rows: dict[str, dict[str, int]] = {}
    for c in cases:
        row = rows.setdefault(c[key], {"known_bad": 0, "mlfence": 0, "checkov": 0, "checkov_any": 0})
        row["known_bad"] += 1
        for tool in ("mlfence", "checkov", "checkov_any"):
            row[tool] += int(bool(c.get(tool)))
    return dict(sorted(rows.items()))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], out: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run cmd with stdout to `out`; wall and CPU seconds (children CPU, this process' rusage)."""
    cpu0, t0 = _children_cpu(), time.perf_counter()
    with out.open("w") as stdout:
        proc = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, text=True, env=env, check=False)
    wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "exit": proc.returncode}


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
        "n": len(values),
    }


def mlfence_cmd(files: Path) -> list[str]:
    return [str(MLFENCE), "check", "-q", "--format", "json", str(files)]


def checkov_cmd(checkov: str, files: Path) -> list[str]:
    return [checkov, "-d", str(files), *CHECKOV_FLAGS]


# --- recall --------------------------------------------------------------------------------------


def mlfence_hits(report: Path, files: Path) -> dict[str, list[dict[str, str]]]:
    """file (relative to files/) -> [{"rule_id", "resource"}] of every non-exempted finding."""
    document = json.loads(report.read_text())
    out: dict[str, list[dict[str, str]]] = {}
    for f in document["findings"]:
        if f["status"] == "exempted":
            continue
        rel = str(Path(f["file"]).resolve().relative_to(files.resolve()))
        out.setdefault(rel, []).append({"rule_id": f["rule_id"], "resource": f.get("resource", "")})
    return out


def _relative(file_path: str, files: Path) -> str:
    """Checkov's file_path is relative to the scanned folder for plans but to the working
    directory for manifests (both with a leading "/"): make it relative to the scanned folder."""
    raw = file_path.lstrip("/")
    for candidate in (files / raw, Path.cwd() / raw, Path(file_path)):
        if candidate.exists():
            try:
                return str(candidate.resolve().relative_to(files.resolve()))
            except ValueError:
                continue
    return raw


def checkov_hits(report: Path, files: Path) -> dict[str, list[dict[str, str]]]:
    """file (relative to the scanned folder) -> [{"check_id", "resource"}] of every failed check."""
    text = report.read_text()
    document = json.loads(text) if text.strip() else []
    reports = document if isinstance(document, list) else [document]
    out: dict[str, list[dict[str, str]]] = {}
    for r in reports:
        for f in (r.get("results") or {}).get("failed_checks") or []:
            rel = _relative(f["file_path"], files)
            out.setdefault(rel, []).append({"check_id": f["check_id"], "resource": f.get("resource", "")})
    return out


def _in_case(resource: str, bad: dict[str, Any]) -> bool:
    prefix = bad.get("resource_prefix")
    return prefix is None or resource.startswith(prefix)


def recall(
    labels: list[dict[str, Any]],
    ours: dict[str, list[dict[str, str]]] | None,
    theirs: dict[str, list[dict[str, str]]] | None,
) -> dict[str, Any]:
    cases = []
    for entry in labels:
        for bad in entry["bad"]:
            category = checkov_map.RULE_CATEGORY[bad["rule_id"]]
            row = {"file": entry["file"], "rule_id": bad["rule_id"], "case": bad["case"], "category": category}
            if ours is not None:
                row["mlfence"] = any(
                    h["rule_id"] == bad["rule_id"] and _in_case(h["resource"], bad) for h in ours.get(entry["file"], [])
                )
            if theirs is not None:
                mine = [h for h in theirs.get(entry["file"], []) if _in_case(h["resource"], bad)]
                row["checkov"] = any(checkov_map.CHECKOV_CATEGORY.get(h["check_id"]) == category for h in mine)
                row["checkov_any"] = bool(mine)
            cases.append(row)
    total = len(cases)
    out: dict[str, Any] = {"known_bad": total}
    for tool in ("mlfence", "checkov", "checkov_any"):
        if cases and tool in cases[0]:
            hit = sum(1 for c in cases if c[tool])
            out[tool] = {"detected": hit, "recall": round(hit / total, 4) if total else None}
    out["by_category"] = _tally(cases, "category")
    out["by_rule"] = _tally(cases, "rule_id")
    if ours is not None:
        out["mlfence_missed"] = sorted({f"{c['rule_id']}/{c['case']}" for c in cases if not c["mlfence"]})
    if theirs is not None:
        out["checkov_missed_rules"] = sorted(r for r, v in out["by_rule"].items() if v["checkov"] == 0)
    if ours is not None and theirs is not None and out["checkov"]["detected"]:
        out["recall_ratio"] = round(out["mlfence"]["recall"] / out["checkov"]["recall"], 3)
        out["recall_ratio_vs_any_failed_check"] = round(out["mlfence"]["recall"] / out["checkov_any"]["recall"], 3)
    return out


# --- driver --------------------------------------------------------------------------------------


def make_subset(corpus: Path, size: int, seed: int = 7) -> tuple[Path, list[dict[str, Any]]]:
    labels = json.loads((corpus / "labels.json").read_text())["files"]
    rng = random.Random(seed)
    plans = [e for e in labels if e["target"] == "terraform"]
    manifests = [e for e in labels if e["target"] == "kubernetes"]
    n_plans = max(1, round(size * len(plans) / len(labels)))
    chosen = rng.sample(plans, min(n_plans, len(plans))) + rng.sample(manifests, min(size - n_plans, len(manifests)))
    target = corpus / f"subset-{size}" / "files"
    if target.exists():
        shutil.rmtree(target)
    for e in chosen:
        dest = target / e["file"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / "files" / e["file"], dest)
    return target, chosen


def run(corpus: Path, reps: int, checkov: str | None, subset: int | None, work: Path) -> dict[str, Any]:
    labels = json.loads((corpus / "labels.json").read_text())["files"]
    files = corpus / "files"
    work.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "corpus": {
            "plans": sum(1 for e in labels if e["target"] == "terraform"),
            "manifests": sum(1 for e in labels if e["target"] == "kubernetes"),
            "known_bad": sum(len(e["bad"]) for e in labels),
        }
    }
    timed_files, timed_labels = files, labels
    if subset:
        timed_files, timed_labels = make_subset(corpus, subset)
        result["subset"] = {
            "files": len(timed_labels),
            "seed": 7,
            "plans": sum(1 for e in timed_labels if e["target"] == "terraform"),
            "manifests": sum(1 for e in timed_labels if e["target"] == "kubernetes"),
        }
    env = {**os.environ, "LOG_LEVEL": "ERROR", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    runs: dict[str, list[dict[str, Any]]] = {"mlfence": [], "checkov": []}
    for rep in range(reps):
        runs["mlfence"].append(timed(mlfence_cmd(timed_files), work / "mlfence.json"))
        print(f"  rep {rep + 1}: mlfence {runs['mlfence'][-1]['wall_s']} s", file=sys.stderr, flush=True)
        if checkov:
            runs["checkov"].append(timed(checkov_cmd(checkov, timed_files), work / "checkov.json", env))
            print(f"  rep {rep + 1}: checkov {runs['checkov'][-1]['wall_s']} s", file=sys.stderr, flush=True)
    result["runs"] = runs
    result["mlfence_wall_s"] = summary([r["wall_s"] for r in runs["mlfence"]])
    result["mlfence_cpu_s"] = summary([r["cpu_s"] for r in runs["mlfence"]])
    ours = mlfence_hits(work / "mlfence.json", timed_files)
    theirs = None
    if checkov:
        result["checkov_wall_s"] = summary([r["wall_s"] for r in runs["checkov"]])
        result["checkov_cpu_s"] = summary([r["cpu_s"] for r in runs["checkov"]])
        # Ratios per alternating pair (same moment of machine load), then their median.
        pairs = [c["wall_s"] / m["wall_s"] for m, c in zip(runs["mlfence"], runs["checkov"], strict=True)]
        result["speedup_pairs"] = [round(p, 2) for p in pairs]
        result["speedup"] = round(result["checkov_wall_s"]["median"] / result["mlfence_wall_s"]["median"], 2)
        result["speedup_cpu"] = round(result["checkov_cpu_s"]["median"] / result["mlfence_cpu_s"]["median"], 2)
        result["checkov_version"] = subprocess.run(
            [checkov, "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        result["checkov_command"] = " ".join(["checkov", "-d", "FILES", *CHECKOV_FLAGS])
        theirs = checkov_hits(work / "checkov.json", timed_files)
    result["mlfence_command"] = "mlfence check -q --format json FILES"
    result["recall"] = recall(timed_labels, ours, theirs)
    if subset:
        full = work / "mlfence-full.json"
        result["full_corpus_mlfence_run"] = timed(mlfence_cmd(files), full)
        result["recall_full_corpus_mlfence"] = recall(labels, mlfence_hits(full, files), None)
    return result


def run_stamp() -> dict[str, object]:
    """The commit measured, the start time and the machine's load then (every part records them)."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    ).stdout.strip()
    return {
        "commit": commit,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--checkov")
    parser.add_argument("--subset", type=int)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--recall-only", action="store_true", help="recompute recall from the last run's saved outputs (no timing)"
    )
    args = parser.parse_args()
    if args.recall_only:
        result = json.loads(args.out.read_text())
        work = args.out.parent / "scan-work"
        files = args.corpus / (f"subset-{args.subset}" if args.subset else "") / "files"
        labels = json.loads((args.corpus / "labels.json").read_text())["files"]
        if args.subset:
            labels = [e for e in labels if (files / e["file"]).exists()]
        theirs = checkov_hits(work / "checkov.json", files) if (work / "checkov.json").exists() else None
        result["recall"] = recall(labels, mlfence_hits(work / "mlfence.json", files), theirs)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps({k: result["recall"].get(k) for k in ("mlfence", "checkov", "recall_ratio")}))
        return
    stamp = run_stamp()
    result = run(args.corpus, args.reps, args.checkov, args.subset, args.out.parent / "scan-work")
    result.update(stamp, load_average_at_end=[round(x, 2) for x in os.getloadavg()])
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    keys = ("mlfence_wall_s", "checkov_wall_s", "speedup", "speedup_cpu")
    print(json.dumps({k: result.get(k) for k in keys}), file=sys.stderr)


if __name__ == "__main__":
    main()
