"""The kinds the rules' METADATA names and the kinds lib.mlfence.k8s knows where pods live must
agree: a workload kind the library does not know would have its pods checked by no rule."""

from __future__ import annotations

import json

from conftest import ROOT, run
from mlfence import catalog, toolchain


def test_every_pod_rule_kind_has_a_pod_extractor_and_back() -> None:
    proc = run(
        [
            str(toolchain.binary("opa")),
            "eval",
            "-f",
            "json",
            "-d",
            str(ROOT / "policy" / "lib"),
            "data.lib.mlfence.k8s._kind_family",
        ]
    )
    assert proc.returncode == 0, proc.stderr
    known = set(json.loads(proc.stdout)["result"][0]["expressions"][0]["value"])
    host_network = catalog.by_id("MLF-K8S-002")  # checks every pod of every workload kind
    assert set(host_network.kinds) == known
    pod_rules = [r for r in catalog.load() if r.target == "kubernetes" and r.area == "pod"]
    assert pod_rules
    for rule in pod_rules:
        assert set(rule.kinds) <= known, rule.rule_id
