"""Generated Gatekeeper artifacts: what Gatekeeper accepts, how parameters and exemptions reach
it, and that gator agrees."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run, tool
from mlfence import gatekeeper, parameters, rego_source, settings

DATA_REF = re.compile(r"\bdata\.([A-Za-z_]\w*)")
OPEN_EGRESS = {
    "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
    "metadata": {"name": "open-egress", "namespace": "ml-serving"},
    "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{}]},
}


@pytest.fixture(scope="module")
def artifacts() -> list[gatekeeper.Artifact]:
    return gatekeeper.artifacts(parameters.gatekeeper(ROOT / "data"))


def _write(artifacts: list[gatekeeper.Artifact], out: Path, only: str = "") -> Path:
    for artifact in artifacts:
        if only and not artifact.path.startswith(only):
            continue
        target = out / artifact.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(gatekeeper.dump(artifact.document))
    return out


def test_one_template_and_constraint_per_kubernetes_rule(artifacts: list[gatekeeper.Artifact]) -> None:
    rules = gatekeeper.kubernetes_rules()
    templates = [a for a in artifacts if a.path.startswith("templates/")]
    constraints = [a for a in artifacts if a.path.startswith("constraints/")]
    assert len(templates) == len(constraints) == len(rules) >= 2
    kustomization = next(a for a in artifacts if a.path == "kustomization.yaml").document
    assert sorted(kustomization["resources"]) == sorted(a.path for a in artifacts if a.path != "kustomization.yaml")


def test_templates_use_rego_v1_and_reference_only_lib_and_inventory(artifacts: list[gatekeeper.Artifact]) -> None:
    for artifact in (a for a in artifacts if a.path.startswith("templates/")):
        doc = artifact.document
        assert doc["metadata"]["name"] == doc["spec"]["crd"]["spec"]["names"]["kind"].lower()
        [code] = doc["spec"]["targets"][0]["code"]
        assert code["engine"] == "Rego" and code["source"]["version"] == "v1"
        for source in [code["source"]["rego"], *code["source"]["libs"]]:
            assert "import rego.v1" not in source
            body = "\n".join(line.split("#", 1)[0] for line in source.splitlines())
            assert set(DATA_REF.findall(body)) <= {"lib", "inventory"}, artifact.path
        for lib in code["source"]["libs"]:
            assert re.search(r"^package lib\.", lib, re.MULTILINE), artifact.path


def test_inventory_rules_get_sync_data_and_config(artifacts: list[gatekeeper.Artifact]) -> None:
    referential = [a for a in artifacts if a.path.startswith("templates/")
                   and "metadata.gatekeeper.sh/requires-sync-data" in a.document["metadata"]["annotations"]]
    assert referential, "the namespace default-deny rules read data.inventory"
    sync = next(a for a in artifacts if a.path == "sync/config.yaml").document
    kinds = {(s["group"], s["kind"]) for s in sync["spec"]["sync"]["syncOnly"]}
    assert {("", "Namespace"), ("networking.k8s.io", "NetworkPolicy")} <= kinds
    for artifact in referential:
        json.loads(artifact.document["metadata"]["annotations"]["metadata.gatekeeper.sh/requires-sync-data"])


def test_scan_inventory_holds_exactly_the_synced_kinds() -> None:
    """The CLI/conftest/bundle inventory (policy/mlfence/scan.rego) and Gatekeeper's sync Config
    replicate the same kinds, so cross-object rules see the same cluster in every engine."""
    proc = run([tool("opa"), "eval", "-f", "json", "-d", str(ROOT / "policy"), "--ignore", "*_test.rego",
                "data.mlfence.synced_kinds"])
    assert proc.returncode == 0, proc.stderr
    rego = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    want: dict[str, set[str]] = {}
    for group, version, kind in gatekeeper.SYNCED:
        want.setdefault(f"{group}/{version}" if group else version, set()).add(kind)
    assert {v: set(k) for v, k in rego.items()} == want


def test_scan_inventory_holds_the_model_kinds_gatekeeper_syncs(artifacts: list[gatekeeper.Artifact]) -> None:
    """The workloads the declared-flow rules read: scanned at the version Gatekeeper syncs, synced
    by the Config, and required only by the templates whose code uses the connectivity model."""
    proc = run([tool("opa"), "eval", "-f", "json", "-d", str(ROOT / "policy"), "--ignore", "*_test.rego",
                "data.mlfence.model_synced_kinds"])
    assert proc.returncode == 0, proc.stderr
    rego = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    want: dict[str, set[str]] = {}
    for group, version, kind in gatekeeper.MODEL_SYNCED:
        want.setdefault(f"{group}/{version}" if group else version, set()).add(kind)
    assert {v: set(k) for v, k in rego.items()} == want
    sync = next(a for a in artifacts if a.path == "sync/config.yaml").document
    synced = {(s["group"], s["version"], s["kind"]) for s in sync["spec"]["sync"]["syncOnly"]}
    assert set(gatekeeper.MODEL_SYNCED) | set(gatekeeper.SYNCED) == synced
    required = {a.document["metadata"]["annotations"]["mlfence.io/rule-id"]:
                json.loads(a.document["metadata"]["annotations"].get("metadata.gatekeeper.sh/requires-sync-data", "[]"))
                for a in artifacts if a.path.startswith("templates/")}
    deployment = [{"groups": ["apps"], "versions": ["v1"], "kinds": ["Deployment"]}]
    assert {rule for rule, needs in required.items() if deployment in needs} == {
        "MLF-K8S-060", "MLF-K8S-061", "MLF-K8S-062"}


def test_constraints_carry_parameters_and_stay_small(artifacts: list[gatekeeper.Artifact]) -> None:
    # Defaults live in Rego (absent keys fall back to them); what the settings set is rendered in.
    run_settings = settings.Settings(parameters={"system_namespaces": ["kube-system", "platform"]})
    rendered = gatekeeper.artifacts(parameters.for_settings(run_settings))
    for artifact in (a for a in rendered if a.path.startswith("constraints/")):
        params = artifact.document["spec"]["parameters"]
        assert params["system_namespaces"] == ["kube-system", "platform"]
        assert "approved_ranges" in params
        assert len(gatekeeper.dump(artifact.document).encode()) < gatekeeper.MAX_CONSTRAINT_BYTES


def test_oversized_parameters_fail_the_build() -> None:
    huge = {"approved_ranges": {"aws": {"EC2": {"GLOBAL": {"ipv4": [f"10.{i // 256}.{i % 256}.0/24"
                                                                      for i in range(60000)]}}}}}
    with pytest.raises(gatekeeper.GeneratorError, match="over the"):
        gatekeeper.artifacts(huge)


def test_enforcement_action_and_audit_only_rules(artifacts: list[gatekeeper.Artifact]) -> None:
    warn = gatekeeper.artifacts(parameters.gatekeeper(ROOT / "data"), "warn")
    for rule, constraint in zip(gatekeeper.kubernetes_rules(),
                                (a for a in warn if a.path.startswith("constraints/")), strict=True):
        expected = gatekeeper.default_enforcement(rule) or "warn"
        assert constraint.document["spec"]["enforcementAction"] == expected
    with pytest.raises(gatekeeper.GeneratorError):
        gatekeeper.artifacts({}, "block")


def test_link_refuses_data_references(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "a.rego").write_text("package lib.a\n\nx := data.mlfence.config\n")
    rule = tmp_path / "rule.rego"
    rule.write_text("package k8s.x\n\nimport data.lib.a\n\nviolation contains 1 if a.x\n")
    rego_source.lib_index.cache_clear()
    with pytest.raises(rego_source.LinkError, match=r"data\.mlfence"):
        rego_source.link(rule, lib)


def _gator_test(tmp_path: Path, artifacts: list[gatekeeper.Artifact], obj: dict, rule: str = "") -> list[dict]:
    """gator test of obj against every template, or only the rule's (one template to compile
    instead of all of them: what the exemption tests need, at a tenth of the cost)."""
    name = f"{rule.lower()}.yaml" if rule else ""
    _write([a for a in artifacts if not name or a.path.endswith(f"/{name}")], tmp_path / "gk", only="templates/")
    _write([a for a in artifacts if not name or a.path.endswith(f"/{name}")], tmp_path / "gk", only="constraints/")
    manifest = tmp_path / "obj.yaml"
    manifest.write_text(yaml.safe_dump(obj))
    proc = run([tool("gator"), "test", "-o", "json", "-f", str(tmp_path / "gk"), "-f", str(manifest)])
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout or "[]") or []


def _soon() -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()


def test_exempted_findings_never_deny_at_admission(tmp_path: Path) -> None:
    base = parameters.gatekeeper(ROOT / "data")
    denied = _gator_test(tmp_path / "a", gatekeeper.artifacts(base), OPEN_EGRESS, "MLF-K8S-001")
    assert "MLF-K8S-001" in {r["metadata"]["details"]["rule_id"] for r in denied}
    exempt = {**base, "exemptions": [{"rule": "MLF-K8S-001", "resource": "ml-serving/NetworkPolicy/open-*",
                                      "reason": "proxy rollout", "owner": "platform", "expires": _soon()}]}
    allowed = _gator_test(tmp_path / "b", gatekeeper.artifacts(exempt), OPEN_EGRESS, "MLF-K8S-001")
    assert "MLF-K8S-001" not in {r["metadata"]["details"]["rule_id"] for r in allowed}
    expired = {**exempt, "exemptions": [{**exempt["exemptions"][0], "expires": "2001-01-01"}]}
    again = _gator_test(tmp_path / "c", gatekeeper.artifacts(expired), OPEN_EGRESS, "MLF-K8S-001")
    messages = [r["msg"] for r in again if r["metadata"]["details"]["rule_id"] == "MLF-K8S-001"]
    assert messages and all("exemption expired on 2001-01-01" in m for m in messages)


def test_mlfence_build_writes_applyable_tree(tmp_path: Path) -> None:
    proc = run([str(ROOT / ".venv" / "bin" / "mlfence"), "build", "--out", str(tmp_path), "--enforcement-action",
                "dryrun"])
    assert proc.returncode == 0, proc.stderr
    kustomization = yaml.safe_load((tmp_path / "gatekeeper" / "kustomization.yaml").read_text())
    for resource in kustomization["resources"]:
        assert (tmp_path / "gatekeeper" / resource).is_file()
    assert (tmp_path / "bundle.tar.gz").is_file()
