"""Runs example cases through the three real engines and reduces each answer to a verdict:
the set of (rule_id, status) findings on the case's own object or plan.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

import gatorsuite
import opaserver
from conftest import ROOT, run, tool
from mlfence import bundle, fixtures, parameters, rule_index
from mlfence.fixtures import Case

Verdict = frozenset[tuple[str, str]]


def resource_of(case: Case) -> str:
    meta = case.document.get("metadata") or {}
    return f"{meta.get('namespace', '')}/{case.document.get('kind', '')}/{meta.get('name', '')}"


def _params_key(params: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:12]


# The strict decisions the engines are compared with, as rules of a probe package beside the built
# bundle in one OPA server (tests/opaserver.py: the bundle compiled once for the fixture, every
# request with strict builtin errors), instead of one `opa eval` compiling it per question.
# `with input as c.doc`, c iterating over input, resolves c.doc against the replaced input (seen
# on OPA 1.21): the values are copied out of input before swapping it.
PROBE = """package mlfence_probe

import data.mlfence

# Per case, the decision on its document under its configuration with its own objects as
# data.inventory.
own := {c.key: d |
	some c in input.cases
	doc := json.unmarshal(json.marshal(c.doc))
	config := json.unmarshal(json.marshal(c.config))
	inv := mlfence.inventory_of(json.unmarshal(json.marshal(c.inventory)))
	d := mlfence.decision with input as doc with data.mlfence.config as config with data.inventory as inv
}

# The same with input.shared's objects as every case's data.inventory.
shared := {c.key: d |
	inv := mlfence.inventory_of(json.unmarshal(json.marshal(input.shared)))
	some c in input.cases
	doc := json.unmarshal(json.marshal(c.doc))
	config := json.unmarshal(json.marshal(c.config))
	d := mlfence.decision with input as doc with data.mlfence.config as config with data.inventory as inv
}

# Per case, the decision as its conftest run sees it: the run's configuration, and with --combine
# (c.run, an index into input.runs) the inventory main.rego builds for the case's file from all
# the run's files.
packed := {c.key: d |
	runs := json.unmarshal(json.marshal(input.runs))
	some c in input.cases
	doc := json.unmarshal(json.marshal(c.doc))
	config := json.unmarshal(json.marshal(c.config))
	inv := _packed_inventory(json.unmarshal(json.marshal(c)), runs)
	d := mlfence.decision with input as doc with data.mlfence.config as config with data.inventory as inv
}

_packed_inventory(c, _) := mlfence.inventory_of(c.own) if c.run == null

_packed_inventory(c, runs) := mlfence.inventory_for({"path": c.path}, mlfence.scoped_inventory(es, lay), lay) if {
	c.run != null
	es := runs[c.run]
	lay := mlfence.layout(es)
}
"""


class Workspace:
    """Per-parameter-set data folders and Gatekeeper constraints, made once each; `server` answers
    the strict decisions (PROBE) while the engines fixture runs."""

    server: opaserver.OpaServer

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


@dataclass
class _Run:
    """One conftest process: its files' cases and the parameters its data folder carries; the
    cases it answers for are `judged` (all, until the bundle says otherwise)."""

    overrides: dict[str, Any]
    cases: list[Case]
    combine: bool
    judged: list[Case] = field(default_factory=list)


def _resources(case: Case) -> set[str]:
    """The resources (namespace/kind/name, as findings name them) of a case's objects."""
    out = set()
    for doc in [case.document, *case.inventory]:
        meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
        out.add(f"{meta.get('namespace', '')}/{doc.get('kind', '')}/{meta.get('name', '')}")
    return out


def _namespaces(case: Case) -> set[str]:
    """The namespaces a case's objects live in or name ("" for any other namespace-less object,
    webhook configurations included: conftest --combine shares them between files)."""
    found = set()
    for doc in [case.document, *case.inventory]:
        meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
        namespace = meta.get("namespace")
        if doc.get("kind") == "Namespace" and isinstance(meta.get("name"), str):
            found.add(meta["name"])
        else:
            found.add(namespace if isinstance(namespace, str) else "")
    return found


