"""Generated Gatekeeper artifacts: what Gatekeeper accepts, how parameters and exemptions reach
it, and that gator agrees."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT, cli_in_process, run, tool
from mlfence import gatekeeper, parameters, rego_source, settings

DATA_REF = re.compile(r"\bdata\.([A-Za-z_]\w*)")
OPEN_EGRESS = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "NetworkPolicy",
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
    kustomizations = {a.path.split("/")[0]: a.document for a in artifacts if a.path.endswith("/kustomization.yaml")}
    templates = [a for a in templates if a.path != "templates/kustomization.yaml"]
    constraints = [a for a in constraints if a.path != "constraints/kustomization.yaml"]
    assert len(templates) == len(constraints) == len(rules) >= 2
    # Like gatekeeper-library: one kustomization per stage (templates before constraints), each
    # listing its folder's files; no kustomization mixes the two stages.
    assert set(kustomizations) == {"templates", "constraints", "sync"}
    for folder, kustomization in kustomizations.items():
        assert sorted(kustomization["resources"]) == sorted(
            a.path.split("/", 1)[1]
            for a in artifacts
            if a.path.startswith(f"{folder}/") and not a.path.endswith("kustomization.yaml")
        )


def test_templates_use_rego_v1_and_reference_only_lib_and_inventory(artifacts: list[gatekeeper.Artifact]) -> None:
    for artifact in (a for a in artifacts if a.document["kind"] == "ConstraintTemplate"):
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
    referential = [
        a
        for a in artifacts
        if a.document["kind"] == "ConstraintTemplate"
        and "metadata.gatekeeper.sh/requires-sync-data" in a.document["metadata"]["annotations"]
    ]
    assert referential, "the namespace default-deny rules read data.inventory"
    sync = next(a for a in artifacts if a.path == "sync/syncset.yaml").document
    assert (sync["apiVersion"], sync["kind"]) == ("syncset.gatekeeper.sh/v1alpha1", "SyncSet")
    kinds = {(s["group"], s["kind"]) for s in sync["spec"]["gvks"]}
    assert {("", "Namespace"), ("networking.k8s.io", "NetworkPolicy")} <= kinds
    for artifact in referential:
        json.loads(artifact.document["metadata"]["annotations"]["metadata.gatekeeper.sh/requires-sync-data"])


@pytest.fixture(scope="module")
def scanned_kinds() -> dict[str, Any]:
    """data.mlfence.synced_kinds and model_synced_kinds from the project's policy alone (no data,
    tests excluded; conftest.policy_value's command): one `opa eval` answering both."""
    query = '{"synced_kinds": data.mlfence.synced_kinds, "model_synced_kinds": data.mlfence.model_synced_kinds}'
    proc = run([tool("opa"), "eval", "-f", "json", "-d", str(ROOT / "policy"), "--ignore", "*_test.rego", query])
    assert proc.returncode == 0, proc.stderr
    answer: dict[str, Any] = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    return answer


def test_scan_inventory_holds_exactly_the_synced_kinds(scanned_kinds: dict[str, Any]) -> None:
    """The CLI/conftest/bundle inventory (policy/mlfence/scan.rego) and Gatekeeper's sync Config
    replicate the same kinds, so cross-object rules see the same cluster in every engine."""
    rego = scanned_kinds["synced_kinds"]
    want: dict[str, set[str]] = {}
    for group, version, kind in gatekeeper.SYNCED:
        want.setdefault(f"{group}/{version}" if group else version, set()).add(kind)
    assert {v: set(k) for v, k in rego.items()} == want


def test_scan_inventory_holds_the_model_kinds_gatekeeper_syncs(
    artifacts: list[gatekeeper.Artifact], scanned_kinds: dict[str, Any]
) -> None:
    """The workloads the declared-flow rules read: scanned at the version Gatekeeper syncs, synced
    by the Config, and required only by the templates whose code uses the connectivity model."""
    rego = scanned_kinds["model_synced_kinds"]
    want: dict[str, set[str]] = {}
    for group, version, kind in gatekeeper.MODEL_SYNCED:
        want.setdefault(f"{group}/{version}" if group else version, set()).add(kind)
    assert {v: set(k) for v, k in rego.items()} == want
    sync = next(a for a in artifacts if a.path == "sync/syncset.yaml").document
    synced = {(s["group"], s["version"], s["kind"]) for s in sync["spec"]["gvks"]}
    assert set(gatekeeper.MODEL_SYNCED) | set(gatekeeper.SYNCED) == synced
    required = {
        a.document["metadata"]["annotations"]["mlfence.io/rule-id"]: json.loads(
            a.document["metadata"]["annotations"].get("metadata.gatekeeper.sh/requires-sync-data", "[]")
        )
        for a in artifacts
        if a.document.get("kind") == "ConstraintTemplate"
    }
    deployment = [{"groups": ["apps"], "versions": ["v1"], "kinds": ["Deployment"]}]
    assert {rule for rule, needs in required.items() if deployment in needs} == {
        "MLF-K8S-060",
        "MLF-K8S-061",
        "MLF-K8S-062",
    }


