"""`--format policyreport` against the real wgpolicyk8s.io CRDs.

The CRDs come from Kyverno's Go module (config/crds/policyreport/), fetched with `go mod
download` from the Go module proxy like the project's other Go inputs; the wg-policy prototypes
module itself is not served by the proxy. Each object is validated against its CRD's
openAPIV3Schema, and must have no field the API server would prune (unknown fields are dropped
silently, which would lose data without an error)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conftest import cli_in_process

KYVERNO = "github.com/kyverno/kyverno@v1.13.4"


@pytest.fixture(scope="module")
def crds() -> dict[str, dict[str, Any]]:
    go = shutil.which("go")
    assert go, "the Go toolchain (used by scripts/setup.sh) is needed to fetch the PolicyReport CRDs"
    proc = subprocess.run(
        [go, "mod", "download", "-json", KYVERNO], capture_output=True, text=True, check=False, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = Path(json.loads(proc.stdout)["Dir"]) / "config" / "crds" / "policyreport"
    out = {}
    for path in folder.glob("wgpolicyk8s.io_*.yaml"):
        crd = yaml.safe_load(path.read_text())
        out[crd["spec"]["names"]["kind"]] = crd
    assert set(out) == {"PolicyReport", "ClusterPolicyReport"}
    return out


def pruned(value: Any, schema: dict[str, Any], path: str = "") -> list[str]:
    """Fields the API server would drop: not declared by a structural schema."""
    if isinstance(value, dict):
        if schema.get("x-kubernetes-preserve-unknown-fields") or path == "/metadata":
            return []
        declared = schema.get("properties")
        extra = schema.get("additionalProperties")
        out = []
        for key, item in value.items():
            if declared is not None and key in declared:
                out += pruned(item, declared[key], f"{path}/{key}")
            elif isinstance(extra, dict):
                out += pruned(item, extra, f"{path}/{key}")
            else:
                out.append(f"{path}/{key}")
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [p for i, item in enumerate(value) for p in pruned(item, schema["items"], f"{path}/{i}")]
    return []


def validate(obj: dict[str, Any], crds: dict[str, dict[str, Any]]) -> None:
    crd = crds[obj["kind"]]
    group, version = obj["apiVersion"].split("/")
    assert group == crd["spec"]["group"]
    [served] = [v for v in crd["spec"]["versions"] if v["name"] == version and v["served"]]
    schema = served["schema"]["openAPIV3Schema"]
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in jsonschema.Draft7Validator(schema).iter_errors(obj)
    ]
    assert errors == [], errors[:5]
    assert pruned(obj, schema) == []
    namespaced = crd["spec"]["scope"] == "Namespaced"
    assert ("namespace" in obj["metadata"]) == namespaced


def test_policyreports_match_the_crds(crds: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    exemption = tmp_path / "exemptions.yaml"
    exemption.write_text(
        json.dumps(
            {
                "exemptions": [
                    {
                        "rule": "MLF-K8S-033",
                        "resource": "ml-training/RayCluster/tuning",
                        "reason": "firewalled",
                        "owner": "ml-platform",
                        "expires": (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat(),
                    }
                ]
            }
        )
    )
    proc = cli_in_process("check", "-q", "--format", "policyreport", "--exemptions", str(exemption), "examples/")
    assert proc.returncode == 1, proc.stderr
    objects = list(yaml.safe_load_all(proc.stdout))
    for obj in objects:
        validate(obj, crds)
    kinds = sorted((o["kind"], o["metadata"].get("namespace", "")) for o in objects)
    assert ("ClusterPolicyReport", "") in kinds and ("PolicyReport", "ml-training") in kinds

    training = next(o for o in objects if o["metadata"].get("namespace") == "ml-training")
    ray = next(r for r in training["results"] if r["policy"] == "MLF-K8S-033")
    assert ray["result"] == "skip" and ray["properties"]["status"] == "exempted"
    assert ray["resources"] == [{"kind": "RayCluster", "name": "tuning", "namespace": "ml-training"}]
    assert not ray["message"].startswith("MLF-")
    assert training["summary"]["skip"] == 1
    assert training["summary"]["fail"] == sum(r["result"] == "fail" for r in training["results"])

    cluster = next(o for o in objects if o["kind"] == "ClusterPolicyReport")
    terraform = [r for r in cluster["results"] if r["policy"].startswith("MLF-TF-")]
    assert terraform and all("resources" not in r and r["properties"]["resource"] for r in terraform)
    # Namespaces are cluster-scoped: their findings (MLF-K8S-008 on examples/reach) go to the cluster report.
    namespaces = [r["resources"] for r in cluster["results"] if r["policy"] == "MLF-K8S-008"]
    assert [{"kind": "Namespace", "name": "model-registry"}] in namespaces


def test_clean_run_still_reports_an_empty_cluster_report(crds: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    clean = tmp_path / "cm.yaml"
    clean.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: ml}\ndata: {a: b}\n")
    proc = cli_in_process("check", "-q", "--format", "policyreport", str(clean))
    assert proc.returncode == 0, proc.stderr
    [obj] = list(yaml.safe_load_all(proc.stdout))
    validate(obj, crds)
    assert obj["kind"] == "ClusterPolicyReport" and obj["results"] == []
    assert obj["summary"] == {"pass": 0, "fail": 0, "warn": 0, "error": 0, "skip": 0}


@pytest.mark.parametrize(
    "breakage",
    [
        lambda o: o["results"][0].update(result="unknown"),  # not in the CRD's enum
        lambda o: o["results"][0].update(fingerprint="x"),  # an undeclared field would be pruned
        lambda o: o["results"][0]["properties"].update(line=3),  # properties are strings
    ],
)
def test_the_crd_check_catches_what_the_api_server_would_reject(crds: dict[str, dict[str, Any]], breakage: Any) -> None:
    obj = {
        "apiVersion": "wgpolicyk8s.io/v1alpha2",
        "kind": "ClusterPolicyReport",
        "metadata": {"name": "m"},
        "results": [{"policy": "MLF-K8S-008", "result": "fail", "properties": {"line": "1"}}],
    }
    validate(obj, crds)
    breakage(obj)
    with pytest.raises(AssertionError):
        validate(obj, crds)
