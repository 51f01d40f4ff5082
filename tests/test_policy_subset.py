"""The policy modules one scan compiles (mlfence.policy_subset): fewer than the whole tree, and
never a different answer than the whole tree gives."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import run
from mlfence import documents, namespace_shards, policy_subset, scan, settings, toolchain

ROOT = toolchain.project_root()
POLICY = toolchain.policy_dir()
DATA = toolchain.data_dir()
OPA = str(toolchain.binary("opa"))


def _scan(policy_args: list[str], documents_: list[documents.Document], tmp_path: Path) -> Any:
    input_path = tmp_path / "input.json"
    input_path.write_text(scan.shard_inputs(documents_, 1)[0])
    return _eval(policy_args, input_path, "data.mlfence.scan")


def _eval(policy_args: list[str], input_path: Path, query: str, data: Path = DATA) -> Any:
    """`opa eval` of query on the policy arguments and the project's data (Rego tests left out)."""
    command = [OPA, "eval", "--format", "json", *policy_args, "-d", str(data), "--ignore", "*_test.rego"]
    proc = run([*command, "--input", str(input_path), query])
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]


def _whole_tree() -> list[str]:
    return ["-d", str(POLICY / "lib"), "-d", str(POLICY / "mlfence")]


def _subset(documents_: list[documents.Document]) -> list[str]:
    return [a for p in scan.policy_paths(POLICY, documents_, DATA) for a in ("-d", str(p))]


SCANNED = {
    "all-kubernetes-examples": ["examples/kubernetes"],
    "one-file": ["examples/kubernetes/ml-serving.yaml"],
    "plan": ["examples/terraform/ml-platform.plan.json"],
}
REVIEW = {
    "apiVersion": "admission.k8s.io/v1",
    "kind": "AdmissionReview",
    "request": {
        "uid": "1",
        "operation": "CREATE",
        "object": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": "ml"},
            "spec": {"hostNetwork": True, "containers": [{"name": "c", "image": "i"}]},
        },
    },
}


@pytest.fixture(scope="module")
def whole_tree_scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """data.mlfence.scan of the whole tree for each input the tests below compare a subset with,
    in one `opa eval` (one compile of the whole tree, ~1 s CPU, instead of one per input): the
    inputs are data, and each answer is the scan `with input as` that input."""
    inputs = {name: [str(ROOT / p) for p in paths] for name, paths in SCANNED.items()}
    scanned = {name: documents.load(paths).documents for name, paths in inputs.items()}
    scanned["admission-review"] = [documents.Document("review.json", 0, 1, REVIEW)]
    folder = tmp_path_factory.mktemp("whole-tree")
    probe = folder / "inputs.json"
    probe.write_text(
        json.dumps({"subset_test_inputs": {n: json.loads(scan.shard_inputs(d, 1)[0]) for n, d in scanned.items()}})
    )
    query = "{name: answer | some name, doc in data.subset_test_inputs; answer := data.mlfence.scan with input as doc}"
    command = [OPA, "eval", "--format", "json", *_whole_tree(), "-d", str(DATA), "-d", str(probe)]
    proc = run([*command, "--ignore", "*_test.rego", query])
    assert proc.returncode == 0, proc.stderr
    answers: dict[str, Any] = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    assert set(answers) == set(scanned)
    return answers


@pytest.mark.parametrize("name", SCANNED)
def test_the_subset_answers_as_the_whole_tree(name: str, whole_tree_scans: dict[str, Any], tmp_path: Path) -> None:
    loaded = documents.load([str(ROOT / p) for p in SCANNED[name]])
    assert loaded.documents
    subset = scan.policy_paths(POLICY, loaded.documents, DATA)
    assert len(subset) < len(policy_subset.modules(POLICY))
    whole = whole_tree_scans[name]
    assert any(answer["findings"] for answer in whole)
    assert _scan(_subset(loaded.documents), loaded.documents, tmp_path) == whole


def test_an_admission_review_routes_by_its_object_kind(whole_tree_scans: dict[str, Any], tmp_path: Path) -> None:
    docs = [documents.Document("review.json", 0, 1, REVIEW)]
    names = {p.relative_to(POLICY).as_posix() for p in scan.policy_paths(POLICY, docs, DATA)}
    assert "mlfence/k8s/pod/host_network/host_network.rego" in names
    whole = whole_tree_scans["admission-review"]
    assert whole[0]["input_kind"] == "admission_review" and whole[0]["findings"]
    assert _scan(_subset(docs), docs, tmp_path) == whole


