"""Measures the performance fixes proposed in bench/README.md ("What I would fix") on a scratch
copy of policy/ — the project's policy/ is never touched. Same corpus, same data, same OPA,
alternating current/proposed, and checks that both give identical findings.

    python bench/proposed/measure.py CORPUS_FILES DATA_DIR --reps 3 --out proposed.json
        [--bundle-root WORK]   # also build both bundles and compare sidecar latency at fixed rates

Fixes still proposed (diffs next to this file, against policy/ at 0069cf8):
  evaluate.diff  F4: evaluate only the rules whose METADATA kinds include the object's kind
                     (index data.mlfence.rule_index, written here from the catalog; in the
                     project `mlfence build`/conftest data would carry it)
Landed upstream after being measured here: F2 one `with` per target (4662e6e), F1 indexed
_first_change, F3 inventory grouped once, F5 libyaml loader (322b731), index source chosen once
in ranges (0069cf8). The YAML figure below still compares SafeLoader and CSafeLoader directly.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "bench"))

from mlfence import catalog, documents  # noqa: E402

OPA = ROOT / ".tools" / "bin" / "opa"


def scratch_policy(dest: Path) -> tuple[Path, Path]:
    """dest/policy = policy/ with the diffs applied; dest/extra = the kind index data."""
    shutil.copytree(ROOT / "policy", dest / "policy")
    for diff in sorted(HERE.glob("*.diff")):
        proc = subprocess.run(["patch", "-p1", "-s", "-d", str(dest), "-i", str(diff)], capture_output=True,
                              text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{diff.name} no longer applies to policy/: {proc.stdout}{proc.stderr}")
    index: dict[str, dict[str, list[str]]] = {}  # kind -> area -> rule packages
    for rule in catalog.load():
        if rule.target == "kubernetes":
            _, area, slug = rule.package.split(".")
            for kind in rule.kinds:
                index.setdefault(kind, {}).setdefault(area, []).append(slug)
    extra = dest / "extra" / "mlfence" / "rule_index"
    extra.mkdir(parents=True)
    (extra / "data.json").write_text(json.dumps(index))
    return dest / "policy", dest / "extra"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def scan_once(policy: Path, extra: list[Path], data: Path, input_path: Path, out: Path) -> dict[str, float]:
    args = [str(OPA), "eval", "--format", "json", "--fail-defined=false", "-d", str(policy), "-d", str(data),
            "--ignore", "*_test.rego", "--input", str(input_path)]
    for e in extra:
        args += ["-d", str(e)]
    cpu0, t0 = _cpu(), time.perf_counter()
    with out.open("w") as f:
        proc = subprocess.run([*args, "data.mlfence.scan"], stdout=f, stderr=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return {"wall_s": round(time.perf_counter() - t0, 3), "cpu_s": round(_cpu() - cpu0, 3)}


def yaml_load_seconds(files: Path) -> dict[str, float]:
    """mlfence.documents.load with the pure-Python and the libyaml loader (F5, landed)."""
    import yaml

    seconds = {}
    original = documents._Loader
    try:
        for name in ("SafeLoader", "CSafeLoader"):
            documents._Loader = getattr(yaml, name)
            t = time.process_time()
            documents.load([str(files)])
            seconds[f"{name}_cpu_s"] = round(time.process_time() - t, 3)
    finally:
        documents._Loader = original
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", type=Path)
    parser.add_argument("data", type=Path)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--bundle-root", type=Path, help="also compare sidecars (needs bench/fulldata.py WORK)")
    parser.add_argument("--rates", default="100,250,500")
    parser.add_argument("--duration", type=float, default=10)
    args = parser.parse_args()
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="mlf-proposed-") as tmp:
        work = Path(tmp)
        policy, extra = scratch_policy(work)
        loaded = documents.load([str(args.files)])
        input_path = work / "input.json"
        input_path.write_text(json.dumps({"documents": [
            {"path": d.path, "index": i, "document": d.content} for i, d in enumerate(loaded.documents)]}))
        runs: dict[str, list[dict[str, float]]] = {"current": [], "proposed": []}
        for _ in range(args.reps):
            runs["current"].append(scan_once(ROOT / "policy", [], args.data, input_path, work / "current.json"))
            runs["proposed"].append(scan_once(policy, [extra], args.data, input_path, work / "proposed.json"))
            print(f"  current {runs['current'][-1]} proposed {runs['proposed'][-1]}", file=sys.stderr, flush=True)
        same = json.loads((work / "current.json").read_text()) == json.loads((work / "proposed.json").read_text())
        result["scan"] = {
            "documents": len(loaded.documents), "identical_findings": same, "runs": runs,
            "current_cpu_s_median": statistics.median(r["cpu_s"] for r in runs["current"]),
            "proposed_cpu_s_median": statistics.median(r["cpu_s"] for r in runs["proposed"]),
        }
        result["scan"]["cpu_ratio"] = round(result["scan"]["current_cpu_s_median"]
                                            / result["scan"]["proposed_cpu_s_median"], 2)
        result["yaml_load"] = yaml_load_seconds(args.files)
        if args.bundle_root:
            result["sidecar"] = sidecar_compare(args.bundle_root, policy, extra, args)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result["scan"].items() if k != "runs"}), file=sys.stderr)


def sidecar_compare(work_root: Path, policy: Path, extra: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Current bundle vs proposed bundle, same full data, same open-loop rates (admission)."""
    import fulldata

    import sidecar
    from mlfence import bundle

    out: dict[str, Any] = {}
    rates = [float(r) for r in args.rates.split(",")]
    with tempfile.TemporaryDirectory(prefix="mlf-proposed-bundle-") as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        (root / "policy").symlink_to(policy)
        data_dir = work_root / "root" / "data"
        if not data_dir.exists():
            fulldata.data_root(work_root)
        shutil.copytree(data_dir, root / "data", symlinks=True)
        shutil.copytree(extra, root / "data", dirs_exist_ok=True)
        bundles = {"current": work_root / "bundle.tar.gz",
                   "proposed": bundle.build(Path(tmp) / "proposed.tar.gz", root=root).path}
        if not bundles["current"].exists():
            bundles["current"] = bundle.build(work_root / "bundle.tar.gz", root=data_dir.parent).path
        for name, path in bundles.items():
            out[name] = sidecar.run(path, {"admission": rates}, args.duration, 1, 0)["workloads"]["admission"]
    return out


if __name__ == "__main__":
    main()
