"""Runs example cases through the three real engines and reduces each answer to a verdict:
the set of (rule_id, status) findings on the case's own object or plan.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import gatorsuite
from conftest import ROOT, run, tool
from mlfence import bundle, fixtures, parameters, rule_index
from mlfence.fixtures import Case

Verdict = frozenset[tuple[str, str]]


def resource_of(case: Case) -> str:
    meta = case.document.get("metadata") or {}
    return f"{meta.get('namespace', '')}/{case.document.get('kind', '')}/{meta.get('name', '')}"


def _params_key(params: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:12]


class Workspace:
    """Per-parameter-set data folders and Gatekeeper constraints, made once each."""

    def __init__(self, root: Path, built_bundle: Path | None = None) -> None:
        self.root = root
        self.base_config = parameters.config(ROOT / "data")
        self.base_gatekeeper = parameters.gatekeeper(ROOT / "data")
        self.bundle = built_bundle or bundle.build(root / "bundle.tar.gz").path
        # conftest's policy as `mlfence build` ships it (dist/conftest/policy: the rules without
        # their Rego tests). The tests are nearly half the Rego each of the ~75 conftest runs
        # would parse and compile; the repository's own folder (`-p policy`, the README's
        # command) is compared with it once, in conftest_verdicts.
        self.conftest_policy = bundle.conftest_tree(root / "conftest") / "policy"

    def data_dir(self, overrides: dict[str, Any]) -> Path:
        """A copy of data/ whose config carries the case's parameter overrides."""
        target = self.root / "data" / _params_key(overrides)
        if not target.exists():
            shutil.copytree(ROOT / "data", target, ignore=shutil.ignore_patterns("schemas"))
            config = target / "mlfence" / "config" / "data.yaml"
            config.write_text(yaml.safe_dump({**self.base_config, **overrides}, sort_keys=True))
        return target


def _from_findings(findings: Iterable[dict[str, Any]], resource: str | None) -> Verdict:
    return frozenset((f["rule_id"], f["status"]) for f in findings if resource is None or f.get("resource") == resource)


# The rules whose verdict depends on the objects around the one judged (data.inventory): conftest
# without --combine reports their findings as "unknown" (not judged), policy/main/main.rego.
CROSS_OBJECT = frozenset(json.loads((ROOT / rule_index.PATH).read_text())["kubernetes"]["cross_object"])


def judged_alone(verdict: Verdict) -> Verdict:
    """The verdict conftest gives a document it sees alone (no --combine), from the bundle's."""
    return frozenset((rule_id, "unknown" if rule_id in CROSS_OBJECT else status) for rule_id, status in verdict)


def _conftest_findings(stdout: str) -> list[dict[str, Any]]:
    return [
        r["metadata"]
        for result in json.loads(stdout)
        for r in (result.get("failures") or []) + (result.get("warnings") or [])
        if "rule_id" in r.get("metadata", {})
    ]


# Each conftest run compiles the policy once and exits: without garbage collection (GOGC=off) it
# spends about a third less CPU, for a few hundred MB of memory at most.
CONFTEST_ENV = {"GOGC": "off"}


@dataclass(frozen=True)
class ConftestAnswers:
    verdicts: dict[str, Verdict]  # case key -> verdict
    # The shipped-parameter cases judged with the shipped conftest policy and with the
    # repository's policy folder (Rego tests included): conftest's results of each, by file.
    shipped_tree: list[dict[str, Any]]
    repository_folder: list[dict[str, Any]]


def _by_file(stdout: str) -> list[dict[str, Any]]:
    return sorted(json.loads(stdout), key=lambda result: result["filename"])