def _constraints(artifacts: list[gatekeeper.Artifact]) -> dict[str, dict]:
    return {
        a.document["metadata"]["labels"]["mlfence.io/rule-id"]: a.document
        for a in artifacts
        if a.path.startswith("constraints/") and a.document["kind"] != "Kustomization"
    }


def test_constraints_carry_only_their_rules_parameters(artifacts: list[gatekeeper.Artifact]) -> None:
    # Defaults live in Rego (absent keys fall back to them); what the settings set is rendered in.
    run_settings = settings.Settings(
        parameters={"system_namespaces": ["kube-system", "platform"], "ml_ports": [8888]}
    )  # a Terraform-only parameter
    rendered = _constraints(gatekeeper.artifacts(parameters.for_settings(run_settings)))
    templates = {
        a.document["metadata"]["annotations"]["mlfence.io/rule-id"]: a.document
        for a in artifacts
        if a.path.startswith("templates/") and a.document["kind"] == "ConstraintTemplate"
    }
    for rule_id, constraint in rendered.items():
        params = constraint["spec"]["parameters"]
        schema = templates[rule_id]["spec"]["crd"]["spec"]["validation"]["openAPIV3Schema"]
        assert set(params) <= set(schema["properties"]), rule_id
        reads_scope = "system_namespaces" in schema["properties"]
        assert ("system_namespaces" in params) == reads_scope, rule_id
        if reads_scope:
            assert params["system_namespaces"] == ["kube-system", "platform"]
        assert "ml_ports" not in params
        assert ("approved_ranges" in params) == ("approved_ranges" in schema["properties"]), rule_id
        assert len(gatekeeper.dump(constraint).encode()) < gatekeeper.MAX_CONSTRAINT_BYTES
    # Only the rules that judge destinations against published ranges carry the ranges (MLF-K8S-060:
    # a component's egress to approved cloud services, by name; 061 links the same connectivity
    # model, whose dialect address blocks (Cilium toCIDR, ANP networks) are classified by range).
    # 062 (a component matching no workload) needs no flows since the per-namespace admission scope.
    assert {r for r, c in rendered.items() if "approved_ranges" in c["spec"]["parameters"]} == {
        "MLF-K8S-004",
        "MLF-K8S-007",
        "MLF-K8S-060",
        "MLF-K8S-061",
    }


def test_schemas_list_the_parameters_each_rule_reads_typed_from_the_defaults(
    artifacts: list[gatekeeper.Artifact],
) -> None:
    schemas = {
        a.document["metadata"]["annotations"]["mlfence.io/rule-id"]: a.document["spec"]["crd"]["spec"]["validation"][
            "openAPIV3Schema"
        ]
        for a in artifacts
        if a.path.startswith("templates/") and a.document["kind"] == "ConstraintTemplate"
    }
    for rule_id, schema in schemas.items():
        assert schema["type"] == "object" and "x-kubernetes-preserve-unknown-fields" not in schema, rule_id
        # Every rule reads the settings that act on findings (lib.mlfence.result).
        assert {"exemptions", "exemption_limits", "rule_settings"} <= set(schema["properties"]), rule_id
    assert schemas["MLF-K8S-001"]["properties"]["open_share_threshold"] == {"type": "number"}
    assert schemas["MLF-K8S-002"]["properties"]["system_namespaces"] == {"type": "array", "items": {"type": "string"}}
    assert schemas["MLF-K8S-040"]["properties"]["istio_root_namespace"] == {"type": "string"}
    assert "approved_ranges" not in schemas["MLF-K8S-002"]["properties"]
    assert "pii_labels" in schemas["MLF-K8S-007"]["properties"]


