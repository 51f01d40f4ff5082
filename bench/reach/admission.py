"""The admission decision for one NetworkPolicy against the inventory of bench/reach's platform
(issue 12 §5: p99 <= 10 ms), in a real `opa run --server` and in `gator bench`.

    .venv/bin/python bench/reach/admission.py --out bench/work/reach-admission.json [--scale 1]
        [--requests 300] [--tuned] [--feed put|file] [--gator-iterations 1] [--gator-namespaces N]
        [--gator-mode networkpolicy|one-policy|cut] [--gator-one-policy-reviews 300]
        [--gator-tuned-reviews 1000]
        [--gogc 400] [--opa-flag=--optimize-store-for-read-speed]

The platform (make_platform.py: per 1x, 200 namespaces, 1,000 workloads, 2,000 NetworkPolicies)
is the inventory, in Gatekeeper's data.inventory shape, and a declaration of flows (one component
per namespace tier, tier 0 may reach tier 1 on 8080) is the `flows` parameter, so the
declared-flow rules (MLF-K8S-060/061/062) compute the connectivity model at every review. Two
AdmissionReviews of a new NetworkPolicy are judged: one that opens a declared flow (tier 0 ->
tier 1, admitted) and one that opens an undeclared one (tier 1 -> tier 2, denied).

OPA: `opa run --server` on the policy and data folders; once it is healthy the inventory and
the declaration are written with `PUT /v1/data/inventory` and `PUT /v1/data/mlfence/overrides`,
as kube-mgmt feeds a sidecar (docs/deploy.md; recorded as "fed"). `--feed file` loads them as a
data file at start-up instead, the older measurement: the server then also keeps the decoded JSON
of that file (~14 MiB more live heap with --optimize-store-for-read-speed, go_gc_heap_live_bytes). Decisions: `POST
/v1/data/mlfence/admission` over one keep-alive connection, one request at a time after a
warm-up; latency measured by the client per request, and the server's CPU time (user + system
from /proc) over the measured requests, per request; the declared case must be admitted and the
undeclared one denied. Also recorded: the Go collector's cycles during each case's measured
requests, and after them the server's peak RSS and its live heap as the collector last marked it
(`go_gc_cycles_total_gc_cycles_total` and `go_gc_heap_live_bytes` of OPA's /metrics).
--gogc and --opa-flag run the server with a Go collector setting or extra `opa run` flags (both
recorded in the output); without them it runs as docs/deploy.md's sidecar does.

gator (`--gator-mode networkpolicy`, the default): the decision the target names, as Gatekeeper
takes it. `gator bench --engine rego` with the generated templates and Constraints of every rule
whose kinds include NetworkPolicy (MLF-K8S-060 and the seven that judge a policy alone; 061 and 062
match workloads and Namespaces, so a NetworkPolicy's admission never evaluates them), each
Constraint's match narrowed to kind NetworkPolicy, and the whole platform plus the denied
NetworkPolicy as resources. gator loads every resource as data.inventory and reviews each one
(gatekeeper pkg/gator/bench): at 1x the 1,201 Namespaces and workloads match no Constraint and take
microseconds, the 2,001 NetworkPolicies are each judged against the whole inventory. Recorded:
gator's percentiles over all reviews (it reports no others), the number of NetworkPolicy reviews,
the mean per NetworkPolicy review (total duration / their number; the non-matching reviews'
microseconds are in it), each NetworkPolicy review's Rego time from `--stats` (the templates' run
times summed; p50/p95/p99/max) and each template's mean, allocations per NetworkPolicy review from
`--memory` (every review's allocations over the NetworkPolicy reviews: an upper bound), and the
gator process's CPU (user + system).
--gator-namespaces N reviews the NetworkPolicies of the first N team namespaces only
(match.namespaces; the inventory stays whole) for a cheaper run. `--gator-mode cut` is the older
measurement: the three declared-flow templates (MLF-K8S-060/061/062) with their own kinds on the
platform cut to N namespaces, where Namespace and workload reviews dominate.

gator, one policy (`gator_one_policy`: after the networkpolicy mode, or alone with `--gator-mode
one-policy`; `--gator-one-policy-reviews 0` skips it): the decision the OPA server is asked for,
each case's NetworkPolicy reviewed `--warmup` + N times with the Constraints matched to its name
and namespace (gator_one_policy's docstring says how its distribution is read). Its tail is the
Go collector: at gator's defaults a cycle every ~30 reviews slows 2-4 of them by 2-3x.
`--gator-tuned-reviews N` runs it again over N reviews per case with docs/deploy.md's collector
settings for Gatekeeper's webhook pods (TUNED_GATOR_ENV; recorded as gator_one_policy_tuned).
Every gator run records its collector's cycles and peak heap (GODEBUG=gctrace=1).

The load average at the start is recorded: on a shared machine wall latencies say little alone.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tools"))

from make_platform import platform  # noqa: E402

from mlfence import fixtures, gatekeeper, parameters  # noqa: E402

OPA = ROOT / ".tools" / "bin" / "opa"
GATOR = ROOT / ".tools" / "bin" / "gator"
MODEL_RULES = ("MLF-K8S-060", "MLF-K8S-061", "MLF-K8S-062")
ADMISSION = "/v1/data/mlfence/admission"
# docs/deploy.md's settings for a sidecar fed data.inventory: the inventory kept as parsed values
# (the default store converts every object a decision reads), the collector at 5x the live heap.
TUNED_FLAGS = ["--optimize-store-for-read-speed"]
TUNED_GOGC = "400"
# docs/deploy.md's collector settings for Gatekeeper's webhook pods when MLF-K8S-060 is enforced:
# no cycle by heap growth, one when the heap nears the limit (gator's live heap here is ~57 MiB and
# a review allocates ~1 MiB, so a cycle every ~900 reviews instead of every ~30).
TUNED_GATOR_ENV = {"GOGC": "off", "GOMEMLIMIT": "1GiB"}

FLOWS = {
    "components": [{"name": f"tier-{t}", "namespace_selector": {"matchLabels": {"tier": str(t)}}} for t in range(3)],
    "allow": [{"from": "tier-0", "to": "tier-1", "ports": [8080]}],
}


def inventory(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """Gatekeeper's data.inventory shape."""
    inv: dict[str, Any] = {"namespace": {}, "cluster": {}}
    for obj in objects:
        ns = obj["metadata"].get("namespace")
        place = inv["namespace"].setdefault(ns, {}) if ns else inv["cluster"]
        place.setdefault(obj["apiVersion"], {}).setdefault(obj["kind"], {})[obj["metadata"]["name"]] = obj
    return inv


