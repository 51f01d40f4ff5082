"""Collects the parts' JSON into bench/results.json and the results table of bench/README.md.

    python bench/report.py --work bench/work --out bench/results.json [--readme bench/README.md]

Every part is optional (the smoke test runs only some); a missing figure is null, never a guess.
A part whose work file is absent keeps its previous value from the existing --out file (listed
under `carried_over`), so running one step and then this script does not drop the other sections.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "scan_speedup_vs_checkov": (">=", 20),
    "recall_ratio_vs_checkov": (">=", 1),
    "sidecar_p99_ms": ("<=", 2),
    "cidr_lookup_growth_100x": ("<=", 1.5),
    "realworld_terraform_speedup_vs_checkov": (">=", 20),
    "realworld_kubeflow_speedup_vs_checkov": (">=", 20),
    "realworld_kubeflow_mlfence_wall_s": ("<=", 2.5),
    "scale_100k_wall_s": ("<", 60),
    "scale_100k_peak_rss_mib": ("<", 2048),
    "reach_admission_p99_ms": ("<=", 10),
    "small_file_wall_s": ("<", 0.5),
    # Issue 18: faster than Polaris and kube-linter on the Kubeflow tree (null: not installable here).
    "realworld_kubeflow_speedup_vs_polaris": (">", 1),
    "realworld_kubeflow_speedup_vs_kube_linter": (">", 1),
}
PARTS = ("scan", "sidecar", "rules", "gator", "realworld", "scale", "reach", "reach_admission", "small")

# The mlfence-vs-Checkov figures every scan comparison reports.
SPEED_KEYS = (
    "speedup",
    "speedup_cpu",
    "speedup_pairs",
    "mlfence_wall_s",
    "checkov_wall_s",
    "mlfence_cpu_s",
    "checkov_cpu_s",
)


def machine() -> dict[str, Any]:
    """nproc, memory, CPU model and load average: recorded at the start of a run."""
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    opa = subprocess.run(
        [str(ROOT / ".tools" / "bin" / "opa"), "version"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "cpu_model": cpu,
        "load_average_at_start": list(os.getloadavg()),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "opa": opa[0] if opa else "",
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _load(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.exists() else None


def _ms(text: str) -> float:
    """gator's durations ("11.5ms", "320.6µs", "1.2s") in milliseconds."""
    minutes = re.fullmatch(r"([0-9]+)m([0-9.]+)s", text.strip())  # Go prints 1m2.5s past a minute
    if minutes:
        return round((int(minutes.group(1)) * 60 + float(minutes.group(2))) * 1e3, 3)
    match = re.fullmatch(r"([0-9.]+)(ns|µs|us|ms|s)", text.strip())
    if not match:
        return float("nan")
    scale = {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1e3}[match.group(2)]
    return round(float(match.group(1)) * scale, 3)


def sidecar_headline(sidecar: dict[str, Any], rate: float = 500) -> dict[str, Any]:
    admission = sidecar["workloads"].get("admission") or next(iter(sidecar["workloads"].values()))
    points = admission["points"]
    at = next((p for p in points if p["target_rps"] == rate), None)
    wrk = [w for w in admission.get("wrk") or [] if w]
    # The headline comes from the Go generator when it ran: the Python one adds its own
    # ~1.5 ms (threads, GIL) to every latency. Both are kept.
    go = at.get("vegeta") if at else None
    best = go or at
    return {
        "generator": "vegeta" if go else "python",
        "p99_ms_at_500rps": best["p99_ms"] if best else None,
        "p99_ms_at_500rps_range": best["p99_ms_range"] if best else None,
        "achieved_rps_at_500rps": best["achieved_rps"] if best else None,
        "python_generator_p99_ms_at_500rps": at["p99_ms"] if at else None,
        "max_sustained_rps": admission["max_sustained_rps"],
        "wrk_max_rps": max((w["rps"] for w in wrk), default=None),
        "lowest_rate_p99_ms": points[0]["p99_ms"] if points else None,
        "lowest_rate": points[0]["target_rps"] if points else None,
        # Spread: every rep's p99 at 500/s, and OPA's resident memory after the run.
        "p99_ms_at_500rps_runs": [r.get("p99_ms") for r in (best or {}).get("runs") or []] or None,
        "opa_rss_mib": sidecar.get("opa_rss_mib"),
    }


