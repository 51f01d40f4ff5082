"""Real-world scan benchmark: `mlfence check` against Checkov, kube-score and Trivy on real
Terraform plans and the Kubeflow manifests tree, rotating the tools' order every rep so all see
the same machine load.

    python bench/realworld.py [--root /work/shared/realworld] [--reps 3] [--only kubeflow]
                              [--checkov bench/.venv-checkov/bin/checkov] [--peers-bin bench/.bin]
                              --out bench/work/realworld.json

Peers (bench-only installs, pinned in bench/pins.txt, found in --peers-bin): kube-score (the
Kubeflow tree: the files whose every document is a Kubernetes object, because kube-score 1.20
aborts the whole run on the first file holding anything else, such as a kustomize patch list),
Trivy (`trivy config`, both corpora, its embedded checks: no network). Polaris and kube-linter
are named in results as unavailable: the Go module proxy serves neither module here.

Kubeflow runs mlfence twice: `--no-kustomize` (`mlfence`, the headline: it reads the same files
as every peer, none of which renders kustomizations with `--framework kubernetes` or `score` or
`config`) and the default, rendering every root kustomization with `kustomize build`
(`mlfence_render`: what a user gets without flags, different documents and findings).

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


# Peers the issue names that cannot be installed here, and why (checked with `go list -m`).
UNAVAILABLE = {
    "polaris": "github.com/fairwindsops/polaris (and /v8, /v9, /v10): the Go module proxy serves no version here",
    "kube-linter": "golang.stackrox.io/kube-linter: the Go module proxy answers 403 for every version here",
}


def go_module_version(binary: str) -> str | None:
    """The main module version go recorded in a binary built by `go install module@version`."""
    out = subprocess.run(["go", "version", "-m", binary], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "mod":
            return parts[2]
    return None


def kubernetes_object_files(paths: list[Path]) -> list[Path]:
    """The YAML files whose every document is a Kubernetes object (kind and apiVersion strings):
    what kube-score can be given without aborting. Decided before timing, with PyYAML's C loader."""
    import yaml

    out = []
    for p in paths:
        for f in sorted(p.rglob("*.yaml")):
            try:
                docs = [d for d in yaml.load_all(f.read_text(), Loader=yaml.CSafeLoader) if d is not None]
            except (yaml.YAMLError, UnicodeDecodeError):
                continue
            if docs and all(
                isinstance(d, dict) and isinstance(d.get("kind"), str) and isinstance(d.get("apiVersion"), str)
                for d in docs
            ):
                out.append(f)
    return out


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


def mlfence_cmd(paths: list[Path], *flags: str) -> list[str]:
    return [str(MLFENCE), "check", "-q", "--format", "json", *flags, *map(str, paths)]


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


def _json_report(report: Path) -> tuple[Any, str]:
    """A peer's JSON report: (the parsed value or None for an empty file, "") or (None, the error)."""
    text = report.read_text()
    try:
        return (json.loads(text) if text.strip() else None), ""
    except json.JSONDecodeError as exc:
        return None, f"not JSON: {exc}"


def kube_score_counts(report: Path) -> dict[str, Any]:
    """kube-score's JSON: one entry per object, its checks graded 1 (critical) to 10 (ok)."""
    objects, error = _json_report(report)
    if error:
        return {"error": error}
    if not isinstance(objects, list):
        return {"error": "no report"}
    checks = [c for o in objects for c in o.get("checks") or [] if not c.get("skipped")]
    return {
        "objects": len(objects),
        "critical": sum(1 for c in checks if c.get("grade") == 1),
        "warning": sum(1 for c in checks if c.get("grade") == 5),
        "not_ok": sum(1 for c in checks if isinstance(c.get("grade"), int) and c["grade"] < 10),
    }


def trivy_counts(report: Path) -> dict[str, Any]:
    """`trivy config --format json`: Results, each with a MisconfSummary of its file."""
    document, error = _json_report(report)
    if error:
        return {"error": error}
    if not isinstance(document, dict):
        return {"error": "no report"}
    results = document.get("Results") or []
    summaries = [r.get("MisconfSummary") or {} for r in results]
    return {
        "results": len(results),
        "failures": sum(int(s.get("Failures") or 0) for s in summaries),
        "successes": sum(int(s.get("Successes") or 0) for s in summaries),
        "files_with_failures": sum(1 for s in summaries if s.get("Failures")),
    }


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