def test_rules_of_other_kinds_and_targets_are_left_out() -> None:
    pod = documents.Document("p.yaml", 0, 1, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}})
    names = {p.relative_to(POLICY).as_posix() for p in scan.policy_paths(POLICY, [pod], DATA)}
    assert "mlfence/k8s/pod/host_network/host_network.rego" in names
    assert not any(n.startswith("mlfence/terraform/") for n in names)
    assert "mlfence/k8s/istio/authz_allow_all/authz_allow_all.rego" not in names
    assert "mlfence/admission.rego" not in names and "main/main.rego" not in names
    assert set(policy_subset.SCAN_MODULES) <= names


@pytest.mark.parametrize(
    ("entrypoint", "modules"),
    [("scan", policy_subset.SCAN_MODULES), ("reach", policy_subset.REACH_MODULES)],
)
def test_subset_defines_every_rule_of_package_mlfence_its_entrypoint_depends_on(
    entrypoint: str, modules: tuple[str, ...]
) -> None:
    """`opa deps` (OPA's own transitive analysis, on the whole tree) names the rules of package
    mlfence that data.mlfence.<entrypoint> reads; each must be defined in the modules of that
    package the command gives OPA (SCAN_MODULES for a scan, REACH_MODULES for `mlfence reach`)."""
    needed = _deps_in_package_mlfence(f"data.mlfence.{entrypoint}")
    defined = set()
    for name in modules:
        defined |= set(re.findall(r"^(?:default\s+)?([A-Za-z_]\w*)\b", (POLICY / name).read_text(), re.MULTILINE))
    assert entrypoint in needed and "document_kind" in needed
    assert needed <= defined, needed - defined


def _deps_in_package_mlfence(query: str) -> set[str]:
    """The rules of package mlfence (rules excluded) `opa deps` finds the query reads."""
    proc = run([OPA, "deps", "--format", "json", *_whole_tree(), "--ignore", "*_test.rego", query])
    assert proc.returncode == 0, proc.stderr
    needed = set()
    for ref in json.loads(proc.stdout)["virtual"]:
        parts = [term["value"] for term in ref]
        if parts[:2] == ["data", "mlfence"] and len(parts) > 2 and parts[2] not in ("k8s", "terraform"):
            needed.add(parts[2])
    return needed


def test_the_reach_subset_answers_as_the_whole_tree(tmp_path: Path) -> None:
    """data.mlfence.reach from the modules `mlfence reach` compiles equals the whole tree's
    answer on all of examples/ (Kubernetes and Calico policies, Istio, the reach platform)."""
    loaded = documents.load([str(ROOT / "examples")])
    documents_ = [{"path": d.path, "index": i, "document": d.content} for i, d in enumerate(loaded.documents)]
    input_path = tmp_path / "input.json"
    input_path.write_text(json.dumps({"documents": documents_}))
    subset = policy_subset.needed(POLICY, set(), set(), policy_subset.REACH_MODULES)
    assert len(subset) < len(policy_subset.modules(POLICY)) / 3
    answers = [
        _eval(policy_args, input_path, "data.mlfence.reach")
        for policy_args in (_whole_tree(), [a for p in subset for a in ("-d", str(p))])
    ]
    assert answers[0]["flows"] and answers[0]["workloads"]
    assert answers[1] == answers[0]


def test_without_declared_flows_the_flow_rules_are_left_out(tmp_path: Path) -> None:
    """The declared-flow rules judge nothing unless the settings declare components: a scan
    without flows does not compile them, and answers as the whole tree; with flows it keeps them
    (and they find something here, so the comparison would see a rule left out wrongly)."""
    paths = [str(ROOT / "examples" / "kubernetes")]
    loaded = documents.load(paths)
    data = settings.load(None, paths, None, None, known_rules=None).stage_data(tmp_path / "data")
    input_path = tmp_path / "input.json"
    input_path.write_text(scan.shard_inputs(loaded.documents, 1)[0])
    flow_files = {f"{p.replace('.', '/')}/{p.rsplit('.', 1)[1]}.rego" for p in namespace_shards.FLOW_RULE_PACKAGES}
    assert all((POLICY / f).is_file() for f in flow_files)

    def answers(policy_args: list[str]) -> Any:
        return _eval(policy_args, input_path, "data.mlfence.scan", data)

    def flow_findings(answered: Any) -> set[str]:
        return {f["rule_id"] for a in answered for f in a["findings"] if f["rule_id"] in namespace_shards.FLOW_RULES}

    subset = scan.policy_paths(POLICY, loaded.documents, data)
    assert not flow_files & {p.relative_to(POLICY).as_posix() for p in subset}
    whole = answers(_whole_tree())
    assert any(a["findings"] for a in whole) and not flow_findings(whole)
    assert answers([a for p in subset for a in ("-d", str(p))]) == whole

    config_file = data / "mlfence" / "config" / "data.json"
    components = [{"name": "training", "namespaces": ["ml-training"], "pods": {"matchLabels": {"no": "such"}}}]
    config_file.write_text(json.dumps({**json.loads(config_file.read_text()), "flows": {"components": components}}))
    subset = scan.policy_paths(POLICY, loaded.documents, data)
    assert flow_files <= {p.relative_to(POLICY).as_posix() for p in subset}
    whole = answers(_whole_tree())
    assert flow_findings(whole) == {"MLF-K8S-062"}
    assert answers([a for p in subset for a in ("-d", str(p))]) == whole