def opening(namespace: str, previous: str) -> dict[str, Any]:
    """A new NetworkPolicy letting app-0 of the previous namespace reach app-1 here on 8080 (app-0
    already has the egress for it, make_platform.py): it opens one flow between two tiers."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "allow-from-previous", "namespace": namespace},
        "spec": {
            "podSelector": {"matchLabels": {"app": "app-1"}},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {
                            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": previous}},
                            "podSelector": {"matchLabels": {"app": "app-0"}},
                        }
                    ],
                    "ports": [{"port": 8080}],
                }
            ],
        },
    }


CASES = {
    "declared_flow": opening("team-0001", "team-0000"),  # tier 0 -> tier 1: declared
    "undeclared_flow": opening("team-0002", "team-0001"),  # tier 1 -> tier 2: not declared
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _peak_rss_mib(pid: int) -> float | None:
    """The process's peak resident set (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _go_metrics(conn: http.client.HTTPConnection) -> tuple[float, int]:
    """From OPA's /metrics: the heap the Go collector found live at its last cycle (MiB) and the
    number of collector cycles so far."""
    conn.request("GET", "/metrics")
    values = dict(
        line.split(" ", 1) for line in conn.getresponse().read().decode().splitlines() if line.startswith("go_gc_")
    )
    return float(values["go_gc_heap_live_bytes"]) / 2**20, int(values["go_gc_cycles_total_gc_cycles_total"])