def _verify_constraint(
    tmp_path: Path, artifacts: list[gatekeeper.Artifact], rule: str, parameters: dict
) -> subprocess.CompletedProcess[str]:
    """gator verify of the rule's template with a Constraint carrying these parameters."""
    name = rule.lower()
    _write([a for a in artifacts if a.path == f"templates/{name}.yaml"], tmp_path)
    constraint = next(a.document for a in artifacts if a.path == f"constraints/{name}.yaml")
    (tmp_path / "constraint.yaml").write_text(
        gatekeeper.dump({**constraint, "spec": {**constraint["spec"], "parameters": parameters}})
    )
    (tmp_path / "object.yaml").write_text(yaml.safe_dump(OPEN_EGRESS))
    (tmp_path / "suite.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "test.gatekeeper.sh/v1alpha1",
                "kind": "Suite",
                "tests": [
                    {
                        "name": "params",
                        "template": f"templates/{name}.yaml",
                        "constraint": "constraint.yaml",
                        "cases": [{"name": "open", "object": "object.yaml", "assertions": [{"violations": 1}]}],
                    }
                ],
            }
        )
    )
    return run([tool("gator"), "verify", "-v", str(tmp_path)])


def test_gator_rejects_a_misspelt_or_mistyped_parameter(tmp_path: Path, artifacts: list[gatekeeper.Artifact]) -> None:
    good = _verify_constraint(tmp_path / "good", artifacts, "MLF-K8S-001", {"open_share_threshold": 0.5})
    assert good.returncode == 0, good.stdout + good.stderr
    misspelt = _verify_constraint(tmp_path / "typo", artifacts, "MLF-K8S-001", {"open_share_treshold": 0.5})
    assert misspelt.returncode != 0
    assert "unknown fields" in misspelt.stdout + misspelt.stderr and "open_share_treshold" in misspelt.stdout
    mistyped = _verify_constraint(tmp_path / "type", artifacts, "MLF-K8S-001", {"open_share_threshold": "half"})
    assert mistyped.returncode != 0 and "must be of type number" in mistyped.stdout + mistyped.stderr
    # A parameter another rule reads is not this rule's: rejected as well.
    foreign = _verify_constraint(tmp_path / "foreign", artifacts, "MLF-K8S-001", {"pii_labels": {}})
    assert foreign.returncode != 0 and "unknown fields" in foreign.stdout + foreign.stderr


def test_system_namespaces_excluded_only_from_workload_hygiene_rules(
    tmp_path: Path, artifacts: list[gatekeeper.Artifact]
) -> None:
    constraints = _constraints(artifacts)
    excluded = {r for r, c in constraints.items() if "excludedNamespaces" in c["spec"]["match"]}
    assert {"MLF-K8S-002", "MLF-K8S-010", "MLF-K8S-014"} <= excluded
    # Exposure and mesh rules judge istio-system and the other platform namespaces (issue 17).
    for rule in ("MLF-K8S-030", "MLF-K8S-040", "MLF-K8S-041", "MLF-K8S-049", "MLF-K8S-050", "MLF-K8S-052"):
        assert rule not in excluded
    for rule in excluded:  # the shipped settings: Rego's system_namespaces hold all four
        assert constraints[rule]["spec"]["match"]["excludedNamespaces"] == list(gatekeeper.DEFAULT_EXCLUDED_NAMESPACES)
        assert "istio-system" not in constraints[rule]["spec"]["match"]["excludedNamespaces"]
    # A rule told to judge kube-system (system_namespaces without it) is not kept from it.
    judged = gatekeeper.constraint(
        next(r for r in gatekeeper.kubernetes_rules() if r.rule_id == "MLF-K8S-002"),
        {"system_namespaces": ["gatekeeper-system"]},
    )
    assert judged["spec"]["match"]["excludedNamespaces"] == ["gatekeeper-system"]
    emptied = gatekeeper.constraint(
        next(r for r in gatekeeper.kubernetes_rules() if r.rule_id == "MLF-K8S-002"), {"system_namespaces": []}
    )
    assert "excludedNamespaces" not in emptied["spec"]["match"]
    edge = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "kubeflow-gateway", "namespace": "istio-system"},
        "spec": {
            "selector": {"istio": "ingressgateway"},
            "servers": [{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["*"]}],
        },
    }
    found = _gator_test(tmp_path, artifacts, edge, "MLF-K8S-049")
    assert "MLF-K8S-049" in {r["metadata"]["details"]["rule_id"] for r in found}