def _admission_worst(server: dict[str, Any] | None) -> tuple[float | None, float | None]:
    """The worse p99 and server CPU per request of one admission.py server run's cases."""
    cases = (server or {}).get("cases") or {}
    p99 = max((c["p99_ms"] for c in cases.values()), default=None)
    cpu = max((c["server_cpu_ms_per_request"] for c in cases.values()), default=None)
    return p99, cpu


def scale_headline(scale: dict[str, Any]) -> dict[str, Any]:
    """The 100k-object figures: measured when that run finished, else the labelled extrapolation."""
    run = (scale.get("runs") or {}).get("100000")
    if run and not run.get("timed_out"):
        return {
            "objects": 100000,
            "wall_s": run["wall_s"],
            "cpu_s": run["cpu_s"],
            "peak_rss_mib": run["peak_rss_mib"],
            "measured": True,
        }
    ext = scale.get("extrapolated") or {}
    if ext.get("objects") == 100000:
        return {
            "objects": 100000,
            "wall_s": ext["wall_s"],
            "cpu_s": ext["cpu_s"],
            "peak_rss_mib": ext["peak_rss_mib"],
            "measured": False,
            "extrapolated_from": ext["from_measured"],
        }
    return {}


def collect(work: Path, machine_info: dict[str, Any] | None, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    previous = previous or {}
    prev_raw = previous.get("raw") or {}
    parts = {n: _load(work / f"{n}.json") for n in PARTS}
    carried = [n for n in PARTS if parts[n] is None and prev_raw.get(n) is not None]
    for n in carried:
        parts[n] = prev_raw[n]
    scan, sidecar, rules, gator, realworld, scale = (parts[n] for n in PARTS[:6])
    reach = parts["reach"]
    small = parts["small"]
    cidr = _load(work / "cidr.json") or _load(ROOT / "bench" / "cidr" / "results.json")
    results: dict[str, Any] = {"machine": machine_info or _load(work / "machine.json") or previous.get("machine")}
    rerun = _load(work / "machine-sidecar-rerun.json") or previous.get("machine_at_sidecar_rerun")
    if rerun:
        results["machine_at_sidecar_rerun"] = rerun
    if carried:
        results["carried_over"] = carried
    results["scan_speedup_vs_checkov"] = scan.get("speedup") if scan else None
    results["scan_speedup_vs_checkov_cpu"] = scan.get("speedup_cpu") if scan else None
    results["recall_ratio_vs_checkov"] = (scan or {}).get("recall", {}).get("recall_ratio")
    head = sidecar_headline(sidecar) if sidecar else {}
    results["sidecar_p99_ms"] = head.get("p99_ms_at_500rps")
    results["sidecar_rps"] = head.get("max_sustained_rps")
    growth = None
    if cidr:
        store = (cidr.get("stores") or {}).get("read_optimized") or {}
        growth = store.get("ratio_last_to_first_median")
    results["cidr_lookup_growth_100x"] = growth
    rw = realworld or {}
    results["realworld_terraform_speedup_vs_checkov"] = (rw.get("terraform") or {}).get("speedup")
    results["realworld_kubeflow_speedup_vs_checkov"] = (rw.get("kubeflow") or {}).get("speedup")
    results["realworld_kubeflow_mlfence_wall_s"] = ((rw.get("kubeflow") or {}).get("mlfence_wall_s") or {}).get(
        "median"
    )
    kubeflow_others = (rw.get("kubeflow") or {}).get("others") or {}
    for peer in ("polaris", "kube-linter"):
        key = f"realworld_kubeflow_speedup_vs_{peer.replace('-', '_')}"
        results[key] = (kubeflow_others.get(peer) or {}).get("mlfence_speedup")
    # `mlfence reach` on bench/reach's platform (1x: 1,000 workloads, 2,000 NetworkPolicies).
    runs = {r["scale"]: r for r in (reach or {}).get("runs", [])}
    results["reach_1x_cpu_s"] = (runs.get(1) or {}).get("cpu_s")
    results["reach_1x_wall_s"] = (runs.get(1) or {}).get("wall_s")
    results["reach_cpu_growth_10x"] = (reach or {}).get("cpu_growth")
    # The same with declared flows (run.py --flows): the declared-flow verdicts on top of the model.
    flows_runs = {r["scale"]: r for r in (reach or {}).get("runs_with_flows", [])}
    results["reach_1x_flows_wall_s"] = (flows_runs.get(1) or {}).get("wall_s")
    flows_1x, flows_10x = ((flows_runs.get(k) or {}).get("cpu_s") for k in (1, 10))
    results["reach_flows_cpu_growth_10x"] = round(flows_10x / flows_1x, 2) if flows_1x and flows_10x else None
    # One NetworkPolicy's admission decision against that platform's inventory (bench/reach/admission.py):
    # the worse of its two cases, in opa run --server; the server's CPU per request beside it. The
    # target's figure is the server as docs/deploy.md runs it with a fed inventory (opa_server_tuned,
    # when measured), the default settings' figure beside it.
    admission = parts["reach_admission"] or {}
    default_p99, default_cpu = _admission_worst(admission.get("opa_server"))
    tuned_p99, tuned_cpu = _admission_worst(admission.get("opa_server_tuned"))
    results["reach_admission_p99_ms"] = tuned_p99 if tuned_p99 is not None else default_p99
    results["reach_admission_server_cpu_ms"] = tuned_cpu if tuned_cpu is not None else default_cpu
    results["reach_admission_default_p99_ms"] = default_p99
    results["reach_admission_default_server_cpu_ms"] = default_cpu
    admission_gator = admission.get("gator_bench") or {}
    gator_p99 = ((admission_gator.get("raw") or {}).get("latencies") or {}).get("p99")
    results["reach_admission_gator_p99_ms"] = _ms(gator_p99) if isinstance(gator_p99, str) else None
    # Each NetworkPolicy review's own Rego time (gator --stats): the non-matching reviews left out.
    np_reviews = admission_gator.get("network_policy_review_rego_ms") or {}
    results["reach_admission_gator_np_p99_ms"] = np_reviews.get("p99")
    # The one NetworkPolicy the server is asked about, reviewed repeatedly in gator (its Rego time
    # per review, --stats): the worse case's p99, the figure comparable with the server's.
    one_cases = (admission.get("gator_one_policy") or {}).get("cases") or {}
    one_p99s = [c["rego_ms"]["p99"] for c in one_cases.values()]
    results["reach_admission_gator_one_p99_ms"] = max(one_p99s) if one_p99s else None
    # The same with docs/deploy.md's collector settings for Gatekeeper's webhook pods.
    tuned_cases = (admission.get("gator_one_policy_tuned") or {}).get("cases") or {}
    tuned_p99s = [c["rego_ms"]["p99"] for c in tuned_cases.values()]
    results["reach_admission_gator_one_tuned_p99_ms"] = max(tuned_p99s) if tuned_p99s else None
    big = scale_headline(scale) if scale else {}
    results["scale_100k_wall_s"] = big.get("wall_s")
    results["scale_100k_peak_rss_mib"] = big.get("peak_rss_mib")
    # `mlfence check` of one small file (bench/small_file.py): the median wall time.
    results["small_file_wall_s"] = ((small or {}).get("wall_s") or {}).get("median")
    results["small_file_cpu_s"] = ((small or {}).get("cpu_s") or {}).get("median")
    if realworld:
        results["realworld"] = {
            "commit": rw.get("commit"),
            "checkov_version": rw.get("checkov_version"),
            "load_average_at_start": rw.get("load_average_at_start"),
            "load_average_at_end": rw.get("load_average_at_end"),
            "started": rw.get("started"),
            "reps": rw.get("reps"),
            "peer_versions": rw.get("peer_versions"),
            "peers_unavailable": rw.get("peers_unavailable"),
            **{
                name: {
                    k: (rw.get(name) or {}).get(k)
                    for k in (
                        "files",
                        *SPEED_KEYS,
                        "mlfence_peak_rss_mib",
                        "checkov_peak_rss_mib",
                        "mlfence_exit_codes",
                        "checkov_exit_codes",
                        "commit",
                        "started",
                        "checkov_errors",
                        "mlfence_command",
                        "others",
                    )
                }
                for name in ("terraform", "kubeflow")
                if rw.get(name)
            },
        }
        for name in ("terraform", "kubeflow"):
            if rw.get(name):
                loads = [r["load_average"][0] for tool in ("mlfence", "checkov") for r in rw[name]["runs"][tool]]
                results["realworld"][name]["load_1min_range_after_runs"] = [min(loads), max(loads)] if loads else None
                mc, cc = rw[name].get("mlfence_counts") or {}, rw[name].get("checkov_counts") or {}
                results["realworld"][name]["mlfence_findings"] = {
                    k: mc.get(k)
                    for k in (
                        "documents",
                        "kubernetes_objects",
                        "terraform_plans",
                        "input_errors",
                        "findings",
                        "fail",
                        "files_with_findings",
                    )
                }
                results["realworld"][name]["checkov_findings"] = cc
    if scale:
        results["scale"] = {
            "commit": scale.get("commit"),
            "load_average_at_start": scale.get("load_average_at_start"),
            "load_average_at_end": scale.get("load_average_at_end"),
            "started": scale.get("started"),
            "runs": {
                n: {
                    k: r.get(k)
                    for k in (
                        "wall_s",
                        "cpu_s",
                        "peak_rss_mib",
                        "exit",
                        "timed_out",
                        "load_average_before",
                        "load_average_after",
                    )
                }
                for n, r in (scale.get("runs") or {}).items()
            },
            "growth": scale.get("growth"),
            "extrapolated": scale.get("extrapolated"),
            "headline_100k": big or None,
        }
    results["targets"] = {}
    for key, (op, bound) in TARGETS.items():
        value = results.get(key)
        met = (
            None
            if value is None
            else {">=": value >= bound, "<=": value <= bound, "<": value < bound, ">": value > bound}[op]
        )
        results["targets"][key] = {"target": f"{op} {bound}", "value": value, "met": met}
    gator_summary = None
    if gator:
        raw = gator["raw"][0] if isinstance(gator["raw"], list) else gator["raw"]
        lat = raw.get("latencies", {})
        gator_summary = {k: _ms(v) for k, v in lat.items()}
        gator_summary.update(
            {
                "reviews_per_second": raw.get("reviewsPerSecond"),
                "templates": gator["templates"],
                "objects": gator["objects"],
                "setup": raw.get("setupDuration"),
                "template_compilation": (raw.get("setupBreakdown") or {}).get("templateCompilation"),
            }
        )
    results["gatekeeper"] = gator_summary
    results["sidecar"] = head or None
    later = _load(work / "head" / "scan.json") or previous.get("scan_later_commit")
    if later:
        # The same scan comparison re-run later on a newer commit (see README).
        results["scan_later_commit"] = later if "runs" not in later else {k: later.get(k) for k in SPEED_KEYS}
    results["raw"] = {
        "scan": scan,
        "sidecar": sidecar,
        "rules": rules,
        "gator": gator,
        "cidr": cidr,
        "realworld": realworld,
        "scale": scale,
        "reach": reach,
        "reach_admission": parts["reach_admission"],
        "small": small,
    }
    return results


def table(results: dict[str, Any]) -> str:
    def fmt(v: Any) -> str:
        return "n/a" if v is None else str(v)

    rows = ["| figure | value | target | met |", "|---|---|---|---|"]
    labels = {
        "scan_speedup_vs_checkov": "CI scan speedup vs Checkov (wall, median)",
        "recall_ratio_vs_checkov": "recall ratio mlfence / Checkov (ML-isolation cases)",
        "sidecar_p99_ms": "sidecar p99 at 500 rps, admission (ms)",
        "cidr_lookup_growth_100x": "CIDR lookup growth 1x -> 100x",
        "realworld_terraform_speedup_vs_checkov": "real-world Terraform plans: speedup vs Checkov (wall, median)",
        "realworld_kubeflow_speedup_vs_checkov": "Kubeflow manifests tree: speedup vs Checkov (wall, median)",
        "realworld_kubeflow_mlfence_wall_s": "Kubeflow manifests tree: mlfence wall s (median)",
        "scale_100k_wall_s": "100k tiny objects: mlfence wall s",
        "scale_100k_peak_rss_mib": "100k tiny objects: peak RSS MiB (largest process)",
        "reach_admission_p99_ms": "one NetworkPolicy's admission vs the 1x reach platform: opa run --server p99 (ms), "
        "as docs/deploy.md runs it with a fed inventory",
        "small_file_wall_s": "mlfence check of one small file: wall s (median)",
        "realworld_kubeflow_speedup_vs_polaris": "Kubeflow manifests tree: Polaris wall / mlfence wall",
        "realworld_kubeflow_speedup_vs_kube_linter": "Kubeflow manifests tree: kube-linter wall / mlfence wall",
    }
    side = results.get("sidecar") or {}
    if side.get("achieved_rps_at_500rps") is not None:
        labels["sidecar_p99_ms"] += f" — served {side['achieved_rps_at_500rps']} of 500 rps"
    big = (results.get("scale") or {}).get("headline_100k") or {}
    if big and not big.get("measured"):
        for key in ("scale_100k_wall_s", "scale_100k_peak_rss_mib"):
            labels[key] += f" — EXTRAPOLATED from {big['extrapolated_from']} objects"
    for key, label in labels.items():
        t = results["targets"][key]
        met = {True: "yes", False: "**no**", None: "n/a"}[t["met"]]
        rows.append(f"| {label} | {fmt(t['value'])} | {t['target']} | {met} |")
    raw = results["raw"]
    scan = raw.get("scan") or {}
    if scan:
        rows.append(f"| scan speedup vs Checkov (CPU seconds, median) | {fmt(scan.get('speedup_cpu'))} | | |")
        if scan.get("mlfence_wall_s"):
            m = scan["mlfence_wall_s"]
            rows.append(f"| mlfence check wall s, median (min-max) | {m['median']} ({m['min']}-{m['max']}) | | |")
        if scan.get("checkov_wall_s"):
            c = scan["checkov_wall_s"]
            rows.append(f"| checkov wall s, median (min-max) | {c['median']} ({c['min']}-{c['max']}) | | |")
        rec = scan.get("recall", {})
        for tool in ("mlfence", "checkov", "checkov_any"):
            if tool in rec:
                name = {"checkov_any": "Checkov recall, any failed check on the resource"}.get(tool, f"{tool} recall")
                rows.append(f"| {name} | {rec[tool]['recall']} ({rec[tool]['detected']}/{rec['known_bad']}) | | |")
    if side:
        rows.append(f"| sidecar max sustained rate, open loop (rps) | {fmt(side.get('max_sustained_rps'))} | 500 | |")
        rows.append(f"| sidecar max throughput, wrk closed loop (rps) | {fmt(side.get('wrk_max_rps'))} | | |")
        rows.append(
            f"| sidecar p99 at 500 rps, every run (ms); OPA RSS MiB | "
            f"{', '.join(map(fmt, side.get('p99_ms_at_500rps_runs') or []))}; {fmt(side.get('opa_rss_mib'))} | | |"
        )
        low, low_p99 = fmt(side.get("lowest_rate")), fmt(side.get("lowest_rate_p99_ms"))
        rows.append(f"| sidecar p99 at {low} rps (ms) | {low_p99} | | |")
    rw = results.get("realworld") or {}
    for name in ("terraform", "kubeflow"):
        r = rw.get(name)
        if not r or not r.get("mlfence_wall_s"):
            continue
        m, mc, mr = r["mlfence_wall_s"], r["mlfence_cpu_s"], r["mlfence_peak_rss_mib"]
        rows.append(
            f"| {name} real-world: mlfence wall s / CPU s / peak RSS MiB, median (wall min-max) | "
            f"{m['median']} ({m['min']}-{m['max']}) / {mc['median']} / {mr['median']} | | |"
        )
        if r.get("checkov_wall_s"):
            c, cc, cr = r["checkov_wall_s"], r["checkov_cpu_s"], r["checkov_peak_rss_mib"]
            rows.append(
                f"| {name} real-world: Checkov wall s / CPU s / peak RSS MiB, median (wall min-max) | "
                f"{c['median']} ({c['min']}-{c['max']}) / {cc['median']} / {cr['median']} | | |"
            )
            rows.append(
                f"| {name} real-world: speedup CPU s; wall per pair | {r.get('speedup_cpu')}; "
                f"{', '.join(map(str, r.get('speedup_pairs') or []))} | | |"
            )
        lo = r.get("load_1min_range_after_runs") or ["?", "?"]
        rows.append(
            f"| {name} real-world: commit / start / 1-min load after each run | {r.get('commit')} / "
            f"{r.get('started')} / {lo[0]}-{lo[1]} | | |"
        )
        for tool, o in (r.get("others") or {}).items():
            w, c, m_ = o["wall_s"], o["cpu_s"], o["peak_rss_mib"]
            shown = "mlfence (kustomize rendering, the default)" if tool == "mlfence_render" else tool
            rows.append(
                f"| {name} real-world: {shown} wall s / CPU s / peak RSS MiB, median (wall min-max); "
                f"its time / mlfence's (wall, CPU); exit | {w['median']} ({w['min']}-{w['max']}) / {c['median']} / "
                f"{m_['median']}; {o.get('mlfence_speedup')}, {o.get('mlfence_speedup_cpu')}; "
                f"{o.get('exit_codes')} | | |"
            )
        f = r.get("mlfence_findings") or {}
        ck = r.get("checkov_findings") or {}
        rows.append(
            f"| {name} real-world: {r.get('files')} files, {f.get('documents')} documents; mlfence findings "
            f"(fail) / input errors; Checkov failed checks / parsing errors | {f.get('findings')} "
            f"({f.get('fail')}) / {f.get('input_errors')}; {ck.get('failed')} / {ck.get('parsing_errors')} | | |"
        )
    if rw:
        rows.append(f"| real-world runs: Checkov version / reps | {rw.get('checkov_version')} / {rw.get('reps')} | | |")
        versions = ", ".join(f"{k} {v}" for k, v in (rw.get("peer_versions") or {}).items())
        rows.append(f"| real-world runs: peers' versions | {versions} | | |")
        for peer, why in (rw.get("peers_unavailable") or {}).items():
            rows.append(f"| real-world runs: {peer} not measured | {why} | | |")
    sc = results.get("scale") or {}
    for n, r in (sc.get("runs") or {}).items():
        state = " (timed out)" if r.get("timed_out") else ""
        rows.append(
            f"| scale {int(n):,} objects: wall s / CPU s / peak RSS MiB{state} | {r['wall_s']} / {r['cpu_s']} / "
            f"{r['peak_rss_mib']} (load {r['load_average_before'][0]}-{r['load_average_after'][0]}) | | |"
        )
    if sc.get("growth"):
        g = sc["growth"]
        rows.append(
            f"| scale growth {g['from']:,} -> {g['to']:,} objects (linear = {g['size_ratio']}): wall / CPU / RSS "
            f"| {g['wall_ratio']} / {g['cpu_ratio']} / {g['rss_ratio']} | | |"
        )
    if sc:
        rows.append(f"| scale run: commit | {sc.get('commit')} | | |")
    small = raw.get("small") or {}
    if small:
        w, c = small["wall_s"], small["cpu_s"]
        rows.append(
            f"| one small file ({small['file']}): wall s median (min) / CPU s median (min) / commit / 1-min load "
            f"| {w['median']} ({w['min']}) / {c['median']} ({c['min']}) / {small['commit']} / "
            f"{small['load_1min_range'][0]}-{small['load_1min_range'][1]} | | |"
        )
    one = results.get("reach_admission_gator_one_p99_ms")
    one_tuned = results.get("reach_admission_gator_one_tuned_p99_ms")
    if one is not None or one_tuned is not None:
        env = ((raw.get("reach_admission") or {}).get("gator_one_policy_tuned") or {}).get("go_env") or {}
        tuned = " ".join(f"{k}={v}" for k, v in env.items()) or "not measured"
        rows.append(
            f"| one NetworkPolicy's admission in gator, Rego time per review p99 (ms, worse case): gator's "
            f"defaults / {tuned} | {fmt(one)} / {fmt(one_tuned)} | <= 10 | |"
        )
    gk = results.get("gatekeeper") or {}
    if gk:
        p50, p99 = fmt(gk.get("p50")), fmt(gk.get("p99"))
        rows.append(f"| gator bench (rego) p50 / p99 per review, all templates (ms) | {p50} / {p99} | | |")
    return "\n".join(rows) + "\n"


def details(results: dict[str, Any]) -> str:
    """Per-category recall, Checkov's misses, sidecar points, entrypoint and rule costs, gator."""
    import checkov_map

    raw, out = results["raw"], []
    rec = (raw.get("scan") or {}).get("recall") or {}
    if rec.get("by_category"):
        out += [
            "",
            "Recall by ML-isolation category (known-bad cases detected):",
            "",
            "| category | known bad | mlfence | Checkov (mapped checks) | Checkov (any failed check) |",
            "|---|---|---|---|---|",
        ]
        for cat, row in rec["by_category"].items():
            out.append(f"| {cat} | {row['known_bad']} | {row['mlfence']} | {row['checkov']} | {row['checkov_any']} |")
    if rec.get("checkov_missed_rules"):
        out += [
            "",
            "Rules whose every known-bad case Checkov misses (no mapped check fails): "
            + ", ".join(rec["checkov_missed_rules"])
            + ".",
        ]
    if rec.get("mlfence_missed"):
        out += ["", "Known-bad cases mlfence missed: " + ", ".join(rec["mlfence_missed"]) + "."]
    side = raw.get("sidecar")
    if side:
        out += [
            "",
            "Sidecar, open loop (median of runs; p99 min-max):",
            "",
            "| workload (generator: Python threads unless named) | target rps | achieved rps | p50 ms | p99 ms "
            "| p99 range | dropped |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, entry in side["workloads"].items():
            for p in entry["points"]:
                rng = "-".join(str(x) for x in p["p99_ms_range"])
                out.append(
                    f"| {name} | {p['target_rps']} | {p['achieved_rps']} | {p['p50_ms']} | {p['p99_ms']} | "
                    f"{rng} | {p.get('dropped', 0)} |"
                )
                go = p.get("vegeta")
                if go:
                    rng = "-".join(str(x) for x in go["p99_ms_range"])
                    out.append(
                        f"| {name} (vegeta) | {p['target_rps']} | {go['achieved_rps']} | {go['p50_ms']} | "
                        f"{go['p99_ms']} | {rng} | |"
                    )
            for w in entry.get("wrk") or []:
                if w:
                    out.append(
                        f"| {name} (wrk, {w['connections']} conn, closed loop) | - | {w['rps']} | "
                        f"{w['p50_ms']} | {w['p99_ms']} | | |"
                    )
    tuning = (side or {}).get("tuning")
    if tuning:
        out += [
            "",
            "Sidecar tuning at 500 AdmissionReviews/s (vegeta; median of runs, p99 min-max): the store and "
            "Go's GC settings (GOGC, GOMEMLIMIT) a deployment can choose; OPA's CPU per request beside them:",
            "",
            "| store | GOGC | GOMEMLIMIT | p50 ms | p99 ms | p99 range | OPA CPU ms/request | OPA RSS MiB |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in tuning:
            rng = "-".join(str(x) for x in row["p99_ms_range"])
            out.append(
                f"| {row['store']} | {row['gogc']} | {row.get('gomemlimit') or '-'} | {row['p50_ms']} | "
                f"{row['p99_ms']} | {rng} | {row.get('opa_cpu_ms_per_request', '-')} | {row['rss_mib']} |"
            )
    rules = raw.get("rules")
    if rules:
        out += [
            "",
            "`opa bench` per entrypoint (full data, --optimize-store-for-read-speed; ms/op median of runs, "
            "eval median, allocations/op):",
            "",
            "| entrypoint | ms/op | eval median ms | allocs/op |",
            "|---|---|---|---|",
        ]
        for name, r in rules["entrypoints"].items():
            out.append(
                f"| {name} | {r['ns_per_op_median'] / 1e6:.2f} | {r['eval_ns_median'] / 1e6:.2f} | "
                f"{r['allocs_per_op']} |"
            )
        if rules.get("slowest"):
            out += [
                "",
                "Ten slowest rule packages (`data.<package>.violation`, one deny example each) and their "
                "`opa eval --profile` hot spots:",
                "",
                "| rule | ms/op | allocs/op | hot spots (location: total time) |",
                "|---|---|---|---|",
            ]
            for r in rules["slowest"]:
                spots = "; ".join(f"{h['location']}: {h['total_time_ns'] / 1e6:.2f} ms" for h in r["hot_spots"][:3])
                out.append(f"| {r['rule']} | {r['ms_per_op']} | {r['allocs_per_op']} | {spots} |")
    gk = results.get("gatekeeper")
    if gk:
        out += [
            "",
            f"gator bench (Rego engine): {gk['templates']} templates, {gk['objects']} objects; latency per "
            f"review of one object against all constraints: p50 {gk.get('p50')} ms, p95 {gk.get('p95')} ms, "
            f"p99 {gk.get('p99')} ms, max {gk.get('max')} ms; {gk.get('reviews_per_second')} reviews/s; "
            f"setup {gk.get('setup')} (template compilation {gk.get('template_compilation')}).",
        ]
    out += ["", "Checkov check IDs mapped to the categories (bench/checkov_map.py):", "", checkov_map.markdown_table()]
    return "\n".join(out) + "\n"


def update_readme(readme: Path, text: str) -> None:
    begin, end = "<!-- results:begin -->", "<!-- results:end -->"
    current = readme.read_text() if readme.exists() else f"{begin}\n{end}\n"
    if begin not in current:
        current += f"\n{begin}\n{end}\n"
    head, rest = current.split(begin, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{begin}\n{text}{end}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--readme", type=Path)
    parser.add_argument("--machine-only", action="store_true", help="write WORK/machine.json and exit")
    args = parser.parse_args()
    if args.machine_only:
        args.work.mkdir(parents=True, exist_ok=True)
        (args.work / "machine.json").write_text(json.dumps(machine(), indent=2) + "\n")
        return
    results = collect(args.work, None, _load(args.out) if args.out.name != "null" else None)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    if args.readme:
        update_readme(args.readme, table(results) + details(results))
    print(table(results))


if __name__ == "__main__":
    main()
