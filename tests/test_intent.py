"""Declared flows (`flows:` in .mlfence.yaml) on the seeds' example platform through the CLI: the
example's declaration holds for training, the registry and inference, and catches the ingress
gateway that no NetworkPolicy isolates; a policy for the gateway clears it; a change that opens
an undeclared flow to the registry fails. (Every engine per case: the rules' examples.yaml in
tests/test_engines.py.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from conftest import ROOT, cli_in_process

EXAMPLE = ROOT / "examples" / "reach"
INTENT_RULES = {"MLF-K8S-060", "MLF-K8S-061", "MLF-K8S-062"}

GATEWAY_POLICY = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "NetworkPolicy",
    "metadata": {"name": "ingressgateway", "namespace": "istio-system"},
    "spec": {
        "podSelector": {"matchLabels": {"istio": "ingressgateway"}},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"protocol": "TCP", "port": 8443}]}],
        "egress": [
            {
                "to": [
                    {
                        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ml-serving"}},
                        "podSelector": {"matchLabels": {"app": "inference-service"}},
                    }
                ],
                "ports": [{"protocol": "TCP", "port": 8080}],
            },
            {
                "to": [
                    {
                        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                    }
                ],
                "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
            },
        ],
    },
}

REGISTRY_FROM_EVERYWHERE = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "NetworkPolicy",
    "metadata": {"name": "allow-all-internal", "namespace": "model-registry"},
    "spec": {
        "podSelector": {},
        "policyTypes": ["Ingress"],
        "ingress": [{"from": [{"namespaceSelector": {}}], "ports": [{"port": 5000}]}],
    },
}


def _intent_findings(folder: Path) -> list[dict]:
    proc = cli_in_process("check", "-q", "--format", "json", str(folder))
    assert proc.returncode in (0, 1), proc.stderr
    return [f for f in json.loads(proc.stdout)["findings"] if f["rule_id"] in INTENT_RULES]


def _copy(tmp_path: Path, *extra: dict) -> Path:
    folder = tmp_path / "reach"
    shutil.copytree(EXAMPLE, folder)
    if extra:
        (folder / "extra.yaml").write_text(yaml.safe_dump_all(extra))
    return folder


def test_example_declaration_catches_the_open_gateway(tmp_path: Path) -> None:
    found = _intent_findings(_copy(tmp_path))
    assert {(f["rule_id"], f["status"]) for f in found} == {("MLF-K8S-060", "fail")}
    assert {f["resource"] for f in found} == {
        "istio-system/Deployment/istio-ingressgateway",
        "kube-system/Deployment/coredns",
    }
    messages = [f["message"] for f in found]
    assert any(
        "istio-system/istio-ingressgateway (component ingress-gateway) can reach 0.0.0.0/0 (internet)" in m
        for m in messages
    ), messages
    assert any(
        "kube-system/coredns (no component) can reach istio-system/istio-ingressgateway" in m for m in messages
    ), messages
    assert len(found) == 6


def test_a_gateway_policy_clears_it(tmp_path: Path) -> None:
    assert _intent_findings(_copy(tmp_path, GATEWAY_POLICY)) == []


def test_opening_the_registry_fails_on_the_policy_and_the_workloads(tmp_path: Path) -> None:
    found = _intent_findings(_copy(tmp_path, GATEWAY_POLICY, REGISTRY_FROM_EVERYWHERE))
    by_resource = {f["resource"] for f in found if f["rule_id"] == "MLF-K8S-060"}
    assert "model-registry/NetworkPolicy/allow-all-internal" in by_resource
    assert "model-registry/Deployment/model-registry" in by_resource
    policy = next(f["message"] for f in found if f["resource"] == "model-registry/NetworkPolicy/allow-all-internal")
    assert "can reach model-registry/model-registry (component model-registry) on TCP 5000" in policy
    assert "ingress: NetworkPolicy model-registry/allow-all-internal rule 0" in policy


def test_a_misspelt_component_and_a_blocked_flow_warn(tmp_path: Path) -> None:
    folder = _copy(tmp_path, GATEWAY_POLICY)
    settings = yaml.safe_load((folder / ".mlfence.yaml").read_text())
    for component in settings["flows"]["components"]:
        if component["name"] == "feature-store":
            component["pods"] = {"matchLabels": {"app": "feature-stor"}}
    settings["flows"]["allow"].append({"from": "ci-runners", "to": "training", "ports": [22]})
    (folder / ".mlfence.yaml").write_text(yaml.safe_dump(settings))
    found = {(f["rule_id"], f["status"], f["resource"]) for f in _intent_findings(folder)}
    assert ("MLF-K8S-062", "warn", "/Namespace/ml-serving") in found
    assert ("MLF-K8S-061", "warn", "ci/Deployment/ci-runner") in found
