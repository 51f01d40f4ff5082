"""Gatekeeper verdicts in one `gator verify` run instead of one `gator test` process per object.

Each object becomes a case of a generated suite under every template whose Constraint matches
its kind (the rule index mirrors the Constraints' `match.kinds`), and each case asserts what the
strict OPA decision found for that rule on that object: the exact number of violations, each
message naming the rule (`violations: no` when there are none). gator prints
`--- FAIL: <case>` with the reason, which `verify` maps back to the object's name, so a
disagreement fails the pytest case of that object and names the rule and the message.

gator verify cannot see a violation's `details`, so the status of a finding is not compared
with gator (it is compared between the bundle and conftest); gator's side is the rule and the
number of findings.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from conftest import ROOT, run, tool
from mlfence import catalog, gatekeeper


@dataclass(frozen=True)
class GatorCase:
    name: str  # unique in a run: failures are reported under it
    document: dict[str, Any]
    findings: list[dict[str, Any]]  # the strict decision's findings on this object, all rules
    parameters: dict[str, Any] = field(default_factory=dict)
    inventory: list[dict[str, Any]] = field(default_factory=list)  # data.inventory, when not empty
    also: frozenset[str] = frozenset()  # rule IDs to check besides the ones matching the kind


@cache
def _rules() -> dict[str, catalog.Rule]:
    return {r.rule_id: r for r in gatekeeper.kubernetes_rules()}


def rules_for(doc: dict[str, Any]) -> frozenset[str]:
    """The rules whose Constraint matches the object's kind (a rule listing no kinds: any)."""
    kind = doc.get("kind")
    return frozenset(r.rule_id for r in _rules().values() if not r.kinds or kind in r.kinds)


_GO_REGEX_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$])")


def _literal(prefix: str) -> str:
    """A Go (RE2) regular expression matching text that starts with prefix."""
    return "^" + _GO_REGEX_SPECIAL.sub(r"\\\1", prefix)


def _assertions(rule_id: str, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As many violations as the strict decision's findings of the rule, each naming the rule.
    Messages are not compared word for word: where the bundle's range ownership index says whose
    range an address is, Gatekeeper (which does not carry it) says "public address space"."""
    if not findings:
        return [{"violations": "no"}]
    return [{"violations": len(findings)}, {"violations": len(findings), "message": _literal(f"{rule_id}: ")}]


def write_suites(out: Path, cases: list[GatorCase], base_parameters: dict[str, Any], parts: int = 2) -> list[Path]:
    """One suite per part (tests spread evenly), each a test per rule and parameter set."""
    rules = _rules()
    lib_root = ROOT / "policy" / "lib"
    tests: dict[tuple[str, str], dict[str, Any]] = {}
    for number, case in enumerate(cases):
        folder = f"cases/{number:04d}"
        obj = f"{folder}/object.yaml"
        (out / folder).mkdir(parents=True, exist_ok=True)
        (out / obj).write_text(yaml.safe_dump(case.document, sort_keys=True))
        entry_base: dict[str, Any] = {"name": case.name, "object": obj}
        if case.inventory:
            (out / folder / "inventory.yaml").write_text(yaml.safe_dump_all(case.inventory, sort_keys=True))
            entry_base["inventory"] = [f"{folder}/inventory.yaml"]
        params_key = json.dumps(case.parameters, sort_keys=True)
        for rule_id in sorted(rules_for(case.document) | case.also):
            if rule_id not in rules:
                continue
            test = tests.get((rule_id, params_key))
            if test is None:
                name = f"{rule_id.lower()}-{len([k for k in tests if k[0] == rule_id])}"
                constraint = f"constraints/{name}.yaml"
                (out / "constraints").mkdir(parents=True, exist_ok=True)
                (out / constraint).write_text(
                    gatekeeper.dump(gatekeeper.constraint(rules[rule_id], {**base_parameters, **case.parameters}))
                )
                test = tests[(rule_id, params_key)] = {
                    "name": name,
                    "template": f"templates/{rule_id.lower()}.yaml",
                    "constraint": constraint,
                    "cases": [],
                }
            mine = [f for f in case.findings if f["rule_id"] == rule_id]
            test["cases"].append({**entry_base, "assertions": _assertions(rule_id, mine)})
    (out / "templates").mkdir(parents=True, exist_ok=True)
    for rule_id in {k[0] for k in tests}:
        (out / f"templates/{rule_id.lower()}.yaml").write_text(
            gatekeeper.dump(gatekeeper.template(rules[rule_id], lib_root))
        )
    # Balance the parts by case count: gator's cost is per case (it compiles the template anew).
    buckets: list[list[dict[str, Any]]] = [[] for _ in range(parts)]
    for test in sorted(tests.values(), key=lambda t: -len(t["cases"])):
        min(buckets, key=lambda b: sum(len(t["cases"]) for t in b)).append(test)
    paths = []
    for i, bucket in enumerate(b for b in buckets if b):
        path = out / f"suite-{i}.yaml"
        path.write_text(
            gatekeeper.dump(
                {
                    "apiVersion": "test.gatekeeper.sh/v1alpha1",
                    "kind": "Suite",
                    "metadata": {"name": f"mlfence-{i}"},
                    "tests": bucket,
                }
            )
        )
        paths.append(path)
    return paths


_CASE_FAIL = re.compile(r"^    --- FAIL: (?P<case>.*)\t\(.*\)$")


def parse(output: str) -> tuple[dict[str, list[str]], set[str], list[str]]:
    """gator verify -v output: failures per case name (with the test, i.e. the rule, and the
    reason), the case names that ran, and test-level errors (a template that did not compile)."""
    failures: dict[str, list[str]] = {}
    ran: set[str] = set()
    errors: list[str] = []
    test = ""
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("=== RUN   "):
            test = line[len("=== RUN   ") :]
        elif line.startswith("    --- PASS: "):
            ran.add(line[len("    --- PASS: ") :].split("\t")[0])
        elif m := _CASE_FAIL.match(line):
            ran.add(m["case"])
            reason = lines[i + 1].strip() if i + 1 < len(lines) else ""
            failures.setdefault(m["case"], []).append(f"{test}: {reason}")
        elif (
            line.startswith("--- FAIL: ")
            and i + 1 < len(lines)
            and lines[i + 1].startswith("  ")
            and not lines[i + 1].startswith("    ")
        ):
            errors.append(f"{line}\n{lines[i + 1]}")
    return failures, ran, errors


def verify(out: Path, cases: list[GatorCase], base_parameters: dict[str, Any], parts: int = 2) -> dict[str, list[str]]:
    """Runs the suites (one gator process per part, in parallel); returns the failures per case
    name. Every case must have run, and no test may fail outside its cases."""
    suites = write_suites(out, cases, base_parameters, parts)
    with ThreadPoolExecutor(max_workers=len(suites) or 1) as pool:
        procs = list(pool.map(lambda s: run([tool("gator"), "verify", "-v", str(s)]), suites))
    failures: dict[str, list[str]] = {}
    ran: set[str] = set()
    for suite, proc in zip(suites, procs, strict=True):
        found, names, errors = parse(proc.stdout)
        assert not errors, f"{suite.name}: " + "\n".join(errors)
        assert proc.returncode == (1 if found else 0), f"{suite.name}: exit {proc.returncode}\n{proc.stderr[-3000:]}"
        for name, reasons in found.items():
            failures.setdefault(name, []).extend(reasons)
        ran |= names
    expected = {c.name for c in cases if rules_for(c.document) | c.also}
    assert expected <= ran, f"gator did not run {sorted(expected - ran)[:20]}"
    return failures