def test_oversized_parameters_fail_the_build() -> None:
    huge = {
        "approved_ranges": {
            "aws": {"EC2": {"GLOBAL": {"ipv4": [f"10.{i // 256}.{i % 256}.0/24" for i in range(60000)]}}}
        }
    }
    with pytest.raises(gatekeeper.GeneratorError, match="over the"):
        gatekeeper.artifacts(huge)


def test_enforcement_action_given_applies_to_every_rule(artifacts: list[gatekeeper.Artifact]) -> None:
    audit_only = {r.rule_id for r in gatekeeper.kubernetes_rules() if r.gatekeeper_enforcement}
    assert {"MLF-K8S-008", "MLF-K8S-052"} <= audit_only  # Namespaces: metadata says dryrun
    for action in gatekeeper.ENFORCEMENT_ACTIONS:
        given = _constraints(gatekeeper.artifacts(parameters.gatekeeper(ROOT / "data"), action))
        # The warn-only MLF-K8S-014 included; audit-only rules are never made stricter.
        assert {c["spec"]["enforcementAction"] for r, c in given.items() if r not in audit_only} == {action}
        assert {given[r]["spec"]["enforcementAction"] for r in audit_only} == {"dryrun"}
    # None given: deny, except the warn-only rules (their findings are all warnings, per the
    # parse tree) and the rules whose metadata names an action (audit-only checks).
    defaults = {r: c["spec"]["enforcementAction"] for r, c in _constraints(artifacts).items()}
    assert defaults["MLF-K8S-014"] == "warn"  # default service account: result.warning only
    assert defaults["MLF-K8S-008"] == "dryrun" and defaults["MLF-K8S-052"] == "dryrun"  # metadata
    assert defaults["MLF-K8S-009"] == "deny"  # violations and unknowns
    # MLF-K8S-061/062 (a declared flow blocked, a component without workloads) only warn.
    assert defaults["MLF-K8S-061"] == defaults["MLF-K8S-062"] == "warn"
    assert {r for r, a in defaults.items() if a != "deny"} == {
        "MLF-K8S-008",
        "MLF-K8S-014",
        "MLF-K8S-052",
        "MLF-K8S-061",
        "MLF-K8S-062",
    }
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


