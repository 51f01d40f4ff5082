"""Scale benchmark: one `mlfence check` of N tiny Kubernetes objects (Pods, Services and
NetworkPolicies mixed), for each N in --sizes, and the growth from the smallest to the largest.

    python bench/scale.py [--sizes 10000,100000] [--files 10] [--namespaces 100]
                          [--timeout 900] --work bench/work/scale --out bench/work/scale.json

The objects go to WORK/N/objects-K.yaml (a few multi-document YAML files). Each run is one child
reaped with os.wait4: CPU is user+sys of mlfence and the OPA processes it waited for, peak RSS is
ru_maxrss of that tree (the largest single process, not a sum). A run over --timeout is killed and
recorded as such; with --extrapolate-to N the largest measured size is scaled linearly to N (an
extrapolation, labelled so in the output).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MLFENCE = ROOT / ".venv" / "bin" / "mlfence"


def pod(i: int, ns: str) -> str:
    return (
        f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-{i}\n  namespace: {ns}\n"
        f"  labels:\n    app: app-{i % 50}\nspec:\n  containers:\n  - name: main\n"
        f"    image: registry.example.com/app:{i % 7}\n    ports:\n    - containerPort: 8080\n"
    )


def service(i: int, ns: str) -> str:
    kind = "LoadBalancer" if i % 97 == 0 else "ClusterIP"
    return (
        f"apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\n  namespace: {ns}\nspec:\n"
        f"  type: {kind}\n  selector:\n    app: app-{i % 50}\n  ports:\n  - port: 80\n    targetPort: 8080\n"
    )


def netpol(i: int, ns: str) -> str:
    if i % 3 == 0:  # default deny
        return (
            f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-{i}\n"
            f"  namespace: {ns}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n"
        )
    return (
        f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-{i}\n"
        f"  namespace: {ns}\nspec:\n  podSelector:\n    matchLabels:\n      app: app-{i % 50}\n"
        f"  policyTypes: [Ingress]\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n"
        f"          app: app-{(i + 1) % 50}\n"
    )


def generate(n: int, target: Path, files: int, namespaces: int) -> dict[str, Any]:
    """n objects, 50% Pods, 30% Services, 20% NetworkPolicies, spread over `files` files."""
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("objects-*.yaml"):
        old.unlink()
    kinds = {"Pod": 0, "Service": 0, "NetworkPolicy": 0}
    handles = [(target / f"objects-{k}.yaml").open("w") for k in range(files)]
    try:
        for i in range(n):
            ns = f"team-{i % namespaces}"
            slot = i % 10
            if slot < 5:
                text, kind = pod(i, ns), "Pod"
            elif slot < 8:
                text, kind = service(i, ns), "Service"
            else:
                text, kind = netpol(i, ns), "NetworkPolicy"
            kinds[kind] += 1
            handles[i % files].write("---\n" + text)
    finally:
        for h in handles:
            h.close()
    size = sum(p.stat().st_size for p in target.glob("objects-*.yaml"))
    return {"objects": n, "files": files, "namespaces": namespaces, "kinds": kinds, "bytes": size}


def timed(cmd: list[str], out: Path, timeout: float) -> dict[str, Any]:
    load0 = [round(x, 2) for x in os.getloadavg()]
    t0 = time.perf_counter()
    killed = False
    with out.open("w") as stdout, out.with_suffix(".stderr").open("w") as stderr:
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, start_new_session=True)
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                killed = True
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
    wall = time.perf_counter() - t0
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "user_s": round(usage.ru_utime, 2),
        "sys_s": round(usage.ru_stime, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "exit": None if killed else os.waitstatus_to_exitcode(status),
        "timed_out": killed,
        "load_average_before": load0,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--namespaces", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--extrapolate-to", type=int)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work" / "scale")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    ).stdout.strip()
    result: dict[str, Any] = {
        "commit": commit,
        "nproc": os.cpu_count(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "command": "mlfence check -q --format json WORK/N",
        "runs": {},
    }
    for n in sizes:
        target = args.work / str(n)
        corpus = generate(n, target, args.files, args.namespaces)
        run = timed(
            [str(MLFENCE), "check", "-q", "--format", "json", str(target)], args.work / f"report-{n}.json", args.timeout
        )
        if not run["timed_out"] and run["exit"] in (0, 1, 2):
            s = json.loads((args.work / f"report-{n}.json").read_text())["summary"]
            run["summary"] = {k: s.get(k) for k in ("documents", "kubernetes_objects", "input_errors", "findings")}
        elif not run["timed_out"]:
            run["stderr_tail"] = (args.work / f"report-{n}.stderr").read_text()[-1500:]
        result["runs"][str(n)] = {"corpus": corpus, **run}
        print(
            f"  {n} objects: {run['wall_s']} s wall, {run['cpu_s']} s CPU, {run['peak_rss_mib']} MiB, "
            f"exit {run['exit']}{' (timed out)' if run['timed_out'] else ''}, load {run['load_average_after'][0]}",
            file=sys.stderr,
            flush=True,
        )
    done = [(n, result["runs"][str(n)]) for n in sizes if not result["runs"][str(n)]["timed_out"]]
    if len(done) >= 2:
        (n0, r0), (n1, r1) = done[0], done[-1]
        result["growth"] = {
            "from": n0,
            "to": n1,
            "size_ratio": round(n1 / n0, 2),
            "wall_ratio": round(r1["wall_s"] / r0["wall_s"], 2),
            "cpu_ratio": round(r1["cpu_s"] / r0["cpu_s"], 2),
            "rss_ratio": round(r1["peak_rss_mib"] / r0["peak_rss_mib"], 2),
        }
    if args.extrapolate_to and done and str(args.extrapolate_to) not in {str(n) for n, _ in done}:
        n1, r1 = done[-1]
        k = args.extrapolate_to / n1
        per = {}
        if len(done) >= 2:  # slope between the two largest measured sizes, plus the fixed cost
            n0, r0 = done[-2]
            for key in ("wall_s", "cpu_s", "peak_rss_mib"):
                slope = (r1[key] - r0[key]) / (n1 - n0)
                per[key] = round(r1[key] + slope * (args.extrapolate_to - n1), 1)
        else:
            per = {key: round(r1[key] * k, 1) for key in ("wall_s", "cpu_s", "peak_rss_mib")}
        result["extrapolated"] = {
            "objects": args.extrapolate_to,
            "from_measured": [n for n, _ in done],
            "method": "linear through the two largest measured sizes",
            **per,
            "note": "EXTRAPOLATION, not a measurement",
        }
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result.get(k) for k in ("growth", "extrapolated")}), file=sys.stderr)


if __name__ == "__main__":
    main()