def _compatible(run: _Run, case: Case, apart: bool) -> bool:
    """Whether the case may share the run: no parameter given two values, and with --combine
    (whose findings come back as one list, told apart by the resource they name) no case's
    object named as a resource by another case's objects, and with `apart` no namespace in
    common (conftest gives every file the namespaced objects of all files). Whether the other
    cases' objects change the case's answer is the bundle's to say (conftest_verdicts)."""
    if any(k in run.overrides and run.overrides[k] != v for k, v in case.parameters.items()):
        return False
    if not run.combine:
        return True
    mine, spaces = _resources(case), _namespaces(case) if apart else set()
    return not any(
        resource_of(case) in _resources(other) or resource_of(other) in mine or spaces & _namespaces(other)
        for other in run.cases
    )


def _pack(cases: list[Case], shipped_run: bool = True, apart: bool = False) -> list[_Run]:
    """Cases into as few conftest runs as their parameters (and with --combine, the resources
    their findings name, and with `apart` their namespaces) allow, first fit; with shipped_run,
    the shipped-parameter single-object cases keep a run of their own (compared with the
    repository's folder)."""
    runs: list[_Run] = []
    shipped = _Run({}, [c for c in cases if not c.inventory and not c.parameters], combine=False)
    if shipped_run and shipped.cases:
        runs.append(shipped)
    for case in cases:
        if shipped_run and not case.inventory and not case.parameters:
            continue
        combine = bool(case.inventory)
        run_ = next(
            (r for r in runs if r.combine == combine and r is not shipped and _compatible(r, case, apart)), None
        )
        if run_ is None:
            runs.append(_Run(dict(case.parameters), [case], combine))
        else:
            run_.overrides.update(case.parameters)
            run_.cases.append(case)
    return runs


# How many times the cases a run's other files would judge differently are packed again.
PACK_ROUNDS = 2


def conftest_verdicts(
    ws: Workspace,
    cases: list[Case],
    index: dict[str, dict[str, Any]],
    findings: dict[str, list[dict[str, Any]]],
) -> ConftestAnswers:
    """The single-object cases through `conftest test`, the inventory cases through `conftest test
    --combine`, all with the shipped conftest policy; and the shipped-parameter single-object cases
    once more with `-p policy` (the repository's folder, Rego tests included). Two at a time.

    Each process compiles the whole policy (~0.7 s CPU), so cases share a run where that cannot
    change their answer: a run's data folder carries the parameters of all its cases (none given
    two values), and in a --combine run no case's object is named as a resource by another case's
    objects (its findings are told apart by resource). The bundle then judges every case as its
    run will see it (the run's parameters; the run's files scoped as main.rego scopes them, which
    gives every file the namespaced objects of all files): a case whose findings there are not its
    own (`findings`), finding by finding, is not judged by that run (its files stay in it: the
    inventory the bundle saw) but packed again with the other such cases, now also sharing no
    namespace (the objects conftest shares between files), and judged again, for PACK_ROUNDS
    rounds in all; what is left gets a run of its own. The comparison with the bundle stays
    per case."""
    runs: list[_Run] = []
    pending = _pack(cases)
    for _ in range(PACK_ROUNDS):
        packed = _findings_as_packed(ws, pending, index)
        moved = []
        for run_ in pending:
            for c in run_.cases:
                same = _sorted(packed.get(c.key, findings[c.key])) == _sorted(findings[c.key])
                (run_.judged if same else moved).append(c)
        runs += [r for r in pending if r.judged]
        pending = _pack(moved, shipped_run=False, apart=True)
        if not pending:
            break
    runs += [_Run(dict(c.parameters), [c], bool(c.inventory), [c]) for run_ in pending for c in run_.cases]
    policy = str(ws.conftest_policy)
    commands = []
    repository_job: list[str] = []
    for run_ in runs:
        data = ws.data_dir(run_.overrides)
        files = [_file_of(index, c) for c in run_.cases]
        combine = ["--combine"] if run_.combine else []
        commands.append(
            [tool("conftest"), "test", *combine, "--no-color", "-o", "json", "-p", policy, "-d", str(data), *files]
        )
        if not run_.combine and not run_.overrides and not repository_job:
            repository_job = [*commands[-1][:6], str(ROOT / "policy"), *commands[-1][7:]]
    assert repository_job, "no single-object case with the shipped parameters"
    with ThreadPoolExecutor(max_workers=2) as pool:
        repository_proc, *procs = pool.map(lambda command: run(command, env=CONFTEST_ENV), [repository_job, *commands])
    out: dict[str, Verdict] = {}
    shipped_tree: list[dict[str, Any]] = []
    for run_, command, proc in zip(runs, commands, procs, strict=True):
        assert proc.returncode in (0, 1), proc.stderr
        if run_.combine:
            for case in run_.judged:
                out[case.key] = _from_findings(_conftest_findings(proc.stdout), resource_of(case))
            continue
        if command[7:] == repository_job[7:]:
            shipped_tree = _by_file(proc.stdout)
        by_file = {_file_of(index, c): c for c in run_.judged}
        for result in json.loads(proc.stdout):
            if result["filename"] in by_file:
                out[by_file[result["filename"]].key] = _from_findings(_conftest_findings(json.dumps([result])), None)
    assert repository_proc.returncode in (0, 1), repository_proc.stderr
    assert set(out) == {c.key for c in cases}, sorted({c.key for c in cases} - set(out))[:20]
    return ConftestAnswers(out, shipped_tree, _by_file(repository_proc.stdout))