def tool_commands(
    name: str, spec: dict[str, Any], paths: list[Path], checkov: str | None, peers: dict[str, str], work: Path
) -> dict[str, dict[str, Any]]:
    """Every tool run on this corpus: its command, environment and report parser."""
    tools: dict[str, dict[str, Any]] = {"mlfence": {"cmd": mlfence_cmd(paths), "counts": mlfence_counts}}
    if spec["framework"] == "kubernetes":
        tools["mlfence"]["cmd"] = mlfence_cmd(paths, "--no-kustomize")
        tools["mlfence_render"] = {"cmd": mlfence_cmd(paths), "counts": mlfence_counts}
    if checkov:
        env = {**os.environ, "LOG_LEVEL": "ERROR", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
        tools["checkov"] = {
            "cmd": checkov_cmd(checkov, paths, spec["framework"]),
            "env": env,
            "counts": checkov_counts,
        }
    if "kube-score" in peers and spec["framework"] == "kubernetes":
        files = kubernetes_object_files(paths)
        tools["kube-score"] = {
            "cmd": [peers["kube-score"], "score", "--output-format", "json", *map(str, files)],
            "counts": kube_score_counts,
            "input_files": len(files),
            "shown": f"kube-score score --output-format json FILE... ({len(files)} files)",
        }
    if "trivy" in peers:
        cache = work / "trivy-cache"
        tools["trivy"] = {
            # One process per folder would add start-ups; Trivy takes one target, so the plans'
            # two folders go as their common parent with the other folders skipped.
            "cmd": [
                peers["trivy"],
                "config",
                "--format",
                "json",
                "--quiet",
                "--skip-check-update",
                "--skip-version-check",
                "--disable-telemetry",
                "--cache-dir",
                str(cache),
                "--exit-code",
                "0",
                *trivy_target(paths),
            ],
            "env": {**os.environ, "TRIVY_NO_PROGRESS": "true"},
            "counts": trivy_counts,
        }
    return tools


def trivy_target(paths: list[Path]) -> list[str]:
    """Trivy scans one target: the only path, or the common parent with its other entries skipped."""
    if len(paths) == 1:
        return [str(paths[0])]
    parent = Path(os.path.commonpath(paths))
    keep = {p.relative_to(parent).parts[0] for p in paths}
    skip = [str(c) for c in sorted(parent.iterdir()) if c.name not in keep]
    dirs = [c for c in skip if Path(c).is_dir()]
    files = [c for c in skip if not Path(c).is_dir()]
    args = []
    if dirs:
        args += ["--skip-dirs", ",".join(dirs)]
    if files:
        args += ["--skip-files", ",".join(files)]
    # Only the folders asked for: deeper skips for the nested part of a multi-level path.
    for p in paths:
        rel = p.relative_to(parent).parts
        if len(rel) > 1:
            base = parent / rel[0]
            others = [str(c) for c in sorted(base.iterdir()) if c.name != rel[1]]
            args += ["--skip-dirs", ",".join(c for c in others if Path(c).is_dir())] if others else []
    return [*args, str(parent)]


def run_corpus(
    name: str, spec: dict[str, Any], reps: int, checkov: str | None, work: Path, peers: dict[str, str] | None = None
) -> dict[str, Any]:
    paths = [p for p in spec["paths"] if p.exists()]
    suffixes = (".json",) if spec["framework"] == "terraform_plan" else (".yaml", ".yml")
    tools = tool_commands(name, spec, paths, checkov, peers or {}, work)
    result: dict[str, Any] = {
        "paths": [str(p) for p in paths],
        "files": count_files(paths, suffixes),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "order": "rotated one place per rep",
    }
    runs: dict[str, list[dict[str, Any]]] = {tool: [] for tool in tools}
    names = list(tools)
    for rep in range(reps):
        # Rotate which tool goes first, so none always inherits another's cache state or load.
        shift = rep % len(names)
        for tool in names[shift:] + names[:shift]:
            spec_t = tools[tool]
            r = timed(spec_t["cmd"], work / f"{name}-{tool}.json", spec_t.get("env"))
            runs[tool].append(r)
            print(
                f"  {name} rep {rep + 1}: {tool} {r['wall_s']} s wall, {r['cpu_s']} s CPU, "
                f"{r['peak_rss_mib']} MiB, exit {r['exit']}, load {r['load_average'][0]}",
                file=sys.stderr,
                flush=True,
            )
    result["runs"] = runs
    for tool in ("mlfence", *(t for t in names if t.startswith("mlfence_"))):
        bad = [r for r in runs[tool] if r["exit"] not in (0, 1, 2)]
        if bad:
            err = (work / f"{name}-{tool}.stderr").read_text()[-2000:]
            raise RuntimeError(f"{tool} failed on {name}: exit {bad[0]['exit']}: {err}")
    m = runs["mlfence"]
    result["mlfence_exit_codes"] = sorted({r["exit"] for r in m})
    for key in ("wall_s", "cpu_s", "peak_rss_mib"):
        result[f"mlfence_{key}"] = summary([r[key] for r in m])
    result["mlfence_counts"] = mlfence_counts(work / f"{name}-mlfence.json")
    result["mlfence_command"] = " ".join(["mlfence", *tools["mlfence"]["cmd"][1:]])
    if "checkov" in tools:
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
        # Ratio per rep (same moment of machine load), and ratio of medians.
        result["speedup_pairs"] = [round(cr["wall_s"] / mr["wall_s"], 2) for mr, cr in zip(m, c, strict=True)]
        result["speedup_cpu_pairs"] = [round(cr["cpu_s"] / mr["cpu_s"], 2) for mr, cr in zip(m, c, strict=True)]
        result["speedup"] = round(result["checkov_wall_s"]["median"] / result["mlfence_wall_s"]["median"], 2)
        result["speedup_cpu"] = round(result["checkov_cpu_s"]["median"] / result["mlfence_cpu_s"]["median"], 2)
    # Every other tool (mlfence's rendering mode, kube-score, Trivy) with the same figures.
    result["others"] = {}
    for tool in names:
        if tool in ("mlfence", "checkov"):
            continue
        o = runs[tool]
        cmd = tools[tool]["cmd"]
        entry: dict[str, Any] = {
            "command": tools[tool].get("shown") or " ".join([Path(cmd[0]).name, *cmd[1:]]),
            "exit_codes": sorted({r["exit"] for r in o}),
            **{key: summary([r[key] for r in o]) for key in ("wall_s", "cpu_s", "peak_rss_mib")},
            "counts": tools[tool]["counts"](work / f"{name}-{tool}.json"),
            "mlfence_speedup": round(
                summary([r["wall_s"] for r in o])["median"] / result["mlfence_wall_s"]["median"], 2
            ),
            "mlfence_speedup_cpu": round(
                summary([r["cpu_s"] for r in o])["median"] / result["mlfence_cpu_s"]["median"], 2
            ),
        }
        if "input_files" in tools[tool]:
            entry["input_files"] = tools[tool]["input_files"]
        stderr = (work / f"{name}-{tool}.stderr").read_text()
        if any(r["exit"] not in (0, 1) for r in o) or not (work / f"{name}-{tool}.json").read_text().strip():
            entry["stderr_tail"] = stderr[-600:]
        result["others"][tool] = entry
    return result


def find_peers(folder: Path | None) -> dict[str, str]:
    """The peer binaries present in `folder` (bench/.bin), by name."""
    if folder is None:
        return {}
    return {n: str(folder / n) for n in ("kube-score", "trivy", "polaris", "kube-linter") if (folder / n).is_file()}


def run(
    root: Path, reps: int, checkov: str | None, work: Path, only: list[str] | None, peers: dict[str, str] | None = None
) -> dict[str, Any]:
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
    peers = peers or {}
    result["peer_versions"] = {
        **({"checkov": result["checkov_version"]} if checkov else {}),
        **{n: go_module_version(b) for n, b in peers.items()},
    }
    result["peers_unavailable"] = {
        **{n: why for n, why in UNAVAILABLE.items() if n not in peers},
        **{n: "not built (bench/pins.txt, install-tools.sh)" for n in ("kube-score", "trivy") if n not in peers},
    }
    for name, spec in corpora(root).items():
        if only and name not in only:
            continue
        print(f"== realworld: {name}", file=sys.stderr, flush=True)
        result[name] = run_corpus(name, spec, reps, checkov, work, peers)
        result[name]["commit"] = commit
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--checkov")
    parser.add_argument("--peers-bin", type=Path, help="folder of the peer binaries (bench/.bin)")
    parser.add_argument("--only", action="append", choices=["terraform", "kubeflow"])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    result = run(
        args.root, args.reps, args.checkov, args.out.parent / "realworld-work", args.only, find_peers(args.peers_bin)
    )
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
