"""Gatekeeper verdicts in a few gator processes instead of one `gator test` process per object.

Every object is judged under every template whose Constraint matches its kind (the rule index
mirrors the Constraints' `match.kinds`), and for each such rule the check asserts what the strict
OPA decision found for that rule on that object: the exact number of violations, each message
naming the rule (none when there are none). A disagreement fails the pytest case of that object
and names the rule and the message.

Three kinds of gator process share the work, because `gator verify` compiles the template anew
for every case (a fresh client per case: pkg/gator/verify/runner.go), which made it the suite's
slowest step:

- ONE `gator test -o json` over the templates, Constraints and every case's object, so each
  template compiles once. `gator test` also adds every object it reviews to data.inventory, so
  it judges the rules whose template reads nothing of data.inventory (they judge one object
  alone), and, under the shipped parameters, the (object, rule) pairs of rules that do read it
  where the strict decision's findings on the object with the run's objects as inventory are
  the case's own, finding by finding (GatorCase.findings_in_one_run, computed by the caller with
  the bundle: most objects share no namespace with the others' policies). Its results carry the
  Constraint and the violating object, and are counted per (object, rule) exactly as the
  suite's assertions count them;
- with a judge (the caller's strict decision on an object with given objects as inventory),
  packed `gator test` runs, one rule each, for the (object, rule) pairs of inventory readers that
  the one run cannot judge: the objects and inventories of several cases in one process, so the
  rule's template compiles once per run instead of once per case (MLF-K8S-060/061's templates
  are ~139 KB of Rego: ~0.25 s CPU a compile). A pair is judged there only where the judge finds
  the case's own findings of the rule with the run's objects as inventory (pack_runs);
- every other (object, rule): where the other objects would change the answer, the cases with
  their own inventory or their own parameters under a rule that reads data.inventory, as
  generated `gator verify` suites whose cases assert the counts and messages (gator prints
  `--- FAIL: <case>` with the reason, which `verify` maps back to the object's name).

gator verify cannot see a violation's `details`, so the status of a finding is not compared
with gator (it is compared between the bundle and conftest); gator's side is the rule and the
number of findings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
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
    # The strict decision's findings on this object when data.inventory holds the objects of the
    # one `gator test` run (one_run_objects); None: not known, rules reading data.inventory then
    # judge the case in a `gator verify` suite.
    findings_in_one_run: list[dict[str, Any]] | None = None


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


def _reads_inventory(template: dict[str, Any]) -> bool:
    """Whether a template may read data.inventory: the generator's own answer (from OPA's parse
    tree: the requires-sync-data annotation) or any mention of `inventory` in its Rego."""
    annotations = template["metadata"].get("annotations") or {}
    code = json.dumps(template["spec"]["targets"])
    return "metadata.gatekeeper.sh/requires-sync-data" in annotations or re.search(r"\binventory\b", code) is not None


@cache
def _template(rule_id: str) -> dict[str, Any]:
    return gatekeeper.template(_rules()[rule_id], ROOT / "policy" / "lib")


def _text(doc: Any) -> str:
    """A generated template or Constraint as gator reads it, written as JSON (which YAML includes):
    the same object as gatekeeper.dump's YAML, for a fraction of PyYAML's time (~10 s CPU for the
    engines' files). The cases' objects stay YAML, as before (any value a test generates)."""
    return json.dumps(doc, sort_keys=True) + "\n"


@cache
def _template_text(rule_id: str) -> str:
    return _text(_template(rule_id))


@cache
def _constraint_text(rule_id: str, parameters: str) -> str:
    return _text(gatekeeper.constraint(_rules()[rule_id], json.loads(parameters)))


@cache  # asked for every (case, rule) pair, several times: each answer dumps and searches the template
def judged_alone(rule_id: str) -> bool:
    """A rule whose template never reads data.inventory: `gator test` judges it as `gator verify` does."""
    return not _reads_inventory(_template(rule_id))


def _has_identity(doc: dict[str, Any]) -> bool:
    """An object `gator test` can hold in its data cache (apiVersion, kind and name set)."""
    meta = doc.get("metadata")
    return (
        all(isinstance(doc.get(k), str) and doc[k] for k in ("apiVersion", "kind"))
        and isinstance(meta, dict)
        and isinstance(meta.get("name"), str)
        and bool(meta["name"])
    )


def _canonical(value: Any) -> Any:
    """JSON as gator prints it back, where every number is a Go float64: 1.0 comes back as 1, and
    4.671447213528589e+16 as 46714472135285890 (the shortest digits that name the float, not the
    float's exact integer 46714472135285888), so numbers compare as floats."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def object_key(doc: dict[str, Any]) -> str:
    return json.dumps(_canonical(doc), sort_keys=True)


def _assertions(rule_id: str, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As many violations as the strict decision's findings of the rule, each naming the rule.
    Messages are not compared word for word: where the bundle's range ownership index says whose
    range an address is, Gatekeeper (which does not carry it) says "public address space"."""
    if not findings:
        return [{"violations": "no"}]
    return [{"violations": len(findings)}, {"violations": len(findings), "message": _literal(f"{rule_id}: ")}]


def checked_rules(case: GatorCase) -> list[str]:
    """The rules a case is judged under: those matching its kind and the ones it names."""
    rules = _rules()
    return [r for r in sorted(rules_for(case.document) | case.also) if r in rules]


def _of_rule(findings: list[dict[str, Any]], rule_id: str) -> list[str]:
    return sorted(json.dumps(f, sort_keys=True) for f in findings if f["rule_id"] == rule_id)


def in_one_run(case: GatorCase, rule_id: str) -> bool:
    """Whether the (case, rule) pair goes to the one `gator test` run (see the module docstring):
    a rule that never reads data.inventory, or, under the shipped parameters, one whose findings
    on the object, finding by finding, are the same with the one run's objects as inventory as
    with the case's own. (gator reviews every object of the run under every Constraint matching
    its kind, and an inventory reader's review reads the whole inventory: one Constraint per
    parameter set for those rules made the run 30 times slower than their suite cases.)"""
    if not _has_identity(case.document):
        return False
    if judged_alone(rule_id):
        return True
    shared = case.findings_in_one_run
    return not case.parameters and shared is not None and _of_rule(shared, rule_id) == _of_rule(case.findings, rule_id)


def one_run_objects(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The objects of the one `gator test` run, in order, each once: every object gator can hold
    in its data cache. gator adds them all to data.inventory, a later object replacing an earlier
    one of the same kind, namespace and name, as data.mlfence.inventory_of does."""
    objects: dict[str, dict[str, Any]] = {}
    for doc in documents:
        if _has_identity(doc):
            objects.setdefault(object_key(doc), doc)
    return list(objects.values())


# (test name, the case name a suite entry carries) -> the other cases that entry stands for.
Aliases = dict[tuple[str, str], list[str]]


def write_suites(
    out: Path,
    cases: list[GatorCase],
    base_parameters: dict[str, Any],
    parts: int = 2,
    packed: frozenset[tuple[int, str]] = frozenset(),
) -> tuple[list[Path], Aliases]:
    """One suite per part (tests spread evenly), each a test per rule and Constraint, for the
    (case, rule) pairs that do not go to the one `gator test` run. gator verify compiles the
    template anew for every case and for every test, so what would be compiled twice to give the
    same answer is written once: cases whose parameters give the same Constraint (a rule's
    Constraint carries only the parameters it reads) share one test, and a case with the same
    object and inventory as an earlier one in its test is not written again but answered by it
    (returned as aliases: its failures are that entry's). The (case number, rule) pairs in
    `packed` are judged by packed `gator test` runs instead (pack_runs)."""
    tests: dict[tuple[str, str], dict[str, Any]] = {}
    entries: dict[tuple[str, str, str, str], tuple[str, str]] = {}  # -> (test name, entry's case)
    aliases: Aliases = {}
    for number, case in enumerate(cases):
        verified = [r for r in checked_rules(case) if not in_one_run(case, r) and (number, r) not in packed]
        if not verified:
            continue
        folder = f"cases/{number:04d}"
        obj = f"{folder}/object.yaml"
        object_text = yaml.safe_dump(case.document, sort_keys=True)
        inventory_text = yaml.safe_dump_all(case.inventory, sort_keys=True) if case.inventory else ""
        entry_base: dict[str, Any] = {"name": case.name, "object": obj}
        if case.inventory:
            entry_base["inventory"] = [f"{folder}/inventory.yaml"]
        written = False
        for rule_id in verified:
            parameters = {**base_parameters, **case.parameters}
            constraint_text = _constraint_text(rule_id, json.dumps(parameters, sort_keys=True))
            test = tests.get((rule_id, constraint_text))
            if test is None:
                name = f"{rule_id.lower()}-{len([k for k in tests if k[0] == rule_id])}"
                constraint = f"constraints/{name}.yaml"
                (out / "constraints").mkdir(parents=True, exist_ok=True)
                (out / constraint).write_text(constraint_text)
                test = tests[(rule_id, constraint_text)] = {
                    "name": name,
                    "template": f"templates/{rule_id.lower()}.yaml",
                    "constraint": constraint,
                    "cases": [],
                }
            mine = [f for f in case.findings if f["rule_id"] == rule_id]
            assertions = _assertions(rule_id, mine)
            same = (test["name"], object_text, inventory_text, json.dumps(assertions, sort_keys=True))
            if same in entries:
                aliases.setdefault(entries[same], []).append(case.name)
                continue
            entries[same] = (test["name"], case.name)
            if not written:
                (out / folder).mkdir(parents=True, exist_ok=True)
                (out / obj).write_text(object_text)
                if case.inventory:
                    (out / folder / "inventory.yaml").write_text(inventory_text)
                written = True
            test["cases"].append({**entry_base, "assertions": assertions})
    (out / "templates").mkdir(parents=True, exist_ok=True)
    sizes: dict[str, int] = {}
    for rule_id in {k[0] for k in tests}:
        text = _template_text(rule_id)
        (out / f"templates/{rule_id.lower()}.yaml").write_text(text)
        sizes[f"templates/{rule_id.lower()}.yaml"] = len(text)

    # Balance the parts by compile work: gator compiles the test's template once per case and once
    # per test, and the time a compile takes grows with the template's Rego (4 KB to 120 KB).
    def weight(test: dict[str, Any]) -> int:
        return (len(test["cases"]) + 1) * sizes[test["template"]]

    buckets: list[list[dict[str, Any]]] = [[] for _ in range(parts)]
    for test in sorted(tests.values(), key=lambda t: -weight(t)):
        min(buckets, key=lambda b: sum(weight(t) for t in b)).append(test)
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
    return paths, aliases


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


def _constraint_names(cases: list[GatorCase], base_parameters: dict[str, Any]) -> dict[tuple[str, str], str]:
    """A Constraint name per (rule, parameter set) of the one run: `<rule>-0` for the shipped
    parameters, `<rule>-1`... for the cases' own. Parameter sets that give the rule the same
    Constraint (it carries only the parameters the rule reads) share its name: gator reviews every
    object under every Constraint matching its kind, and the same Constraint twice gives the same
    answer twice."""
    names: dict[tuple[str, str], str] = {}
    by_text: dict[tuple[str, str], str] = {}
    for case in cases:
        params_key = json.dumps(case.parameters, sort_keys=True)
        for rule_id in (r for r in checked_rules(case) if in_one_run(case, r)):
            if (rule_id, params_key) not in names:
                names[(rule_id, params_key)] = _shared_name(rule_id, case.parameters, base_parameters, by_text)
    return names


def _shared_name(
    rule_id: str, parameters: dict[str, Any], base_parameters: dict[str, Any], by_text: dict[tuple[str, str], str]
) -> str:
    """The name of the rule's Constraint under the parameters: `<rule>-0` for the shipped
    Constraint, `<rule>-1`... for the others, one name per distinct Constraint."""
    text = _constraint_text(rule_id, json.dumps({**base_parameters, **parameters}, sort_keys=True))
    if (rule_id, text) not in by_text:
        shipped = _constraint_text(rule_id, json.dumps(base_parameters, sort_keys=True))
        number = 0 if text == shipped else 1 + sum(1 for r, t in by_text if r == rule_id and t != shipped)
        by_text[(rule_id, text)] = f"{rule_id.lower()}-{number}"
    return by_text[(rule_id, text)]


def write_one_run(out: Path, cases: list[GatorCase], base_parameters: dict[str, Any]) -> list[Path]:
    """The templates, Constraints (one per rule and parameter set) and objects of the pairs that go
    to the one `gator test` run, each object once however many cases hold it; [] when none."""
    names = _constraint_names(cases, base_parameters)
    if not names:
        return []
    # Every object, not only those of the pairs judged here: the inventory must be the one the
    # cases' findings_in_one_run were computed with.
    objects = one_run_objects([case.document for case in cases])
    (out / "templates").mkdir(parents=True, exist_ok=True)
    (out / "constraints").mkdir(parents=True, exist_ok=True)
    paths = []
    for rule_id in sorted({rule_id for rule_id, _ in names}):
        template = out / "templates" / f"{rule_id.lower()}.yaml"
        template.write_text(_template_text(rule_id))
        paths.append(template)
    written: set[str] = set()
    for (rule_id, params_key), name in sorted(names.items()):
        if name in written:
            continue
        written.add(name)
        document = gatekeeper.constraint(_rules()[rule_id], {**base_parameters, **json.loads(params_key)})
        document["metadata"]["name"] = name
        constraint = out / "constraints" / f"{name}.yaml"
        constraint.write_text(_text(document))
        paths.append(constraint)
    # A stream of JSON documents (gator reads YAML or JSON): what gator prints back as the
    # violating object is then the same JSON, whatever odd keys or strings an object holds.
    objects_path = out / "objects.json"
    objects_path.write_text("".join(json.dumps(doc) + "\n" for doc in objects))
    return [*paths, objects_path]


def one_run_failures(
    cases: list[GatorCase], results: list[dict[str, Any]], base_parameters: dict[str, Any]
) -> dict[str, list[str]]:
    """Compares `gator test -o json` results with the strict decision's findings, per (case, rule)
    of the one run, under the Constraint of the case's parameters: the exact number of
    violations, and each message naming the rule. Every result must be about one of the run's
    objects (or about a template or Constraint file, which gator test reviews too)."""
    names = _constraint_names(cases, base_parameters)
    messages = _messages(results, {object_key(c.document) for c in cases})
    failures: dict[str, list[str]] = {}
    for case in cases:
        key = object_key(case.document)
        params_key = json.dumps(case.parameters, sort_keys=True)
        for rule_id in (r for r in checked_rules(case) if in_one_run(case, r)):
            name = names[(rule_id, params_key)]
            _compare(case, rule_id, name, messages.get((key, name), []), failures)
    return failures


def _messages(results: list[dict[str, Any]], keys: set[str]) -> dict[tuple[str, str], list[str]]:
    """`gator test -o json` messages per (object key, Constraint name). Every result must be about
    one of the run's objects (keys) or about a template or Constraint file, which gator test
    reviews too."""
    messages: dict[tuple[str, str], list[str]] = {}
    for result in results:
        violating = result["violatingObject"]
        key = object_key(violating)
        if key not in keys:
            kind, group = violating.get("kind"), str(violating.get("apiVersion", "")).split("/")[0]
            assert kind == "ConstraintTemplate" or group == "constraints.gatekeeper.sh", (
                f"a gator result on an object not in the run: {key[:300]}"
            )
            continue
        messages.setdefault((key, result["constraint"]["metadata"]["name"]), []).append(result["msg"])
    return messages


def _compare(case: GatorCase, rule_id: str, name: str, got: list[str], failures: dict[str, list[str]]) -> None:
    """gator's messages for the case's object under the rule's Constraint `name` against the
    strict decision's findings of that rule: the same number, each naming the rule."""
    want = [f for f in case.findings if f["rule_id"] == rule_id]
    if len(got) != len(want):
        failures.setdefault(case.name, []).append(
            f"{name}: unexpected number of violations: got {len(got)} violations but want exactly {len(want)}: {got}"
        )
    elif bad := [m for m in got if not m.startswith(f"{rule_id}: ")]:
        failures.setdefault(case.name, []).append(f"{name}: messages not naming the rule: {bad}")


# Given (case, objects) pairs: the strict decision's findings on each case's object under the
# case's parameters with those objects as data.inventory (as the caller computes the cases' own).
Judge = Callable[[list[tuple[GatorCase, list[dict[str, Any]]]]], list[list[dict[str, Any]]]]


@dataclass
class PackedRun:
    """One more `gator test` process, for one inventory-reading rule: the objects (and inventories)
    of several cases at once, so the rule's template compiles once for them all instead of once
    per case as in a suite. Every object of the run is in data.inventory, so a case is judged
    here only where the strict decision's findings of the rule on its object with the run's
    objects as inventory are its own, finding by finding (`judged`); the others stay in a suite."""

    rule_id: str
    members: list[int] = field(default_factory=list)  # case numbers whose objects the run holds
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)  # object_key -> object
    identities: dict[tuple[Any, ...], str] = field(default_factory=dict)  # gator's cache key -> object_key
    judged: list[int] = field(default_factory=list)  # case numbers whose (case, rule) pair it judges


def _objects_of(case: GatorCase) -> list[dict[str, Any]]:
    """The objects a case puts in a packed run: its own, and its inventory (which holds it too)."""
    return [case.document, *case.inventory]


def _identity(doc: dict[str, Any]) -> tuple[Any, ...]:
    """The key under which gator's data cache (and data.mlfence.inventory_of) holds an object."""
    meta = doc["metadata"]
    namespace = meta.get("namespace")
    return (doc["apiVersion"], doc["kind"], namespace if isinstance(namespace, str) else "", meta["name"])


def _packable(case: GatorCase) -> bool:
    """Whether gator's data cache can hold all the case's objects: each has an identity, and no
    two different ones share it (which of them the cache kept would depend on the order)."""
    objects = _objects_of(case)
    if not all(_has_identity(o) for o in objects):
        return False
    return len({_identity(o) for o in objects}) == len({object_key(o) for o in objects})


def pack_runs(cases: list[GatorCase], judge: Judge, rounds: int = 4) -> list[PackedRun]:
    """The (case, rule) pairs a suite would judge, of rules that read data.inventory (the others
    are in the one run), into packed runs per rule: first fit, a run never holding two different
    objects under one identity (which gator's cache would keep one of). The judge then says which
    pairs each run's inventory leaves unchanged; a run keeps all its objects, judged or not (the
    inventory the judge saw). The pairs it changes are packed again among themselves in the next
    round (one judge call each); what is left after the last goes to a suite."""
    pairs = [
        (number, rule_id)
        for number, case in enumerate(cases)
        if _packable(case)
        for rule_id in checked_rules(case)
        if not in_one_run(case, rule_id) and not judged_alone(rule_id)
    ]
    runs: list[PackedRun] = []
    for _ in range(rounds):
        if not pairs:
            break
        found = _pack_round(cases, pairs, judge)
        done = {(number, r.rule_id) for r in found for number in r.judged}
        pairs = [pair for pair in pairs if pair not in done]
        runs += found
    return runs


def _pack_round(cases: list[GatorCase], pairs: list[tuple[int, str]], judge: Judge) -> list[PackedRun]:
    runs: list[PackedRun] = []
    by_rule: dict[str, list[PackedRun]] = {}
    for number, rule_id in pairs:
        keyed = [(object_key(o), _identity(o), o) for o in _objects_of(cases[number])]
        candidates = by_rule.setdefault(rule_id, [])
        fits = (r for r in candidates if all(r.identities.get(ident, key) == key for key, ident, _ in keyed))
        run_ = next(fits, None)
        if run_ is None:
            run_ = PackedRun(rule_id)
            candidates.append(run_)
            runs.append(run_)
        run_.members.append(number)
        for key, ident, obj in keyed:
            run_.objects.setdefault(key, obj)
            run_.identities[ident] = key
    asked = [(number, run_) for run_ in runs for number in run_.members]
    answers = judge([(cases[number], list(run_.objects.values())) for number, run_ in asked])
    for (number, run_), found in zip(asked, answers, strict=True):
        if _of_rule(found, run_.rule_id) == _of_rule(cases[number].findings, run_.rule_id):
            run_.judged.append(number)
    return [r for r in runs if r.judged]


def _packed_constraints(
    run_: PackedRun, cases: list[GatorCase], base_parameters: dict[str, Any]
) -> dict[str, tuple[str, dict[str, Any]]]:
    """A Constraint name (and the parameters that give it) per parameter set of the run's judged
    cases, one per distinct Constraint."""
    names: dict[str, tuple[str, dict[str, Any]]] = {}
    by_text: dict[tuple[str, str], str] = {}
    for number in run_.judged:
        parameters = cases[number].parameters
        name = _shared_name(run_.rule_id, parameters, base_parameters, by_text)
        names.setdefault(json.dumps(parameters, sort_keys=True), (name, parameters))
    return names


def write_packed(out: Path, run_: PackedRun, cases: list[GatorCase], base_parameters: dict[str, Any]) -> list[Path]:
    """A packed run's template, its Constraints (one per parameter set it judges) and objects."""
    out.mkdir(parents=True, exist_ok=True)
    template = out / "template.json"
    template.write_text(_template_text(run_.rule_id))
    paths = [template]
    for name, parameters in dict(_packed_constraints(run_, cases, base_parameters).values()).items():
        document = gatekeeper.constraint(_rules()[run_.rule_id], {**base_parameters, **parameters})
        document["metadata"]["name"] = name
        paths.append(out / f"{name}.json")
        paths[-1].write_text(_text(document))
    objects = out / "objects.json"
    objects.write_text("".join(json.dumps(doc) + "\n" for doc in run_.objects.values()))
    return [*paths, objects]


def packed_failures(
    run_: PackedRun, cases: list[GatorCase], results: list[dict[str, Any]], base_parameters: dict[str, Any]
) -> dict[str, list[str]]:
    """As one_run_failures, for the pairs a packed run judges."""
    names = {key: name for key, (name, _parameters) in _packed_constraints(run_, cases, base_parameters).items()}
    messages = _messages(results, set(run_.objects))
    failures: dict[str, list[str]] = {}
    for number in run_.judged:
        case = cases[number]
        name = names[json.dumps(case.parameters, sort_keys=True)]
        _compare(case, run_.rule_id, name, messages.get((object_key(case.document), name), []), failures)
    return failures


def verify(
    out: Path, cases: list[GatorCase], base_parameters: dict[str, Any], parts: int = 2, judge: Judge | None = None
) -> dict[str, list[str]]:
    """Runs the one `gator test`, the packed `gator test` runs (with a judge, pack_runs) and the
    `gator verify` suites (one process per part), two at a time; returns the failures per case
    name. Every case must have run, no test may fail outside its cases, and every `gator test`
    result must be about one of its objects."""
    packed_runs = pack_runs(cases, judge) if judge is not None else []
    packed = frozenset((number, r.rule_id) for r in packed_runs for number in r.judged)
    suites, aliases = write_suites(out / "verify", cases, base_parameters, parts, packed)
    one_run = write_one_run(out / "test", cases, base_parameters)
    commands = [[tool("gator"), "verify", "-v", str(s)] for s in suites]
    for number, run_ in enumerate(packed_runs):
        files = write_packed(out / "packed" / f"{number:03d}", run_, cases, base_parameters)
        commands.append([tool("gator"), "test", "-o", "json", *(f"--filename={p}" for p in files)])
    if one_run:
        commands.append([tool("gator"), "test", "-o", "json", *(f"--filename={p}" for p in one_run)])
    with ThreadPoolExecutor(max_workers=2) as pool:
        procs = list(pool.map(lambda command: run(command), commands))
    failures: dict[str, list[str]] = {}
    ran: set[str] = set()
    for suite, proc in zip(suites, procs[: len(suites)], strict=True):
        found, names, errors = parse(proc.stdout)
        assert not errors, f"{suite.name}: " + "\n".join(errors)
        assert proc.returncode == (1 if found else 0), f"{suite.name}: exit {proc.returncode}\n{proc.stderr[-3000:]}"
        for name, reasons in found.items():
            failures.setdefault(name, []).extend(reasons)
            for reason in reasons:  # "<test>: <reason>"; the same entry in its test for its aliases
                for alias in aliases.get((reason.split(": ", 1)[0], name), []):
                    failures.setdefault(alias, []).append(reason)
        ran |= names | {alias for (_, name), more in aliases.items() if name in names for alias in more}
    if one_run:
        proc = procs[-1]
        # Exit 1 when a result denies; an error prints no JSON (the parse below fails with stderr).
        assert proc.returncode in (0, 1) and proc.stdout.strip(), (
            f"gator test: exit {proc.returncode}\n{proc.stderr[-3000:]}"
        )
        for name, reasons in one_run_failures(cases, json.loads(proc.stdout) or [], base_parameters).items():
            failures.setdefault(name, []).extend(reasons)
    for run_, proc in zip(packed_runs, procs[len(suites) : len(suites) + len(packed_runs)], strict=True):
        assert proc.returncode in (0, 1) and proc.stdout.strip(), (
            f"gator test (packed {run_.rule_id}): exit {proc.returncode}\n{proc.stderr[-3000:]}"
        )
        for name, reasons in packed_failures(run_, cases, json.loads(proc.stdout) or [], base_parameters).items():
            failures.setdefault(name, []).extend(reasons)
    # one_run_failures and packed_failures look at every pair of their runs; the suites' cases must
    # all have run.
    expected = {
        c.name
        for number, c in enumerate(cases)
        if any(not in_one_run(c, r) and (number, r) not in packed for r in checked_rules(c))
    }
    assert expected <= ran, f"gator verify did not run {sorted(expected - ran)[:20]}"
    return failures