def _file_of(index: dict[str, dict[str, Any]], case: Case) -> str:
    files = index[case.key]["files"]
    return files["manifest"] if case.inventory else files.get("object") or files["plan"]


def _sorted(findings: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(f, sort_keys=True) for f in findings)


def _findings_as_packed(
    ws: Workspace, runs: list[_Run], index: dict[str, dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """The bundle's findings on each case's object as its conftest run sees it: the run's
    parameters, and with --combine the inventory main.rego builds from all the run's files."""
    cases = []
    for number, run_ in enumerate(runs):
        for c in run_.cases:
            if run_.overrides == c.parameters and (not run_.combine or len(run_.cases) == 1):
                continue  # the case's own parameters and inventory: its own findings
            cases.append(
                {
                    "key": c.key,
                    "doc": fixtures.admission_review(c.document, c.key) if c.target == "kubernetes" else c.document,
                    "config": {**ws.base_config, **run_.overrides},
                    "run": number if run_.combine else None,
                    "path": _file_of(index, c),
                    "own": [c.document, *c.inventory] if c.inventory else [],
                }
            )
    entries = [
        [{"path": _file_of(index, c), "document": d} for c in run_.cases for d in [c.document, *c.inventory]]
        if run_.combine
        else []
        for run_ in runs
    ]
    decisions = ws.server.value("packed", {"cases": cases, "runs": entries})
    by_key = {c.key: c for run_ in runs for c in run_.cases}
    return {
        key: [
            f
            for f in decisions[key]["findings"]
            if not by_key[key].inventory or f.get("resource") == resource_of(by_key[key])
        ]
        for key in decisions
    }


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
    decisions = ws.server.value("shared" if shared_inventory is not None else "own", payload)
    out = {}
    for case in cases:
        decision = decisions[case.key]
        assert decision["input_kind"] in ("admission_review", "terraform_plan"), decision
        own_only = case.inventory or shared_inventory is not None
        out[case.key] = [f for f in decision["findings"] if not own_only or f.get("resource") == resource_of(case)]
    return out


def findings_with_inventories(
    ws: Workspace, asked: list[tuple[gatorsuite.GatorCase, list[dict[str, Any]]]]
) -> list[list[dict[str, Any]]]:
    """gatorsuite's judge: one `opa eval` on the built bundle for every (case, objects) pair, the
    findings on the case's object (as an AdmissionReview, under the case's parameters) with those
    objects as data.inventory, as bundle_findings computes a case's own."""
    payload = {
        "cases": [
            {
                "key": str(number),
                "doc": fixtures.admission_review(case.document, case.name),
                "config": {**ws.base_config, **case.parameters},
                "inventory": objects,
            }
            for number, (case, objects) in enumerate(asked)
        ]
    }
    decisions = ws.server.value("own", payload)
    out = []
    for number, (case, _objects) in enumerate(asked):
        meta = case.document.get("metadata") or {}
        resource = f"{meta.get('namespace', '')}/{case.document.get('kind', '')}/{meta.get('name', '')}"
        out.append([f for f in decisions[str(number)]["findings"] if f.get("resource") == resource])
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
        judge=lambda asked: findings_with_inventories(ws, asked),
    )


def assert_gator_agrees(key: str, failures: dict[str, list[str]]) -> None:
    assert not failures.get(key), f"gator disagrees with the bundle on {key}:\n" + "\n".join(failures[key])