def test_flows_declared_by_another_data_file_keep_the_flow_rules(tmp_path: Path) -> None:
    """OPA merges every data file into data.mlfence.config: flows that a `--data` layer adds
    beside the settings' config/data.json (config/flows/data.json, mlfence/data.json, a root
    data file) are read by the rules, so the flow rules must stay in the compile and judge them."""
    paths = [str(ROOT / "examples" / "kubernetes")]
    loaded = documents.load(paths)
    data = settings.load(None, paths, None, None, known_rules=None).stage_data(tmp_path / "data")
    assert "flows" not in json.loads((data / "mlfence" / "config" / "data.json").read_text())
    assert not namespace_shards.flows_declared(data)
    components = [{"name": "training", "namespaces": ["ml-training"], "pods": {"matchLabels": {"no": "such"}}}]
    layers = {
        data / "mlfence" / "config" / "flows" / "data.json": {"components": components},
        data / "mlfence" / "data.yaml": {"config": {"flows": {"components": components}}},
        data / "data.json": {"mlfence": {"config": {"flows": {"components": components}}}},
    }
    for where, content in layers.items():
        where.parent.mkdir(parents=True, exist_ok=True)
        where.write_text(json.dumps(content))
        assert namespace_shards.flows_declared(data), where
        where.unlink()
    assert not namespace_shards.flows_declared(data)

    flows_file = data / "mlfence" / "config" / "flows" / "data.json"
    flows_file.parent.mkdir(exist_ok=True)
    flows_file.write_text(json.dumps({"components": components}))
    input_path = tmp_path / "input.json"
    input_path.write_text(scan.shard_inputs(loaded.documents, 1)[0])
    subset = scan.policy_paths(POLICY, loaded.documents, data)
    answered = _eval([a for p in subset for a in ("-d", str(p))], input_path, "data.mlfence.scan", data)
    assert {f["rule_id"] for a in answered for f in a["findings"]} & namespace_shards.FLOW_RULES == {"MLF-K8S-062"}


def test_kubernetes_rules_follow_the_index_shape() -> None:
    index = {"kubernetes": {"kinds": {"Pod": [["pod", "host_network"]]}, "any_kind": [["a", "b"]]}}
    assert policy_subset.kubernetes_rules(index, {"Pod", "Other"}) == {
        "mlfence.k8s.pod.host_network",
        "mlfence.k8s.a.b",
    }
    # No index, or one of another shape: every rule runs (the Rego's fallback), so all are kept.
    assert policy_subset.kubernetes_rules(None, {"Pod"}) is None
    assert policy_subset.kubernetes_rules({"kubernetes": {"kinds": []}}, {"Pod"}) is None
    assert policy_subset.kubernetes_rules({"kubernetes": {"kinds": {"Pod": [["x"]]}}}, {"Pod"}) is None


def test_a_rule_index_another_data_file_could_extend_is_not_trusted(tmp_path: Path) -> None:
    (tmp_path / "mlfence" / "rule_index").mkdir(parents=True)
    (tmp_path / "mlfence" / "rule_index" / "data.json").write_text('{"kubernetes": {"kinds": {}}}')
    assert policy_subset.rule_index(tmp_path) == {"kubernetes": {"kinds": {}}}
    (tmp_path / "mlfence" / "data.json").write_text('{"rule_index": {"kubernetes": {"any_kind": []}}}')
    assert policy_subset.rule_index(tmp_path) is None
    assert policy_subset.rule_index(tmp_path / "absent") is None


def test_a_policy_folder_without_the_scan_is_a_scan_error(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "x.rego").write_text("package lib.x\n\ny := 1\n")
    pod = documents.Document("p.yaml", 0, 1, {"apiVersion": "v1", "kind": "Pod"})
    with pytest.raises(scan.ScanError, match="cannot read the policy"):
        scan.policy_paths(tmp_path, [pod], DATA)
