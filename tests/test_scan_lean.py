"""Documents no rule is routed to reach OPA reduced to what data.mlfence.scan reads of them
(scan.lean_documents): the answers are those of the whole documents."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from mlfence import documents, scan, settings, toolchain

POLICY = toolchain.policy_dir()
OPA = str(toolchain.binary("opa"))

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "things.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"kind": "Thing", "plural": "things"},
        "scope": "Namespaced",
        "versions": [{"name": "v1", "schema": {"openAPIV3Schema": {"type": "object", "x": "y" * 2000}}}],
    },
}
POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "namespace": "ml"},
    "spec": {"hostNetwork": True, "containers": [{"name": "c", "image": "i"}]},
}
DENY = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "NetworkPolicy",
    "metadata": {"name": "deny"},
    "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
}


def _tree(root: Path) -> Path:
    """Unrouted kinds in every place scan.rego treats specially: a kustomize folder naming a patch
    file, a `$patch` document, a document without metadata, one of a namespaced kind without a
    namespace (placed by the Kustomization), beside routed objects with findings."""
    base = root / "base"
    base.mkdir(parents=True)
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": "ml",
        "resources": ["objects.yaml"],
        "patches": [{"path": "patch.yaml"}],
    }
    (base / "kustomization.yaml").write_text(json.dumps(kustomization))
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r"}, "rules": []}
    unnamed = {"apiVersion": "example.com/v1", "kind": "Thing", "spec": {"a": 1}}
    objects = [POD, DENY, role, unnamed, CRD]
    (base / "objects.yaml").write_text("\n---\n".join(json.dumps(o) for o in objects))
    (base / "patch.yaml").write_text(json.dumps({**role, "metadata": {"name": "r"}, "rules": [{"verbs": ["*"]}]}))
    plain = root / "plain"
    plain.mkdir()
    deleted = {**role, "$patch": "delete"}
    loose_pod = {**POD, "metadata": {"name": "q"}}
    not_a_list = {"apiVersion": "example.com/v1", "kind": "ThingList", "metadata": {"name": "l"}, "items": {}}
    (plain / "objects.yaml").write_text("\n---\n".join(json.dumps(o) for o in [CRD, deleted, loose_pod, not_a_list]))
    return root


def _answers(docs: list[documents.Document], data: Path, tmp: Path) -> Any:
    input_path = tmp / "input.json"
    input_path.write_text(scan.shard_inputs(docs, 1)[0])
    modules = scan.policy_paths(POLICY, docs, data)
    command = [OPA, "eval", "--format", "json", *(a for p in modules for a in ("-d", str(p))), "-d", str(data)]
    proc = subprocess.run(
        [*command, "--input", str(input_path), "data.mlfence.scan"], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]


def test_unrouted_documents_are_sent_lean_and_answered_the_same(tmp_path: Path) -> None:
    root = _tree(tmp_path / "tree")
    loaded = documents.load([str(root)], rendering=documents.Rendering(kustomize=False)).documents
    data = settings.load(None, [str(root)], None, None, known_rules=None).stage_data(tmp_path / "data")
    lean = scan.lean_documents(loaded, data)
    assert len(lean) == len(loaded)
    reduced = [(d.content.get("kind"), sorted(d.content)) for d, o in zip(lean, loaded, strict=True) if d is not o]
    assert ("CustomResourceDefinition", ["apiVersion", "kind", "metadata"]) in reduced
    assert ("Role", ["$patch", "apiVersion", "kind", "metadata"]) in reduced
    assert ("Thing", ["apiVersion", "kind"]) in reduced
    assert not {"Pod", "NetworkPolicy", "Kustomization", "ThingList"} & {kind for kind, _ in reduced}
    assert "ThingList" in {d.content.get("kind") for d in loaded}
    whole = _answers(loaded, data, tmp_path)
    assert [a["input_kind"] for a in whole].count("unrecognised") >= 2  # the patches
    assert any(a["findings"] for a in whole)
    assert _answers(lean, data, tmp_path) == whole
    assert len(scan.shard_inputs(lean, 1)[0]) < len(scan.shard_inputs(loaded, 1)[0]) / 2


def test_without_a_usable_rule_index_every_document_is_sent_whole(tmp_path: Path) -> None:
    root = _tree(tmp_path / "tree")
    loaded = documents.load([str(root)], rendering=documents.Rendering(kustomize=False)).documents
    data = settings.load(None, [str(root)], None, None, known_rules=None).stage_data(tmp_path / "data")
    index_file = data / "mlfence" / "rule_index" / "data.json"
    index = json.loads(index_file.read_text())
    index["kubernetes"]["any_kind"] = [["pod", "host_network"]]  # a rule for every kind
    index_file.write_text(json.dumps(index))
    assert all(d is o for d, o in zip(scan.lean_documents(loaded, data), loaded, strict=True))
    shutil.rmtree(index_file.parent)
    assert all(d is o for d, o in zip(scan.lean_documents(loaded, data), loaded, strict=True))
