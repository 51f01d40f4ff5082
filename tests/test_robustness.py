"""Property tests: random and adversarial objects, AdmissionReviews and plans never make an
entrypoint error (strict builtin errors on), never produce conflicting outputs (a conflict is an
evaluation error), and nothing unparseable is allowed."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, run, tool

KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "NetworkPolicy", "Service",
         "Ingress", "Namespace", "PyTorchJob", "MPIJob", "JobSet", "RayCluster", "RayJob", "RayService",
         "InferenceService", "ServingRuntime", "SeldonDeployment", "Notebook", "Workflow", "LeaderWorkerSet",
         "AuthorizationPolicy", "PeerAuthentication", "ServiceEntry", "Sidecar", "DestinationRule", "TrainJob"]
API_VERSIONS = ["v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "kubeflow.org/v1", "ray.io/v1",
                "serving.kserve.io/v1beta1", "security.istio.io/v1", "networking.istio.io/v1beta1", "x/y"]
TF_TYPES = ["aws_security_group", "aws_security_group_rule", "aws_vpc", "aws_flow_log", "aws_s3_bucket",
            "aws_sagemaker_notebook_instance", "aws_eks_cluster", "aws_lb", "google_compute_firewall",
            "google_container_cluster", "azurerm_network_security_rule", "azurerm_kubernetes_cluster",
            "azurerm_machine_learning_workspace", "aws_vpc_endpoint", "aws_s3_bucket_policy"]
KEYS = ["spec", "template", "containers", "egress", "ingress", "to", "from", "ipBlock", "cidr", "ports",
        "hostNetwork", "metadata", "annotations", "labels", "name", "namespace", "type", "rules", "hosts",
        "tls", "mtls", "mode", "selector", "env", "value", "cidr_blocks", "ingress", "vpc_config", "items"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12), st.sampled_from(["0.0.0.0/0", "::/0", "10.0.0.0/8", "*", "Internet", "true",
                                           "LoadBalancer", "PERMISSIVE", "DISABLE", "169.254.169.254/32",
                                           "151.101.0.0/16", "not-a-cidr/99", "é😀", ""]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=5)),
    max_leaves=25,
)


@st.composite
def kubernetes_objects(draw: st.DrawFn) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": draw(st.sampled_from(API_VERSIONS)), "kind": draw(st.sampled_from(KINDS))}
    obj["metadata"] = draw(st.one_of(json_values, st.fixed_dictionaries(
        {"name": st.text(max_size=8), "namespace": st.sampled_from(["ml", "kube-system", ""]) | json_values},
        optional={"labels": json_values, "annotations": json_values})))
    obj["spec"] = draw(json_values)
    return obj


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    changes = draw(st.lists(st.one_of(json_values, st.fixed_dictionaries({
        "address": st.text(max_size=10) | json_values, "mode": st.sampled_from(["managed", "data"]) | json_values,
        "type": st.sampled_from(TF_TYPES), "name": st.text(max_size=5),
        "change": st.fixed_dictionaries({"actions": st.lists(st.sampled_from(["create", "update", "delete"]),
                                                             max_size=2) | json_values,
                                         "after": json_values, "after_unknown": json_values}),
    })), max_size=5))
    plan: dict[str, Any] = {"format_version": draw(st.sampled_from(["1.2", "0.1"])), "resource_changes": changes}
    if draw(st.booleans()):
        plan["configuration"] = draw(json_values)
    if draw(st.booleans()):
        plan["planned_values"] = draw(json_values)
    return plan


def reviews(objects: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda obj, uid, op: {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                              "request": {"uid": uid, "operation": op, "object": obj}},
        objects, st.text(max_size=8) | st.integers(), st.sampled_from(["CREATE", "UPDATE", "DELETE", "CONNECT", 3]))


documents = st.one_of(kubernetes_objects(), plans(), reviews(kubernetes_objects() | json_values), json_values,
                      st.lists(json_values, max_size=3))

QUERY = ("out := [r | some doc in input.docs; x := json.unmarshal(json.marshal(doc)); "
         "d := data.mlfence.decision with input as x; a := data.mlfence.admission with input as x; "
         "r := {\"decision\": d, \"admission\": a}]")


def _evaluate(docs: list[Any]) -> list[dict[str, Any]]:
    proc = run([tool("opa"), "eval", "--format", "json", "--strict-builtin-errors", "--stdin-input",
                "-d", str(ROOT / "policy"), "-d", str(ROOT / "data"), "--ignore", "*_test.rego", QUERY],
               input_text=json.dumps({"docs": docs}))
    assert proc.returncode == 0, f"evaluation error on {json.dumps(docs)[:2000]}:\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout)["result"][0]["bindings"]["out"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(documents, min_size=1, max_size=25))
def test_entrypoints_never_error_and_fail_closed(docs: list[Any]) -> None:
    results = _evaluate(docs)
    assert len(results) == len(docs)
    for doc, result in zip(docs, results, strict=True):
        decision, admission = result["decision"], result["admission"]
        assert isinstance(decision["allowed"], bool)
        if decision["input_kind"] == "unrecognised":
            assert decision["allowed"] is False, doc
        response = admission["response"]
        assert isinstance(response["allowed"], bool)
        if not (isinstance(doc, dict) and doc.get("kind") == "AdmissionReview"):
            assert response["allowed"] is False
        elif isinstance(doc.get("request"), dict) and isinstance(doc["request"].get("uid"), str):
            assert response["uid"] == doc["request"]["uid"]
        for finding in decision["findings"]:
            assert finding["status"] in {"fail", "warn", "unknown", "exempted"}
            assert finding["rule_id"].startswith("MLF-")


def test_scan_entrypoint_on_adversarial_batch() -> None:
    docs = [{"path": "x", "index": i, "document": d} for i, d in enumerate(
        [None, [], "text", {"kind": "List", "items": 5}, {"apiVersion": "v1", "kind": "Pod", "metadata": []},
         {"format_version": 1, "resource_changes": "x"}, {"kind": "AdmissionReview", "request": None}])]
    proc = run([tool("opa"), "eval", "--format", "json", "--strict-builtin-errors", "--stdin-input",
                "-d", str(ROOT / "policy"), "-d", str(ROOT / "data"), "--ignore", "*_test.rego", "data.mlfence.scan"],
               input_text=json.dumps({"documents": docs}))
    assert proc.returncode == 0, proc.stderr
    answers = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    assert [a["index"] for a in answers] == list(range(len(docs)))