def _feed(conn: http.client.HTTPConnection, documents: dict[str, bytes]) -> dict[str, float]:
    """PUT each document at its path under /v1/data, as kube-mgmt writes a sidecar's
    data.inventory: the seconds each took. (A write under data.mlfence takes seconds: OPA's path
    conflict check reads, in the write transaction, a deep copy of data.mlfence, range data
    included, for each rule path under it; data.inventory holds no rules.)"""
    seconds = {}
    for path, body in documents.items():
        t0 = time.monotonic()
        conn.request("PUT", f"/v1/data/{path}", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        answer = response.read()
        if response.status != 204:
            raise SystemExit(f"PUT /v1/data/{path}: {response.status} {answer[:500]!r}")
        seconds[path] = round(time.monotonic() - t0, 2)
    return seconds


def opa_server(
    documents: dict[str, bytes], extra: Path, requests: int, warmup: int, flags: list[str], gogc: str | None, feed: str
) -> dict[str, Any]:
    """`documents` (path under data -> JSON) PUT once the server is healthy (feed "put"), or
    `extra`, a folder holding them as one data file, loaded at start-up (feed "file")."""
    port = _free_port()
    env = {**os.environ, "GOGC": gogc} if gogc else None
    proc = subprocess.Popen(
        [
            # Errors only: stderr is a pipe read on failure, and the info level's two lines per
            # request filled it after ~100 requests, blocking the server mid-benchmark.
            *(str(OPA), "run", "--server", "--log-level", "error", "--addr", f"127.0.0.1:{port}", *flags),
            *("--ignore", "*_test.rego"),
            *(str(ROOT / "policy"), str(ROOT / "data")),
            *([str(extra)] if feed == "file" else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        started = time.monotonic()
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() - started > 300:
                why = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
                raise SystemExit(f"opa run did not become ready: {why}")
            time.sleep(0.2)
        ready_s = time.monotonic() - started
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        out: dict[str, Any] = {
            "flags": flags,
            "gogc": gogc or os.environ.get("GOGC") or "default (100)",
            "fed": "PUT /v1/data" if feed == "put" else "data file at start-up",
            "ready_s": round(ready_s, 2),
        }
        if feed == "put":
            out["feed_s"] = _feed(conn, documents)
        out["cases"] = {}
        for name, policy in CASES.items():
            body = json.dumps({"input": fixtures.admission_review(policy, name)}).encode()

            def ask(payload: bytes = body) -> dict[str, Any]:
                conn.request("POST", ADMISSION, payload, {"Content-Type": "application/json"})
                return json.loads(conn.getresponse().read())

            first_t0 = time.perf_counter()
            answer = ask()["result"]["response"]
            first_ms = (time.perf_counter() - first_t0) * 1000
            if answer["allowed"] is not (name == "declared_flow"):
                raise SystemExit(f"{name}: allowed is {answer['allowed']} ({out['fed']}): {answer}")
            for _ in range(warmup):
                ask()
            _, cycles0 = _go_metrics(conn)
            cpu0 = _cpu_s(proc.pid)
            times = []
            for _ in range(requests):
                t0 = time.perf_counter()
                ask()
                times.append((time.perf_counter() - t0) * 1000)
            cpu_ms = (_cpu_s(proc.pid) - cpu0) * 1000 / requests
            _, cycles = _go_metrics(conn)
            out["cases"][name] = {
                "allowed": answer["allowed"],
                "denial": answer.get("status", {}).get("message", "")[:300],
                "first_request_ms": round(first_ms, 1),
                "requests": requests,
                "p50_ms": round(statistics.median(times), 2),
                "p99_ms": round(_percentile(times, 0.99), 2),
                "max_ms": round(max(times), 2),
                "server_cpu_ms_per_request": round(cpu_ms, 2),
                "gc_cycles": cycles - cycles0,
            }
        out["peak_rss_mib"] = _peak_rss_mib(proc.pid)
        # What the collector marked at its last cycle, during the measured requests if it ran then
        # (one request's garbage in flight at most): the store, the compiled policy, the data.
        out["live_heap_mib"] = round(_go_metrics(conn)[0], 1)
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def first_namespaces(objects: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """The platform cut to its first `count` team namespaces (and kube-system)."""
    keep = {f"team-{n:04d}" for n in range(count)} | {"kube-system"}
    return [o for o in objects if (o["metadata"].get("namespace") or o["metadata"]["name"]) in keep]


def network_policy_rules() -> list[str]:
    """The rules whose Constraints match a NetworkPolicy: what Gatekeeper evaluates when one is
    admitted (MLF-K8S-061 and 062 match workloads and Namespaces only, so they are not among them)."""
    return sorted(r.rule_id for r in gatekeeper.kubernetes_rules() if "NetworkPolicy" in r.kinds)


def _write_artifacts(work: Path, rules: list[str], narrow: dict[str, Any] | None) -> None:
    """The generated templates and Constraints of `rules`; with `narrow`, each Constraint's
    match.kinds replaced by it (its other match fields, e.g. excludedNamespaces, kept)."""
    params = {**parameters.gatekeeper(ROOT / "data"), "flows": FLOWS}
    wanted = {r.lower() for r in rules}
    for artifact in gatekeeper.artifacts(params):
        if artifact.path.startswith(("templates/", "constraints/")) and Path(artifact.path).stem in wanted:
            document = artifact.document
            if narrow and artifact.path.startswith("constraints/"):
                document["spec"]["match"].update(narrow)
            path = work / artifact.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(gatekeeper.dump(document))


def _run_gator(
    work: Path,
    objects: list[dict[str, Any]],
    iterations: int,
    extra: list[str],
    reviewed: list[dict[str, Any]] | None = None,
    go_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """`gator bench` on work's templates and Constraints and `objects` plus `reviewed` (default: the
    denied NetworkPolicy) as resources, in that order: its JSON result, the process's wall and CPU
    seconds, and its Go collector's cycles and peak heap (from GODEBUG=gctrace=1); `go_env` sets
    Go runtime variables (GOGC, GOMEMLIMIT) for it."""
    resources = work / "resources" / "platform.yaml"
    resources.parent.mkdir(parents=True, exist_ok=True)
    everything = [*objects, *(reviewed if reviewed is not None else [CASES["undeclared_flow"]])]
    # One JSON document per object (JSON is YAML, which gator reads): yaml.safe_dump_all of the 1x
    # platform took ~1.3 s.
    resources.write_text("\n---\n".join(json.dumps(o) for o in everything) + "\n")
    cmd = [str(GATOR), "bench", "--engine", "rego", "--iterations", str(iterations), "--warmup", "0", *extra]
    cmd += ["--output", "json", "-f", str(work / "templates"), "-f", str(work / "constraints"), "-f", str(resources)]
    env = {**os.environ, **(go_env or {}), "GODEBUG": "gctrace=1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"gator bench failed ({proc.returncode}): {proc.stderr[-2000:]}")
    [raw] = json.loads(proc.stdout)
    cycles, peak_heap_mib = gc_trace(proc.stderr)
    return {
        "command": " ".join(["gator", *cmd[1:]]).replace(str(work), "WORK"),
        # the collector settings the run had: go_env's, else the environment's
        "go_env": {k: env[k] for k in ("GOGC", "GOMEMLIMIT") if k in env},
        "gc_cycles": cycles,
        "gc_peak_heap_mib": peak_heap_mib,
        "templates": len(list((work / "templates").glob("*.yaml"))),
        "objects_reviewed_per_iteration": len(everything),
        "wall_s": round(wall, 1),
        "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 1),
        "raw": raw,
    }


def gc_trace(stderr: str) -> tuple[int, int]:
    """The number of collector cycles in a Go program's GODEBUG=gctrace=1 output and the largest
    heap a cycle started at, in MiB (each line's "<start>-><end>-><live> MB")."""
    cycles, peak = 0, 0
    for line in stderr.splitlines():
        if not line.startswith("gc "):
            continue
        cycles += 1
        for field in line.split(","):
            field = field.strip()
            if field.endswith(" MB") and "->" in field:
                peak = max(peak, int(field.split("->")[0]))
    return cycles, peak


def gator_bench(objects: list[dict[str, Any]], work: Path, iterations: int) -> dict[str, Any]:
    """The old measurement: the three declared-flow templates with their own match.kinds, on
    `objects` (a cut of the platform): every workload and Namespace is reviewed against the model too."""
    _write_artifacts(work, list(MODEL_RULES), None)
    return _run_gator(work, objects, iterations, [])


def per_review_ms(stats_entries: list[dict[str, Any]], templates: int) -> tuple[list[float], dict[str, float]]:
    """gator's --stats entries (first iteration only) as the Rego time of each review that
    matched, all its templates summed, and each template's mean. A review that matches every
    Constraint gives one entry per template kind, consecutively."""
    times: list[tuple[str, float]] = []
    for entry in stats_entries:
        for stat in entry.get("stats") or []:
            if stat.get("name") == "templateRunTimeNS":
                times.append((entry["statsFor"], stat["value"] / 1e6))
    if len(times) % templates:
        raise SystemExit(f"gator --stats: {len(times)} template times, not a multiple of {templates} templates")
    reviews = [times[i : i + templates] for i in range(0, len(times), templates)]
    for review in reviews:
        if len({kind for kind, _ in review}) != templates:
            raise SystemExit("gator --stats: a review's entries do not name every template once")
    by_kind: dict[str, list[float]] = {}
    for kind, ms in times:
        by_kind.setdefault(kind, []).append(ms)
    means = {kind: round(statistics.fmean(v), 2) for kind, v in sorted(by_kind.items())}
    return [sum(ms for _, ms in review) for review in reviews], means


def _template_time_ms(entry: dict[str, Any]) -> float | None:
    """A --stats entry's templateRunTimeNS in milliseconds (None: the entry has none)."""
    for stat in entry.get("stats") or []:
        if stat.get("name") == "templateRunTimeNS":
            return float(stat["value"]) / 1e6
    return None


def _duration_ms(text: str) -> float:
    """gator's Go durations ("1m2.5s", "43.87s", "16.04ms", "24.6µs") in milliseconds."""
    units = {"h": 3.6e6, "m": 6e4, "s": 1e3, "ms": 1.0, "µs": 1e-3, "us": 1e-3, "ns": 1e-6}
    total, number = 0.0, ""
    i = 0
    while i < len(text):
        if text[i].isdigit() or text[i] == ".":
            number += text[i]
            i += 1
            continue
        unit = next(u for u in ("ms", "µs", "us", "ns", "h", "m", "s") if text.startswith(u, i))
        total += float(number) * units[unit]
        number, i = "", i + len(unit)
    return total


def gator_network_policy(objects: list[dict[str, Any]], work: Path, iterations: int, namespaces: int) -> dict[str, Any]:
    """The decision the target names, in Gatekeeper: the generated templates and Constraints of
    every rule matching a NetworkPolicy, each Constraint's match narrowed to kind NetworkPolicy,
    and the whole platform (plus the denied NetworkPolicy) as resources. gator loads every
    resource as data.inventory and reviews each one; the Namespaces and workloads then match no
    Constraint (microseconds each), so the time is the NetworkPolicies' reviews, each against the
    whole inventory. With `namespaces`, only the NetworkPolicies of the first that many team
    namespaces match (match.namespaces); the inventory stays the whole platform."""
    rules = network_policy_rules()
    narrow: dict[str, Any] = {"kinds": [{"apiGroups": ["*"], "kinds": ["NetworkPolicy"]}]}
    reviewed = [*objects, CASES["undeclared_flow"]]
    if namespaces:
        narrow["namespaces"] = [f"team-{n:04d}" for n in range(namespaces)]
        reviewed = [o for o in reviewed if o["metadata"].get("namespace") in narrow["namespaces"]]
    _write_artifacts(work, rules, narrow)
    run = _run_gator(work, objects, iterations, ["--stats", "--memory"])
    raw = run["raw"]
    stats = raw.pop("statsEntries", None) or []  # thousands of entries: summarised below, not kept
    policies = sum(1 for o in reviewed if o["kind"] == "NetworkPolicy") * iterations
    per_review, template_means = per_review_ms(stats, len(rules))
    latencies = {k: round(_duration_ms(v), 3) for k, v in (raw.get("latencies") or {}).items()}
    memory = raw.get("memoryStats") or {}
    return {
        "rules": rules,
        "constraint_match": narrow,
        **{k: v for k, v in run.items() if k != "raw"},
        "reviews": raw.get("totalReviews"),
        "network_policy_reviews": policies,
        "violations": raw.get("violationCount"),
        # gator's own percentiles are over every review, the non-matching ones included.
        "all_reviews_ms": latencies,
        "mean_ms_per_network_policy_review": round(_duration_ms(raw["totalDuration"]) / policies, 2),
        # --stats: the Rego time of each NetworkPolicy review (first iteration), templates summed.
        "network_policy_review_rego_ms": {
            "reviews": len(per_review),
            "p50": round(_percentile(per_review, 0.5), 2),
            "p95": round(_percentile(per_review, 0.95), 2),
            "p99": round(_percentile(per_review, 0.99), 2),
            "max": round(max(per_review), 2),
            "mean": round(statistics.fmean(per_review), 2),
        }
        if per_review
        else None,
        "template_mean_ms": template_means,
        # --memory counts every review's allocations: the non-matching ones' Constraint matching
        # is in this figure too, so it is an upper bound per NetworkPolicy review.
        "allocations_per_network_policy_review": round(memory["totalAllocs"] / policies) if memory else None,
        "raw": raw,
    }


def gator_one_policy(
    objects: list[dict[str, Any]], work: Path, reviews: int, warmup: int, go_env: dict[str, str] | None = None
) -> dict[str, Any]:
    """The admission of the one NetworkPolicy the OPA server is asked about (each case of CASES),
    repeated, in Gatekeeper: the templates and Constraints of every rule matching a NetworkPolicy,
    each Constraint's match narrowed to that object's kind, namespace and name, and the whole
    platform plus `warmup + reviews` copies of the object as resources (gator loads them all as
    data.inventory, the copies into one place, and reviews each once). The platform's objects
    match nothing (microseconds each); each copy is that one decision. gator's latencies are over
    every review and `--stats` covers the first iteration only, so the decision's distribution is
    read from the copies' `--stats` entries (the Rego time of each review, its templates summed;
    the first `warmup` reviews dropped), not from `--iterations`. A run of the platform alone
    (nothing matching) gives what the other reviews cost: the copies' mean review time and
    allocations are the run's totals minus it. `go_env` (GOGC, GOMEMLIMIT) is set for every gator
    run; its collector's cycles are recorded per run (gc_cycles: the loading included)."""
    rules = network_policy_rules()
    out: dict[str, Any] = {
        "rules": rules,
        "reviews": reviews,
        "warmup_reviews_dropped": warmup,
        "go_env": go_env or {},
        "cases": {},
    }

    def narrow_to(policy: dict[str, Any]) -> dict[str, Any]:
        meta = policy["metadata"]
        kinds = [{"apiGroups": ["*"], "kinds": ["NetworkPolicy"]}]
        return {"kinds": kinds, "namespaces": [meta["namespace"]], "name": meta["name"]}

    # The platform alone, nothing matching: what the other reviews of a run cost, subtracted below.
    _write_artifacts(work / "none", rules, narrow_to(CASES["declared_flow"]))
    control = _run_gator(work / "none", objects, 1, ["--memory"], [], go_env)
    control_ms = _duration_ms(control["raw"]["totalDuration"])
    control_allocs = (control["raw"].get("memoryStats") or {}).get("totalAllocs")
    out["platform_reviews"] = {
        "reviews": control["raw"].get("totalReviews"),
        "total_ms": round(control_ms, 1),
        "allocations": control_allocs,
        "cpu_s": control["cpu_s"],
    }
    for name, policy in CASES.items():
        narrow = narrow_to(policy)
        _write_artifacts(work / name, rules, narrow)
        copies = warmup + reviews
        run = _run_gator(work / name, objects, 1, ["--stats", "--memory"], [policy] * copies, go_env)
        raw = run["raw"]
        stats = [e for e in raw.pop("statsEntries", None) or [] if _template_time_ms(e) is not None]
        if len(stats) != copies * len(rules):
            raise SystemExit(f"gator one-policy {name}: {len(stats)} template runs, not {len(rules)} x {copies} copies")
        first, _ = per_review_ms(stats[: len(rules)], len(rules))
        kept = stats[warmup * len(rules) :]
        measured, template_means = per_review_ms(kept, len(rules))
        by_kind: dict[str, list[float]] = {}
        for entry in kept:
            by_kind.setdefault(entry["statsFor"], []).append(_template_time_ms(entry) or 0.0)
        violations = raw.get("violationCount") or 0
        # The verdict OPA gives: the declared flow admitted, the undeclared one denied (MLF-K8S-060
        # on the reviewed policy) at every review.
        if (violations == 0) is not (name == "declared_flow") or violations % copies:
            raise SystemExit(f"gator one-policy {name}: {violations} violations for {copies} reviews")
        memory = raw.get("memoryStats") or {}
        out["cases"][name] = {
            "constraint_match": narrow,
            **{k: v for k, v in run.items() if k != "raw"},
            "violations_per_review": violations // copies,
            "rego_ms": {
                "p50": round(_percentile(measured, 0.5), 2),
                "p95": round(_percentile(measured, 0.95), 2),
                "p99": round(_percentile(measured, 0.99), 2),
                "max": round(max(measured), 2),
                "mean": round(statistics.fmean(measured), 2),
                "first_review": round(first[0], 2),
                # the reviews a collector cycle slows (they come in runs of 2-4, one per cycle)
                "reviews_over_twice_p50": sum(1 for v in measured if v > 2 * _percentile(measured, 0.5)),
            },
            "template_mean_ms": template_means,
            "template_p99_ms": {kind: round(_percentile(v, 0.99), 2) for kind, v in sorted(by_kind.items())},
            # gator's whole review (matching, the driver's conversions, the templates) per copy, the
            # warm-up copies included: the run's total duration and allocations minus the platform's.
            "mean_review_ms": round((_duration_ms(raw["totalDuration"]) - control_ms) / copies, 2),
            "allocations_per_review": round((memory["totalAllocs"] - control_allocs) / copies)
            if memory and control_allocs
            else None,
            # The gator process's CPU minus the platform run's (start-up, loading, the other
            # reviews), per copy: the figure load changes least.
            "cpu_ms_per_review": round((run["cpu_s"] - control["cpu_s"]) * 1000 / copies, 1),
            "all_reviews_ms": {k: round(_duration_ms(v), 3) for k, v in (raw.get("latencies") or {}).items()},
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--gator-iterations", type=int, default=1, help="0 skips gator bench")
    parser.add_argument(
        "--gator-mode",
        choices=("networkpolicy", "one-policy", "cut"),
        default="networkpolicy",
        help="networkpolicy: every rule matching a NetworkPolicy, Constraints narrowed to that kind, the "
        "whole platform as inventory, every NetworkPolicy reviewed, then the one-policy run; one-policy: "
        "only the one NetworkPolicy of each case reviewed repeatedly (--gator-one-policy-reviews); cut: "
        "the three declared-flow templates with their own kinds on the platform cut to --gator-namespaces",
    )
    parser.add_argument(
        "--gator-namespaces",
        type=int,
        default=0,
        help="networkpolicy mode: review only the NetworkPolicies of the first N team namespaces (the "
        "inventory stays whole); cut mode: the platform cut to N namespaces. 0: all",
    )
    parser.add_argument(
        "--gator-one-policy-reviews",
        type=int,
        default=300,
        help="with gator: also review the one NetworkPolicy of each case (CASES) this many times after "
        "--warmup reviews, Constraints matched to its name and namespace (recorded as gator_one_policy); "
        "0 skips it",
    )
    parser.add_argument(
        "--gator-tuned-reviews",
        type=int,
        default=0,
        help="also run the one-policy measurement with docs/deploy.md's collector settings for "
        f"Gatekeeper ({' '.join(f'{k}={v}' for k, v in TUNED_GATOR_ENV.items())}) over this many reviews per "
        "case (recorded as gator_one_policy_tuned; enough reviews that cycles fall among them: ~1,000)",
    )
    parser.add_argument("--skip-opa", action="store_true")
    parser.add_argument(
        "--feed",
        choices=("put", "file"),
        default="put",
        help="put: the inventory and the declaration PUT under /v1/data once the server is healthy (as "
        "kube-mgmt feeds a sidecar); file: loaded as a data file at start-up (the older measurement)",
    )
    parser.add_argument(
        "--opa-flag",
        action="append",
        default=[],
        help="an extra `opa run` flag, e.g. --opa-flag=--optimize-store-for-read-speed (repeatable; recorded)",
    )
    parser.add_argument("--gogc", help="GOGC for the OPA server (recorded); default: the environment's")
    parser.add_argument(
        "--tuned",
        action="store_true",
        help="also measure a second server run as docs/deploy.md recommends for a fed inventory "
        f"(GOGC={TUNED_GOGC}, {' '.join(TUNED_FLAGS)}): recorded as opa_server_tuned",
    )
    args = parser.parse_args()
    load = os.getloadavg()
    objects = platform(args.scale)
    result: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 1) for x in load],
        "scale": args.scale,
        "namespaces": sum(1 for o in objects if o["kind"] == "Namespace"),
        "workload_objects": sum(1 for o in objects if o["kind"] not in ("Namespace", "NetworkPolicy")),
        "network_policies": sum(1 for o in objects if o["kind"] == "NetworkPolicy"),
        "target_p99_ms": 10,
    }
    with tempfile.TemporaryDirectory(prefix="mlfence-bench-admission-") as tmp:
        extra = Path(tmp) / "extra"
        extra.mkdir()
        inv, overrides = inventory(objects), {"flows": FLOWS}
        bodies = {"inventory": json.dumps(inv).encode(), "mlfence/overrides": json.dumps(overrides).encode()}
        if args.feed == "file":
            (extra / "data.json").write_text(json.dumps({"inventory": inv, "mlfence": {"overrides": overrides}}))
        if not args.skip_opa:
            run = (args.requests, args.warmup)
            result["opa_server"] = opa_server(bodies, extra, *run, args.opa_flag, args.gogc, args.feed)
            if args.tuned:
                result["opa_server_tuned"] = opa_server(bodies, extra, *run, TUNED_FLAGS, TUNED_GOGC, args.feed)
        if args.gator_iterations and args.gator_mode == "networkpolicy":
            result["gator_bench"] = {
                "mode": "networkpolicy",
                "namespaces_reviewed": args.gator_namespaces or result["namespaces"],
                **gator_network_policy(objects, Path(tmp) / "gk", args.gator_iterations, args.gator_namespaces),
            }
        elif args.gator_iterations and args.gator_mode == "cut":
            cut = first_namespaces(objects, args.gator_namespaces) if args.gator_namespaces else objects
            result["gator_bench"] = {
                "mode": "cut",
                "namespaces": args.gator_namespaces or result["namespaces"],
                "network_policies": sum(1 for o in cut if o["kind"] == "NetworkPolicy"),
                **gator_bench(cut, Path(tmp) / "gk", args.gator_iterations),
            }
        if args.gator_iterations and args.gator_one_policy_reviews and args.gator_mode != "cut":
            result["gator_one_policy"] = gator_one_policy(
                objects, Path(tmp) / "gk-one", args.gator_one_policy_reviews, args.warmup
            )
        if args.gator_iterations and args.gator_tuned_reviews and args.gator_mode != "cut":
            result["gator_one_policy_tuned"] = gator_one_policy(
                objects, Path(tmp) / "gk-one-tuned", args.gator_tuned_reviews, args.warmup, TUNED_GATOR_ENV
            )
    result["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