def test_link_admits_only_the_range_data_and_templates_carry_it_under_lib(
    tmp_path: Path, artifacts: list[gatekeeper.Artifact]
) -> None:
    """The synced range data is the one non-lib data a linked rule may read: templates name it
    under data.lib (undefined in Gatekeeper, so the parameters apply). A neighbour is refused."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "a.rego").write_text("package lib.a\n\nx := data.mlfence.rangedata.approved\n")
    rule = tmp_path / "rule.rego"
    rule.write_text("package k8s.x\n\nimport data.lib.a\n\nviolation contains 1 if a.x\n")
    rego_source.lib_index.cache_clear()
    [linked_lib] = rego_source.link(rule, lib)[1]
    assert "\nx := data.lib.mlfence.rangedata.approved\n" in gatekeeper.template_lib_text(linked_lib.text)
    neighbour = tmp_path / "neighbour"  # a new folder: parsed files are cached by path
    neighbour.mkdir()
    (neighbour / "a.rego").write_text("package lib.a\n\nx := data.mlfence.rangedata_extra\n")
    rego_source.lib_index.cache_clear()
    with pytest.raises(rego_source.LinkError, match=r"data\.mlfence"):
        rego_source.link(rule, neighbour)
    rego_source.lib_index.cache_clear()
    libs = [
        lib_text
        for a in artifacts
        if a.document["kind"] == "ConstraintTemplate"
        for lib_text in a.document["spec"]["targets"][0]["code"][0]["source"]["libs"]
    ]
    assert any("data.lib.mlfence.rangedata[" in text for text in libs)
    assert not any("data.mlfence.rangedata" in text for text in libs)


def _tiny_policy(tmp_path: Path, rule_body: str) -> tuple[Path, Path]:
    lib = tmp_path / "lib"
    lib.mkdir(parents=True)
    (lib / "a.rego").write_text(
        "package lib.a\n\nimport data.lib.b\n\n# f is used\nf(x) := g(x)\n\ng(x) := b.base[x]\n\n"
        'h := data.elsewhere.nothing\n\nbig := {\n\t"unused": true,\n}\n'
    )
    (lib / "b.rego").write_text(
        'package lib.b\n\nbase["k"] := named\n\nnamed := input.parameters.wanted\n\nother := input.parameters.never\n'
    )
    (lib / "c.rego").write_text("package lib.c\n\nunused := 1\n")
    (lib / "r.rego").write_text(
        'package lib.r\n\nflag(msg) := {"msg": msg, "status": s} if s := status(msg, "warn")\n\n'
        'fail(msg) := {"msg": msg, "status": "fail"}\n\nstatus(_, s) := s\n'
    )
    rule = tmp_path / "rule.rego"
    rule.write_text(f"package k8s.x\n\nimport data.lib.a\nimport data.lib.r\n\n{rule_body}\n")
    rego_source.lib_index.cache_clear()
    rego_source.lib_linker.cache_clear()
    return rule, lib


def test_link_keeps_only_the_lib_rules_the_rule_calls(tmp_path: Path) -> None:
    """From OPA's parse tree: f, g (called by f), b.base (read by g) and b.named (a bare name in
    base's value) are linked; h (which would be refused: data.elsewhere), big, other and the
    whole of lib.c are not. The parameter read through them is found, typed from the parse tree."""
    rule, lib = _tiny_policy(
        tmp_path, '# result.fail( in a comment changes nothing\nviolation contains r.flag("m") if a.f("k")'
    )
    linked = rego_source.analyse(rule, lib)
    texts = {f.package: f.text for f in linked.libs}
    assert set(texts) == {"lib.a", "lib.b", "lib.r"}
    assert "f(x) := g(x)" in texts["lib.a"] and "g(x) :=" in texts["lib.a"]
    assert "h :=" not in texts["lib.a"] and "big" not in texts["lib.a"] and "import data.lib.b" in texts["lib.a"]
    assert "named :=" in texts["lib.b"] and "other" not in texts["lib.b"]
    assert linked.parameters == {"wanted"}
    assert linked.statuses == {"warn"}
    blocking, _ = _tiny_policy(
        tmp_path / "2", 'violation contains r.fail("m") if a.f("k")\n\nviolation contains r.flag("m") if true'
    )
    assert rego_source.analyse(blocking, tmp_path / "2" / "lib").statuses == {"fail", "warn"}


def test_link_refuses_a_reference_to_a_lib_rule_nobody_defines(tmp_path: Path) -> None:
    """OPA compiles a call or reference to a rule its package does not define; at admission it
    is undefined and the rule passes: the linker refuses it, naming the rule."""
    called, lib = _tiny_policy(tmp_path / "call", 'violation contains r.flag("m") if a.fx("k")')
    with pytest.raises(rego_source.LinkError, match=r"references fx of data\.lib\.a, which no rule"):
        rego_source.analyse(called, lib)
    read, lib = _tiny_policy(tmp_path / "ref", 'violation contains r.flag("m") if data.lib.b.nmaed')
    with pytest.raises(rego_source.LinkError, match=r"rule\.rego:\d+: references nmaed of data\.lib\.b"):
        rego_source.analyse(read, lib)


def test_a_function_argument_shadows_the_rule_of_its_name(tmp_path: Path) -> None:
    """`size(policies)` reads its argument, not the package's `policies` (which reads the
    inventory): the rule is not linked, and the template needs nothing synced."""
    rule, lib = _tiny_policy(tmp_path, 'violation contains r.flag("m") if d.size({"a": 1}) > 0')
    (lib / "d.rego").write_text(
        "package lib.d\n\npolicies := data.inventory.cluster\n\nsize(policies) := count(policies)\n"
    )
    rule.write_text(rule.read_text().replace("import data.lib.r\n", "import data.lib.r\nimport data.lib.d\n"))
    rego_source.lib_index.cache_clear()
    rego_source.lib_linker.cache_clear()
    linked = rego_source.analyse(rule, lib)
    [d] = [f.text for f in linked.libs if f.package == "lib.d"]
    assert "size(policies) :=" in d and "policies := data.inventory" not in d
    assert not linked.reads_inventory and linked.inventory_groups == frozenset()


def test_inventory_kinds_are_read_from_the_metadata_of_the_linked_reader(tmp_path: Path) -> None:
    """The lib rule that reads workloads from data.inventory says so in its METADATA; a template
    that links it needs those kinds synced, one that does not link it does not."""
    rule, lib = _tiny_policy(tmp_path, 'violation contains r.flag("m") if count(m.flows) > 0')
    (lib / "m.rego").write_text(
        "package lib.m\n\n# METADATA\n# description: reads workloads\n# custom:\n#   inventory_kinds: model\n"
        "_inventory := data.inventory\n\nflows := _inventory.namespace\n\nunrelated := 1\n"
    )
    rule.write_text(rule.read_text().replace("import data.lib.r\n", "import data.lib.r\nimport data.lib.m\n"))
    rego_source.lib_index.cache_clear()
    rego_source.lib_linker.cache_clear()
    assert rego_source.analyse(rule, lib).inventory_groups == {"model"}
    rule.write_text(rule.read_text().replace("count(m.flows) > 0", "m.unrelated == 1"))
    rego_source._analyse.cache_clear()
    rego_source.parse.cache_clear()
    assert rego_source.analyse(rule, lib).inventory_groups == frozenset()


def test_templates_link_the_pod_extractor_only_where_called(artifacts: list[gatekeeper.Artifact]) -> None:
    """lib.mlfence.k8s's pod extractor (pod_templates) is linked into the pod rules, not into the
    Service, Ingress or Istio rules, which never call it."""

    def links_pods(name: str) -> bool:
        doc = next(a.document for a in artifacts if a.path.endswith(f"templates/{name}.yaml"))
        return any("pod_templates(obj) :=" in lib for lib in doc["spec"]["targets"][0]["code"][0]["source"]["libs"])

    assert links_pods("mlf-k8s-002")  # hostNetwork: every pod the object runs
    assert not links_pods("mlf-k8s-001") and not links_pods("mlf-k8s-030") and not links_pods("mlf-k8s-041")


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
    exempt = {
        **base,
        "exemptions": [
            {
                "rule": "MLF-K8S-001",
                "resource": "ml-serving/NetworkPolicy/open-*",
                "reason": "proxy rollout",
                "owner": "platform",
                "expires": _soon(),
            }
        ],
    }
    allowed = _gator_test(tmp_path / "b", gatekeeper.artifacts(exempt), OPEN_EGRESS, "MLF-K8S-001")
    assert "MLF-K8S-001" not in {r["metadata"]["details"]["rule_id"] for r in allowed}
    expired = {**exempt, "exemptions": [{**exempt["exemptions"][0], "expires": "2001-01-01"}]}
    again = _gator_test(tmp_path / "c", gatekeeper.artifacts(expired), OPEN_EGRESS, "MLF-K8S-001")
    messages = [r["msg"] for r in again if r["metadata"]["details"]["rule_id"] == "MLF-K8S-001"]
    assert messages and all("exemption expired on 2001-01-01" in m for m in messages)


def test_mlfence_build_writes_applyable_tree(tmp_path: Path) -> None:
    # A template an earlier build wrote for a rule since removed, and a file of the user's.
    stale = tmp_path / "gatekeeper" / "templates" / "mlf-k8s-999.yaml"
    stale.parent.mkdir(parents=True)
    stale.write_text("kind: ConstraintTemplate\n")
    (tmp_path / "notes.md").write_text("ours")
    # In-process (conftest.cli_in_process): what build writes is under test here; the installed
    # console script's build is tests/test_wheel.py's.
    proc = cli_in_process("build", "--out", str(tmp_path), "--enforcement-action", "dryrun")
    assert proc.returncode == 0, proc.stderr
    # An unsigned build (no --signing-key) warns, once and on stderr, that the documented sidecar
    # config refuses unsigned bundles (issue 15 §2).
    warnings = [line for line in proc.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, proc.stderr
    assert "unsigned" in warnings[0] and "--signing-key" in warnings[0] and "docs/deploy.md" in warnings[0]
    assert "warning" not in proc.stdout
    assert not stale.exists() and (tmp_path / "notes.md").read_text() == "ours"
    for stage in ("templates", "constraints", "sync"):
        kustomization = yaml.safe_load((tmp_path / "gatekeeper" / stage / "kustomization.yaml").read_text())
        for resource in kustomization["resources"]:
            assert (tmp_path / "gatekeeper" / stage / resource).is_file()
    assert (tmp_path / "gatekeeper" / "chart" / "Chart.yaml").is_file()  # tests/test_helmchart.py renders it
    actions = {
        yaml.safe_load(p.read_text())["spec"].get("enforcementAction")
        for p in (tmp_path / "gatekeeper" / "constraints").glob("mlf-*.yaml")
    }
    assert actions == {"dryrun"}
    assert (tmp_path / "bundle.tar.gz").is_file()
