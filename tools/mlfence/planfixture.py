"""Builds real-shape Terraform plan JSON (`terraform show -json`, format 1.2) from compact case
descriptions, so plan fixtures are generated, never hand-edited blobs.

A compact resource: {"address", "values", "unknown"?, "actions"?, "references"?}. The address
carries the module path and instance key (module.ml.aws_instance.gpu[0]); references become
`configuration` expressions inside the right `module_calls`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

FORMAT_VERSION = "1.2"
TERRAFORM_VERSION = "1.9.8"
PROVIDERS = {"aws": "hashicorp/aws", "google": "hashicorp/google", "azurerm": "hashicorp/azurerm",
             "kubernetes": "hashicorp/kubernetes", "helm": "hashicorp/helm"}
_MODULE = re.compile(r'^module\.([A-Za-z0-9_-]+)(\[[^\]]+\])?\.')
_RESOURCE = re.compile(r'^(data\.)?([A-Za-z0-9_]+)\.([A-Za-z0-9_-]+)(\[([^\]]+)\])?$')


class FixtureError(ValueError):
    """A compact case description is malformed."""


@dataclass(frozen=True)
class Address:
    modules: tuple[tuple[str, str], ...]  # (name, "[key]" or "")
    mode: str
    type: str
    name: str
    index: int | str | None

    @property
    def module_address(self) -> str:
        return ".".join(f"module.{n}{k}" for n, k in self.modules)

    @property
    def full(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        key = "" if self.index is None else f"[{self.index}]" if isinstance(self.index, int) else f'["{self.index}"]'
        local = f"{prefix}{self.type}.{self.name}{key}"
        return f"{self.module_address}.{local}" if self.modules else local


def parse_address(address: str) -> Address:
    rest = address
    modules = []
    while True:
        match = _MODULE.match(rest)
        if not match:
            break
        modules.append((match.group(1), match.group(2) or ""))
        rest = rest[match.end():]
    match = _RESOURCE.match(rest)
    if not match:
        raise FixtureError(f"not a Terraform resource address: {address!r}")
    raw_index = match.group(5)
    index: int | str | None = None
    if raw_index is not None:
        index = int(raw_index) if raw_index.isdigit() else raw_index.strip('"')
    return Address(tuple(modules), "data" if match.group(1) else "managed", match.group(2), match.group(3), index)


def _provider(resource_type: str) -> str:
    prefix = resource_type.split("_", 1)[0]
    return f"registry.terraform.io/{PROVIDERS.get(prefix, 'hashicorp/' + prefix)}"


def _strip_unknown(values: Any, unknown: Any) -> Any:
    """planned_values omits attributes whose value is unknown until apply."""
    if unknown is True:
        return None
    if isinstance(values, dict) and isinstance(unknown, dict):
        return {k: _strip_unknown(v, unknown.get(k)) for k, v in values.items() if unknown.get(k) is not True}
    return values


def _module_node(root: dict[str, Any], address: Address) -> dict[str, Any]:
    node = root
    path = ""
    for name, key in address.modules:
        path = f"{path}.module.{name}{key}" if path else f"module.{name}{key}"
        children = node.setdefault("child_modules", [])
        child = next((c for c in children if c["address"] == path), None)
        if child is None:
            child = {"address": path, "resources": []}
            children.append(child)
        node = child
    return node


def _config_module(root: dict[str, Any], address: Address) -> dict[str, Any]:
    node = root
    for name, _ in address.modules:
        calls = node.setdefault("module_calls", {})
        call = calls.setdefault(name, {"source": f"./modules/{name}", "module": {"resources": []}})
        node = call["module"]
    return node


def _expressions(values: dict[str, Any], references: dict[str, list[str]]) -> dict[str, Any]:
    expressions: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, str | int | float | bool):
            expressions[key] = {"constant_value": value}
    for key, refs in references.items():
        if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
            raise FixtureError(f"references.{key} must be a list of strings")
        # "vpc_config.subnets" is an attribute of a nested block: Terraform records nested
        # blocks in `configuration` as a list of expression objects.
        *blocks, attribute = key.split(".")
        node = expressions
        for block in blocks:
            existing = node.get(block)
            if not (isinstance(existing, list) and existing and isinstance(existing[0], dict)):
                node[block] = [{}]
            node = node[block][0]
        node[attribute] = {"references": refs}
    return expressions


def build_plan(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """A `terraform show -json` document holding the given resources."""
    if not isinstance(resources, list):
        raise FixtureError("resources must be a list")
    planned: dict[str, Any] = {"resources": []}
    configuration: dict[str, Any] = {"resources": []}
    changes = []
    configured: set[tuple[str, str]] = set()
    for entry in resources:
        if not isinstance(entry, dict) or "address" not in entry:
            raise FixtureError(f"each resource needs an address: {entry!r}")
        address = parse_address(str(entry["address"]))
        values = copy.deepcopy(entry.get("values") or {})
        unknown = copy.deepcopy(entry.get("unknown") or {})
        actions = list(entry.get("actions") or ["create"])
        provider = _provider(address.type)
        change: dict[str, Any] = {
            "address": address.full,
            "mode": address.mode,
            "type": address.type,
            "name": address.name,
            "provider_name": provider,
            "change": {
                "actions": actions,
                "before": None if actions == ["create"] else copy.deepcopy(entry.get("before", values)),
                "after": None if actions == ["delete"] else values,
                "after_unknown": {} if actions == ["delete"] else unknown,
                "before_sensitive": False,
                "after_sensitive": {},
            },
        }
        if address.modules:
            change["module_address"] = address.module_address
        if address.index is not None:
            change["index"] = address.index
        changes.append(change)
        if actions != ["delete"]:
            planned_resource: dict[str, Any] = {
                "address": address.full, "mode": address.mode, "type": address.type, "name": address.name,
                "provider_name": provider, "schema_version": 0,
                "values": _strip_unknown(values, unknown), "sensitive_values": {},
            }
            if address.index is not None:
                planned_resource["index"] = address.index
            _module_node(planned, address)["resources"].append(planned_resource)
        local = f"{address.type}.{address.name}" if address.mode == "managed" else f"data.{address.type}.{address.name}"
        key = (address.module_address, local)
        if key not in configured:
            configured.add(key)
            _config_module(configuration, address)["resources"].append({
                "address": local, "mode": address.mode, "type": address.type, "name": address.name,
                "provider_config_key": address.type.split("_", 1)[0],
                "expressions": _expressions(values, entry.get("references") or {}),
                "schema_version": 0,
            })
    return {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": planned},
        "resource_changes": changes,
        "configuration": {"provider_config": {}, "root_module": configuration},
    }