def conftest_verdicts(ws: Workspace, cases: list[Case], index: dict[str, dict[str, Any]]) -> ConftestAnswers:
    """One `conftest test` per parameter set (each needs its own data folder) for the single-object
    cases, one `conftest test --combine` per inventory case, all with the shipped conftest policy;
    and the shipped-parameter single-object cases once more with `-p policy` (the repository's
    folder, Rego tests included). Two at a time (two cores)."""
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(_params_key(case.parameters), []).append(case)
    policy = str(ws.conftest_policy)
    jobs: list[tuple[list[str], dict[str, Case], Case | None]] = []
    repository_job: list[str] = []
    for params, group in groups.items():
        data = ws.data_dir(group[0].parameters)
        files = {
            (index[c.key]["files"].get("object") or index[c.key]["files"]["plan"]): c for c in group if not c.inventory
        }
        if files:
            command = [tool("conftest"), "test", "--no-color", "-o", "json", "-p", policy, "-d", str(data), *files]
            jobs.append((command, files, None))
            if params == _params_key({}):
                repository_job = [*command[:6], str(ROOT / "policy"), *command[7:]]
        for case in (c for c in group if c.inventory):
            jobs.append(
                (
                    [
                        tool("conftest"),
                        "test",
                        "--combine",
                        "--no-color",
                        "-o",
                        "json",
                        "-p",
                        policy,
                        "-d",
                        str(data),
                        index[case.key]["files"]["manifest"],
                    ],
                    {},
                    case,
                )
            )
    assert repository_job, "no single-object case with the shipped parameters"
    commands = [repository_job, *(job[0] for job in jobs)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        repository_proc, *procs = pool.map(lambda command: run(command, env=CONFTEST_ENV), commands)
    out: dict[str, Verdict] = {}
    shipped_tree: list[dict[str, Any]] = []
    for (command, files, combined), proc in zip(jobs, procs, strict=True):
        assert proc.returncode in (0, 1), proc.stderr
        if combined is not None:
            out[combined.key] = _from_findings(_conftest_findings(proc.stdout), resource_of(combined))
            continue
        if command[7:] == repository_job[7:]:
            shipped_tree = _by_file(proc.stdout)
        for result in json.loads(proc.stdout):
            out[files[result["filename"]].key] = _from_findings(_conftest_findings(json.dumps([result])), None)
    assert repository_proc.returncode in (0, 1), repository_proc.stderr
    return ConftestAnswers(out, shipped_tree, _by_file(repository_proc.stdout))


def bundle_findings(
    ws: Workspace, cases: list[Case], shared_inventory: list[dict[str, Any]] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """One `opa eval` on the built bundle for every case, the K8s ones as AdmissionReviews: the
    findings on the case's own object or plan. With shared_inventory, every case is judged with
    those objects as data.inventory instead of its own (what the one `gator test` run holds)."""
    payload = {
        "cases": [
            {
                "key": c.key,
                "doc": fixtures.admission_review(c.document, c.key) if c.target == "kubernetes" else c.document,
                "config": {**ws.base_config, **c.parameters},
                "inventory": [c.document, *c.inventory] if c.inventory else [],
            }
            for c in cases
        ],
        "shared": shared_inventory or [],
    }
    # `with input as c.doc`, c iterating over input, resolves c.doc against the replaced input
    # (seen on OPA 1.21): copy the values out of input before swapping it.
    own = "data.mlfence.inventory_of(json.unmarshal(json.marshal(c.inventory)))"
    inventory = "shared" if shared_inventory is not None else own
    query = (
        "shared := data.mlfence.inventory_of(json.unmarshal(json.marshal(input.shared))); "
        "x := {c.key: d | some c in input.cases; "
        "doc := json.unmarshal(json.marshal(c.doc)); "
        "config := json.unmarshal(json.marshal(c.config)); "
        f"inv := {inventory}; "
        "d := data.mlfence.decision with input as doc with data.mlfence.config as config "
        "with data.inventory as inv}"
    )
    proc = run(
        [
            tool("opa"),
            "eval",
            "--format",
            "json",
            "--strict-builtin-errors",
            "--bundle",
            str(ws.bundle),
            "--stdin-input",
            query,
        ],
        input_text=json.dumps(payload),
    )
    assert proc.returncode == 0, proc.stderr
    decisions = json.loads(proc.stdout)["result"][0]["bindings"]["x"]
    out = {}
    for case in cases:
        decision = decisions[case.key]
        assert decision["input_kind"] in ("admission_review", "terraform_plan"), decision
        own_only = case.inventory or shared_inventory is not None
        out[case.key] = [f for f in decision["findings"] if not own_only or f.get("resource") == resource_of(case)]
    return out


def verdict_of(findings: list[dict[str, Any]]) -> Verdict:
    return _from_findings(findings, None)


def gator_failures(ws: Workspace, cases: list[Case], findings: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    """Every Kubernetes case through the Gatekeeper templates in generated `gator verify` suites
    (tests/gatorsuite.py): under every template matching its kind, the case asserts the bundle's
    findings for that rule. Returns the failures per case key (none: gator agrees)."""
    k8s = [c for c in cases if c.target == "kubernetes"]
    # The bundle's answer with the one `gator test` run's objects as data.inventory: where it is
    # the case's own answer for a rule that reads the inventory, that run judges the pair too.
    in_one_run = bundle_findings(ws, k8s, gatorsuite.one_run_objects([c.document for c in k8s]))
    return gatorsuite.verify(
        ws.root / "gator",
        [
            gatorsuite.GatorCase(
                name=c.key,
                document=c.document,
                findings=findings[c.key],
                parameters=c.parameters,
                # The bundle's inventory holds the object itself too (as gator test's does).
                inventory=[c.document, *c.inventory] if c.inventory else [],
                also=frozenset({c.rule_id}),
                findings_in_one_run=in_one_run[c.key],
            )
            for c in k8s
        ],
        ws.base_gatekeeper,
    )


def assert_gator_agrees(key: str, failures: dict[str, list[str]]) -> None:
    assert not failures.get(key), f"gator disagrees with the bundle on {key}:\n" + "\n".join(failures[key])
