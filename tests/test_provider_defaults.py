"""The provider_defaults table (policy/lib/mlfence/tfplan_defaults.rego) against real plans, and
generated plan fixtures against the shape real Terraform gives the same resources.

Real plans are the oracle: an attribute the table calls computed must be listed in
after_unknown whenever a real plan creates the resource without writing it, and one the table
calls not computed never is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

import realworld_plans as rw
from mlfence import planfixture

pytestmark = pytest.mark.skipif(not rw.SHARED.is_dir(), reason="the shared real-world corpus is not mounted")


def _table() -> dict[str, dict[str, Any]]:
    import json
    import subprocess

    proc = subprocess.run(
        [
            str(rw.ROOT / ".tools/bin/opa"),
            "eval",
            "--format",
            "json",
            "-d",
            str(rw.ROOT / "policy/lib/mlfence"),
            "--ignore",
            "*_test.rego",
            "data.lib.mlfence.tfplan.provider_defaults",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]


def _configurations(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}

    def walk(module: dict[str, Any], prefix: str) -> None:
        for r in module.get("resources") or []:
            out[prefix + r["address"]] = r
        for name, call in (module.get("module_calls") or {}).items():
            walk(call.get("module") or {}, f"{prefix}module.{name}.")

    walk(((plan.get("configuration") or {}).get("root_module") or {}), "")
    return out


def _created() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(plan, resource change, its configuration) for every resource a real plan creates."""
    for path in rw.plan_files():
        plan = rw.decode(path.read_bytes())
        if not isinstance(plan, dict) or not isinstance(plan.get("configuration"), dict):
            continue
        configs = _configurations(plan)
        for rc in plan.get("resource_changes") or []:
            if rc.get("mode") == "managed" and rc.get("change", {}).get("actions") == ["create"]:
                config = configs.get(re.sub(r"\[[^\]]*\]", "", rc["address"]))
                if config is not None:
                    version = str(plan.get("terraform_version", ""))
                    yield rw.relative(path), {**rc, "_terraform_version": version}, config


def _get(node: Any, keys: list[str]) -> Any:
    for key in keys:
        if isinstance(node, list):
            node = node[0] if node else None
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _predates(entry: dict[str, Any], terraform_version: str) -> bool:
    """Plans made by Terraform 0.12 ran providers older than a default written for google >= 4.0
    (which needs Terraform 0.13 or later)."""
    return bool(re.search(r"google >= [4-9]", entry["holds_for"])) and terraform_version.startswith("0.12")


def test_computed_flags_agree_with_real_plans() -> None:
    table = _table()
    checked, wrong = 0, []
    for where, rc, config in _created():
        for attribute, entry in table.get(rc["type"], {}).items():
            if _predates(entry, rc.get("_terraform_version", "")):
                continue
            keys = attribute.split(".")
            after = rc["change"].get("after") or {}
            if _get(config.get("expressions") or {}, keys) is not None or _get(after, keys) is not None:
                continue  # written, or the value is in the plan: says nothing about defaults
            if len(keys) > 1 and _get(after, keys[:-1]) is None:
                continue  # the enclosing block is not written
            parent = _get(after, keys[:-1]) if len(keys) > 1 else after
            if isinstance(parent, list):
                parent = parent[0] if parent else None
            listed = _get(rc["change"].get("after_unknown") or {}, keys) is True
            if not listed and isinstance(parent, dict) and keys[-1] not in parent:
                continue  # neither known nor unknown: the provider version predates the attribute
            checked += 1
            if listed != bool(entry["computed"]):
                wrong.append(f"{where}: {rc['address']}.{attribute} after_unknown={listed}")
    assert checked >= 20, f"too few real resources exercise the table ({checked})"
    assert not wrong, "provider_defaults disagrees with real plans:\n" + "\n".join(wrong[:20])


def test_generated_after_unknown_has_the_real_shape() -> None:
    """For each real created resource of a table type, a fixture built from the values the
    configuration writes lists the table's attributes in after_unknown exactly as Terraform did."""
    table = _table()
    compared, wrong = 0, []
    for where, rc, config in _created():
        if rc["type"] not in table:
            continue
        written = {
            k: e["constant_value"]
            for k, e in (config.get("expressions") or {}).items()
            if isinstance(e, dict) and "constant_value" in e
        }
        if len(written) != len(config.get("expressions") or {}):
            continue  # references or nested blocks: the compact form would need them spelled out
        generated = planfixture.build_plan([{"address": rc["type"] + ".x", "values": written}])
        mine = generated["resource_changes"][0]["change"]["after_unknown"]
        real = rc["change"].get("after_unknown") or {}
        for attribute, entry in table[rc["type"]].items():
            keys = attribute.split(".")
            if len(keys) > 1 or not entry["computed"]:
                continue
            compared += 1
            generated_unknown, real_unknown = _get(mine, keys) is True, _get(real, keys) is True
            # Providers older than the table's version plan a left-out block as known and empty
            # ([] or absent) where newer ones mark it computed: both mean "left out".
            older_provider = not real_unknown and _get(rc["change"].get("after") or {}, keys) in (None, [])
            if (real_unknown and not generated_unknown) or (generated_unknown and not (real_unknown or older_provider)):
                wrong.append(
                    f"{where}: {rc['address']}.{attribute}: generated {mine.get(keys[0])}, real {real.get(keys[0])}"
                )
    assert compared >= 10, f"too few comparisons ({compared})"
    assert not wrong, "\n".join(wrong[:20])


def test_written_unknown_values_get_configuration_references() -> None:
    plan = planfixture.build_plan([{"address": "aws_lb.api", "values": {"name": "api"}, "unknown": {"internal": True}}])
    expressions = plan["configuration"]["root_module"]["resources"][0]["expressions"]
    assert expressions["internal"] == {"references": ["var.internal"]}
    assert expressions["name"] == {"constant_value": "api"}
    left_out = planfixture.build_plan([{"address": "aws_lb.api", "values": {"name": "api"}}])
    assert left_out["resource_changes"][0]["change"]["after_unknown"]["internal"] is True
    assert "internal" not in left_out["configuration"]["root_module"]["resources"][0]["expressions"]


def test_attribute_blocks_are_not_rendered_in_configuration() -> None:
    plan = planfixture.build_plan(
        [
            {
                "address": "aws_security_group.sg",
                "values": {
                    "name": "sg",
                    "ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]}],
                },
            },
            {"address": "aws_eks_cluster.c", "values": {"vpc_config": [{"subnet_ids": ["s-1"]}]}},
        ]
    )
    sg, eks = (r["expressions"] for r in plan["configuration"]["root_module"]["resources"])
    assert "ingress" not in sg  # hashicorp/terraform#29022: attribute-mode blocks are left out
    assert eks["vpc_config"] == [{"subnet_ids": {"constant_value": ["s-1"]}}]
    unknown = plan["resource_changes"][1]["change"]["after_unknown"]
    assert unknown["vpc_config"] == [{"public_access_cidrs": True}]
