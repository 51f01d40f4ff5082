"""Sidecar benchmark: a real `opa run --server` with the built bundle (full data), driven on
loopback by an open-loop fixed-rate generator (stdlib threads + http.client, latency measured
from each request's *scheduled* send time, so queueing counts) and by wrk (closed loop, for
the maximum throughput).

    python bench/sidecar.py --bundle B --rates 100,250,500,1000 --duration 10 --out sidecar.json

Workloads (request bodies are what a webhook or a CI job sends):
  admission  AdmissionReviews of every Kubernetes example (all kinds) -> /v1/data/mlfence/admission
  decision   the same AdmissionReviews                                -> /v1/data/mlfence/decision
  plan       Terraform plans of every Terraform example               -> /v1/data/mlfence/decision
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from scan import run_stamp  # noqa: E402

from mlfence import fixtures  # noqa: E402

OPA = ROOT / ".tools" / "bin" / "opa"
VEGETA = ROOT / "bench" / ".bin" / "vegeta"  # bench/pins.txt, built by bench/run.sh
MAX_BACKLOG_S = 2.0
# What summarise() reports of the Python generator's runs (median and min-max over the reps).
OPEN_LOOP_KEYS = (
    "p50_ms",
    "p99_ms",
    "achieved_rps",
    "service_p50_ms",
    "service_p99_ms",
    "opa_cpu_ms_per_request",
)
PATHS = {
    "admission": "/v1/data/mlfence/admission",
    "decision": "/v1/data/mlfence/decision",
    "plan": "/v1/data/mlfence/decision",
}


def payloads(limit: int | None = None, labelled: bool = False) -> dict[str, list[Any]]:
    reviews, plans = [], []
    for case in fixtures.cases():
        if case.parameters:
            continue
        if case.target == "kubernetes":
            body = json.dumps({"input": fixtures.admission_review(case.document, case.key)}).encode()
            reviews.append((f"{case.document.get('kind')} {case.key}", body) if labelled else body)
        else:
            body = json.dumps({"input": case.document}).encode()
            plans.append((f"plan {case.key}", body) if labelled else body)
    if limit:
        reviews, plans = reviews[:limit], plans[:limit]
    return {"admission": reviews, "decision": reviews, "plan": plans}


def per_payload(port: int, repeats: int = 5, limit: int | None = None) -> dict[str, Any]:
    """Serial latency of each payload alone (one connection, median of `repeats`), by kind:
    shows which objects make the tail, independent of queueing."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    rows = []
    bodies = payloads(limit, labelled=True)
    for workload in ("admission", "plan"):
        for label, body in bodies[workload]:
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                conn.request("POST", PATHS[workload], body, {"Content-Type": "application/json"})
                conn.getresponse().read()
                times.append((time.perf_counter() - t0) * 1000)
            rows.append({"payload": label, "workload": workload, "median_ms": round(statistics.median(times), 3)})
    by_kind: dict[str, list[float]] = {}
    for row in rows:
        by_kind.setdefault(row["payload"].split(" ", 1)[0], []).append(row["median_ms"])
    return {
        "repeats": repeats,
        "by_kind_median_ms": {k: round(statistics.median(v), 3) for k, v in sorted(by_kind.items())},
        "slowest": sorted(rows, key=lambda r: -r["median_ms"])[:10],
        "admission_median_of_medians_ms": round(
            statistics.median(r["median_ms"] for r in rows if r["workload"] == "admission"), 3
        ),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`opa run --server` on 127.0.0.1 with the bundle; waits until /health?bundles is 200."""

    def __init__(self, bundle: Path, optimize: bool = False, go_env: dict[str, str] | None = None):
        self.port = free_port()
        args = [
            str(OPA),
            "run",
            "--server",
            "--addr",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "error",
            "--skip-version-check",
            "--disable-telemetry",
            "--bundle",
            str(bundle),
        ]
        if optimize:
            args.insert(2, "--optimize-store-for-read-speed")
        self.command = args
        env = {**os.environ, **go_env} if go_env else None
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"opa exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/health?bundles")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("opa did not become ready in 120 s")

    def cpu_seconds(self) -> float:
        """User + system CPU the OPA process has used so far (/proc/PID/stat), 0 if unreadable."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def measured(self, run: dict[str, Any], cpu_before: float) -> dict[str, Any]:
        """A load run with the OPA process's CPU per answered request and the 1-minute load:
        CPU per request moves far less with the neighbours' load than latency does."""
        spent = self.cpu_seconds() - cpu_before
        run["opa_cpu_ms_per_request"] = round(spent * 1000 / run["ok"], 3) if run["ok"] else None
        run["load_1min"] = round(os.getloadavg()[0], 2)
        return run

    def rss_mib(self) -> float:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
        except OSError:
            pass
        return 0.0

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def check_answers(port: int, bodies: dict[str, list[bytes]]) -> dict[str, int]:
    """Every payload answers 200 with a defined result; returns denied counts per workload."""
    denied: dict[str, int] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for workload, items in bodies.items():
        denied[workload] = 0
        for body in items:
            conn.request("POST", PATHS[workload], body, {"Content-Type": "application/json"})
            resp = conn.getresponse()
            answer = json.loads(resp.read())
            if resp.status != 200 or "result" not in answer:
                raise RuntimeError(f"{workload}: HTTP {resp.status} {str(answer)[:300]}")
            result = answer["result"]
            allowed = result["response"]["allowed"] if workload == "admission" else result["allowed"]
            denied[workload] += int(not allowed)
    return denied


def open_loop(
    port: int, path: str, bodies: list[bytes], rate: float, duration: float, workers: int = 8
) -> dict[str, Any]:
    """Send `rate` requests/s for `duration` s on a fixed schedule; latency from the schedule."""
    total = max(1, int(rate * duration))
    jobs: queue.Queue[tuple[float, bytes] | None] = queue.Queue()
    latencies: list[float] = []
    service: list[float] = []
    errors = [0]
    dropped = [0]
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            job = jobs.get()
            if job is None:
                return
            scheduled, body = job
            t0 = time.perf_counter()
            if t0 - scheduled > MAX_BACKLOG_S:
                # The server is saturated: the request would start seconds late. Count it as
                # dropped so a saturated run ends near its duration instead of draining for minutes.
                with lock:
                    dropped[0] += 1
                continue
            try:
                conn.request("POST", path, body, {"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except OSError:
                ok = False
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            t1 = time.perf_counter()
            with lock:
                if ok:
                    latencies.append(t1 - scheduled)
                    service.append(t1 - t0)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for t in threads:
        t.start()
    start = time.perf_counter() + 0.05
    for i in range(total):
        when = start + i / rate
        delay = when - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        jobs.put((when, bodies[i % len(bodies)]))
    for _ in threads:
        jobs.put(None)
    for t in threads:
        t.join(timeout=duration + 60)
    elapsed = time.perf_counter() - start
    ms = [x * 1000 for x in latencies]
    return {
        "target_rps": rate,
        "sent": total,
        "ok": len(latencies),
        "errors": errors[0],
        "dropped": dropped[0],
        "achieved_rps": round(len(latencies) / elapsed, 1),
        "duration_s": round(elapsed, 2),
        "p50_ms": round(percentile(ms, 50), 3),
        "p90_ms": round(percentile(ms, 90), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "max_ms": round(max(ms), 3) if ms else None,
        "service_p50_ms": round(percentile([x * 1000 for x in service], 50), 3),
        "service_p99_ms": round(percentile([x * 1000 for x in service], 99), 3),
    }


WRK_SCRIPT = """
local bodies = {}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
for line in io.lines(os.getenv("MLF_BODIES")) do bodies[#bodies + 1] = line end
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, os.getenv("MLF_PATH"), nil, bodies[i])
end
done = function(summary, latency, requests)
  io.write(string.format("MLFJSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"errors\\": %d, " ..
    "\\"p50_us\\": %d, \\"p90_us\\": %d, \\"p99_us\\": %d, \\"max_us\\": %d}\\n",
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def wrk_max(port: int, path: str, bodies: list[bytes], duration: float, connections: int) -> dict[str, Any] | None:
    wrk = shutil.which("wrk")
    if not wrk:
        return None
    with tempfile.TemporaryDirectory(prefix="mlf-wrk-") as tmp:
        script, body_file = Path(tmp) / "post.lua", Path(tmp) / "bodies.jsonl"
        script.write_text(WRK_SCRIPT)
        body_file.write_bytes(b"\n".join(bodies) + b"\n")
        env = {**os.environ, "MLF_BODIES": str(body_file), "MLF_PATH": path}
        proc = subprocess.run(
            [
                wrk,
                "-t1",
                f"-c{connections}",
                f"-d{max(1, int(duration))}s",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("MLFJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {proc.stdout[-1000:]} {proc.stderr[-1000:]}")
    raw = json.loads(line[len("MLFJSON ") :])
    return {
        "connections": connections,
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "errors": raw["errors"],
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
    }


def vegeta_open_loop(port: int, path: str, bodies: list[bytes], rate: float, duration: float) -> dict[str, Any] | None:
    """The same fixed-rate load from vegeta (Go): the Python generator's own overhead (~1.5 ms
    at the median, threads and the GIL) is not in these figures. Latency is from each
    request's send time; vegeta adds workers when the server falls behind, so sends stay on
    schedule."""
    if not VEGETA.is_file():
        return None
    with tempfile.TemporaryDirectory(prefix="mlf-vegeta-") as tmp:
        targets = []
        for i, body in enumerate(bodies):
            file = Path(tmp) / f"{i}.json"
            file.write_bytes(body)
            targets.append(f"POST http://127.0.0.1:{port}{path}\nContent-Type: application/json\n@{file}\n")
        (Path(tmp) / "targets").write_text("\n".join(targets))
        attack = subprocess.run(
            [
                str(VEGETA),
                "attack",
                f"-rate={rate:g}/s",
                f"-duration={duration:g}s",
                f"-targets={Path(tmp) / 'targets'}",
                "-timeout=30s",
                "-workers=4",
                f"-output={Path(tmp) / 'results.bin'}",
            ],
            capture_output=True,
            check=False,
        )
        if attack.returncode != 0:
            raise RuntimeError(f"vegeta attack failed: {attack.stderr.decode()[-1000:]}")
        report = subprocess.run(
            [str(VEGETA), "report", "-type=json", str(Path(tmp) / "results.bin")],
            capture_output=True,
            text=True,
            check=False,
        )
    raw = json.loads(report.stdout)
    lat = raw["latencies"]
    ok = sum(n for code, n in raw.get("status_codes", {}).items() if code == "200")
    return {
        "generator": "vegeta",
        "target_rps": rate,
        "sent": raw["requests"],
        "ok": ok,
        "errors": raw["requests"] - ok,
        "dropped": 0,
        "achieved_rps": round(raw["throughput"], 1),
        "p50_ms": round(lat["50th"] / 1e6, 3),
        "p90_ms": round(lat["90th"] / 1e6, 3),
        "p99_ms": round(lat["99th"] / 1e6, 3),
        "max_ms": round(lat["max"] / 1e6, 3),
    }


def gc_settings(text: str) -> list[dict[str, str]]:
    """The Go GC environments of the tuning sweep from "GOGC[:GOMEMLIMIT],...", e.g.
    "100,400,400:384MiB" (the last is examples/sidecar/deployment.yaml's setting)."""
    out = []
    for entry in (x.strip() for x in text.split(",")):
        if not entry:
            continue
        gogc, _, limit = entry.partition(":")
        out.append({"GOGC": gogc, "GOMEMLIMIT": limit} if limit else {"GOGC": gogc})
    return out


def tuning_sweep(
    bundle: Path,
    bodies: list[bytes],
    rate: float,
    duration: float,
    reps: int,
    gc_envs: list[dict[str, str]],
    stores: tuple[bool, ...] = (True, False),
) -> list[dict[str, Any]]:
    """AdmissionReviews at `rate` with vegeta against servers started each way a deployment can
    choose: the read-optimised store or the default one, and Go's GC settings (GOGC, GOMEMLIMIT;
    the store is most of the live heap, so every GC cycle marks all of it)."""
    rows = []
    for optimize in stores:
        for go_env in gc_envs:
            server = Server(bundle, optimize, go_env)
            try:
                check_answers(server.port, {"admission": bodies})
                runs = []
                for _ in range(reps):
                    before = server.cpu_seconds()
                    run = vegeta_open_loop(server.port, PATHS["admission"], bodies, rate, duration)
                    if run:
                        runs.append(server.measured(run, before))
                if not runs:
                    return []
                row = {
                    "store": "read-optimised" if optimize else "default",
                    "gogc": go_env.get("GOGC", "100"),
                    "gomemlimit": go_env.get("GOMEMLIMIT"),
                    "rate": rate,
                    "rss_mib": server.rss_mib(),
                    "runs": runs,
                }
                row.update(summarise(runs, ("p50_ms", "p99_ms", "achieved_rps", "opa_cpu_ms_per_request")))
                rows.append(row)
                print(
                    f"  tuning {row['store']} {go_env}: p50 {row['p50_ms']} p99 {row['p99_ms']} ms "
                    f"({row['p99_ms_range']}), OPA CPU {row['opa_cpu_ms_per_request']} ms/request, "
                    f"RSS {row['rss_mib']} MiB",
                    file=sys.stderr,
                    flush=True,
                )
            finally:
                server.stop()
    return rows


def summarise(runs: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, Any]:
    """Median of each key over repeated runs, and its min-max as key_range."""
    out: dict[str, Any] = {}
    for key in keys:
        values = [r[key] for r in runs if r.get(key) is not None]
        if not values:
            continue
        out[key] = round(statistics.median(values), 3)
        out[key + "_range"] = [min(values), max(values)]
    return out


def sustained(points: list[dict[str, Any]]) -> float | None:
    """Highest fixed rate served on schedule: >= 97% of target achieved, nothing dropped, p99 < 100 ms."""
    good = [
        p["target_rps"]
        for p in points
        if p["errors"] == 0
        and p.get("dropped", 0) == 0
        and p["achieved_rps"] >= 0.97 * p["target_rps"]
        and p["p99_ms"] < 100
    ]
    return max(good) if good else None


def run(
    bundle: Path,
    rates: dict[str, list[float]],
    duration: float,
    reps: int,
    wrk_seconds: float,
    limit: int | None = None,
    optimize: bool = False,
    per_payload_repeats: int = 5,
) -> dict[str, Any]:
    bodies = payloads(limit)
    server = Server(bundle, optimize)
    try:
        denied = check_answers(server.port, bodies)
        # Warm up every payload once more per workload.
        check_answers(server.port, bodies)
        result: dict[str, Any] = {
            "opa_command": " ".join(["opa", *server.command[1:-1], "BUNDLE"]),
            "payloads": {k: len(v) for k, v in bodies.items()},
            "payload_bytes_median": {k: int(statistics.median(len(b) for b in v)) for k, v in bodies.items()},
            "denied_payloads": denied,
            "workloads": {},
        }
        for workload, workload_rates in rates.items():
            points = []
            for rate in workload_rates:
                runs = []
                for _ in range(reps):
                    before = server.cpu_seconds()
                    run = open_loop(server.port, PATHS[workload], bodies[workload], rate, duration)
                    runs.append(server.measured(run, before))
                point = {
                    "target_rps": rate,
                    "runs": runs,
                    **summarise(runs, OPEN_LOOP_KEYS),
                }
                point["errors"] = sum(r["errors"] for r in runs)
                point["dropped"] = sum(r["dropped"] for r in runs)
                go_runs = []
                for _ in range(reps):
                    before = server.cpu_seconds()
                    go_run = vegeta_open_loop(server.port, PATHS[workload], bodies[workload], rate, duration)
                    if go_run:
                        go_runs.append(server.measured(go_run, before))
                if go_runs:
                    point["vegeta"] = {
                        "runs": go_runs,
                        **summarise(go_runs, ("p50_ms", "p99_ms", "achieved_rps", "opa_cpu_ms_per_request")),
                    }
                    point["vegeta"]["errors"] = sum(r["errors"] for r in go_runs)
                    print(
                        f"  {workload} @ {rate}/s (vegeta): p50 {point['vegeta']['p50_ms']} ms "
                        f"p99 {point['vegeta']['p99_ms']} ms",
                        file=sys.stderr,
                        flush=True,
                    )
                points.append(point)
                print(
                    f"  {workload} @ {rate}/s: p50 {point['p50_ms']} ms p99 {point['p99_ms']} ms "
                    f"({point['p99_ms_range']}) achieved {point['achieved_rps']}/s",
                    file=sys.stderr,
                    flush=True,
                )
            entry: dict[str, Any] = {"path": PATHS[workload], "points": points, "max_sustained_rps": sustained(points)}
            if wrk_seconds:
                entry["wrk"] = [
                    wrk_max(server.port, PATHS[workload], bodies[workload], wrk_seconds, c) for c in (1, 2, 4)
                ]
            result["workloads"][workload] = entry
        if per_payload_repeats:
            result["per_payload"] = per_payload(server.port, per_payload_repeats, limit)
        result["opa_rss_mib"] = server.rss_mib()
        return result
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--rates", default="100,250,500,1000,1500", help="admission rates")
    parser.add_argument("--plan-rates", default="50,100,250,500")
    parser.add_argument("--decision-rates", default="500")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--wrk-seconds", type=float, default=10)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--store",
        choices=("default", "read-optimised"),
        default="default",
        help="OPA's store for the main measurements: default is what docs/deploy.md runs",
    )
    parser.add_argument(
        "--tuning-gogc",
        default="100,400,400:384MiB",
        help="GC settings of the 500/s tuning sweep, GOGC[:GOMEMLIMIT] each ('' skips it)",
    )
    parser.add_argument(
        "--tuning-stores",
        default="read-optimised,default",
        help="stores of the tuning sweep (read-optimised, default)",
    )
    parser.add_argument(
        "--tuning-only", action="store_true", help="only the tuning sweep (no rate points, wrk or per-payload runs)"
    )
    args = parser.parse_args()

    def floats(text: str) -> list[float]:
        return [float(x) for x in text.split(",") if x]

    rates = {"admission": floats(args.rates), "decision": floats(args.decision_rates), "plan": floats(args.plan_rates)}
    rates = {k: v for k, v in rates.items() if v}
    stamp = run_stamp()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    if args.tuning_only:
        result: dict[str, Any] = {"tuning_only": True}
    else:
        result = run(
            args.bundle,
            rates,
            args.duration,
            args.reps,
            args.wrk_seconds,
            args.limit,
            optimize=args.store == "read-optimised",
        )
    result.update(stamp, load_average_at_start=load_at_start)
    gc_envs = gc_settings(args.tuning_gogc)
    if gc_envs:
        stores = tuple(name == "read-optimised" for name in args.tuning_stores.split(",") if name)
        result["tuning"] = tuning_sweep(
            args.bundle,
            payloads(args.limit)["admission"],
            500,
            args.duration,
            args.reps,
            gc_envs,
            stores,
        )
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
