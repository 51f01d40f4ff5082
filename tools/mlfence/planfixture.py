"""Builds real-shape Terraform plan JSON (`terraform show -json`, format 1.2) from compact case
descriptions, so plan fixtures are generated, never hand-edited blobs.

A compact resource: {"address", "values", "unknown"?, "actions"?, "references"?}. The address
carries the module path and instance key (module.ml.aws_instance.gpu[0]); references become
`configuration` expressions inside the right `module_calls`.

Like real Terraform, a created resource lists every Optional+Computed attribute its
configuration leaves out in `after_unknown` (the provider fills it in at apply time); which
attributes those are is read from the one table the rules use, `provider_defaults` in
policy/lib/mlfence/tfplan_defaults.rego. Nested blocks the configuration writes appear in
`configuration` as lists of expression objects, except attribute-as-block lists (security
group ingress/egress, NSG security_rule), which Terraform leaves out (hashicorp/terraform#29022).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from mlfence import toolchain
from mlfence.errors import MlfenceError

FORMAT_VERSION = "1.2"
TERRAFORM_VERSION = "1.9.8"
PROVIDERS = {
    "aws": "hashicorp/aws",
    "google": "hashicorp/google",
    "azurerm": "hashicorp/azurerm",
    "kubernetes": "hashicorp/kubernetes",
    "helm": "hashicorp/helm",
}
_MODULE = re.compile(r"^module\.([A-Za-z0-9_-]+)(\[[^\]]+\])?\.")
_RESOURCE = re.compile(r"^(data\.)?([A-Za-z0-9_]+)\.([A-Za-z0-9_-]+)(\[([^\]]+)\])?$")


# Always computed by the provider on create, whatever the configuration says.
_ALWAYS_COMPUTED = ("id",)

# Lists of nested blocks that providers declare as attributes (SchemaConfigModeAttr):
# Terraform does not render them in `configuration` even when the .tf file writes them.
_ATTRIBUTE_BLOCKS = {
    "aws_security_group": {"ingress", "egress"},
    "aws_default_security_group": {"ingress", "egress"},
    "azurerm_network_security_group": {"security_rule"},
}


class FixtureError(MlfenceError, ValueError):
    """A compact case description is malformed."""


@functools.cache
def computed_attributes() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Optional+Computed attribute paths per resource type, from the rules' provider_defaults."""
    root = toolchain.project_root()
    proc = toolchain.run(
        "opa",
        "eval",
        "--format",
        "json",
        "-d",
        str(root / "policy" / "lib" / "mlfence"),
        "--ignore",
        "*_test.rego",
        "data.lib.mlfence.tfplan.provider_defaults",
    )
    try:
        table = json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    except (KeyError, IndexError, json.JSONDecodeError) as exc:
        raise FixtureError(f"cannot read provider_defaults with opa: {proc.stderr.strip()[:300]}") from exc
    return {
        rtype: tuple(tuple(path.split(".")) for path, d in sorted(attrs.items()) if d.get("computed"))
        for rtype, attrs in table.items()
    }


def _mark_computed(values: dict[str, Any], unknown: dict[str, Any], resource_type: str) -> dict[str, Any]:
    """after_unknown of a create as Terraform writes it: what the case lists, plus every
    computed attribute the values leave out (inside nested blocks the values do write)."""
    out = copy.deepcopy(unknown)
    for key in _ALWAYS_COMPUTED:
        if key not in values:
            out.setdefault(key, True)
    for path in computed_attributes().get(resource_type, ()):
        _mark(values, out, list(path))
    return out


def _pending_references(unknown: Any, resource_type: str, prefix: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """A case that lists a value as unknown means the configuration writes it from something
    known only after apply: Terraform then records the expression's references. Each such
    attribute without references in the case gets one to a variable of its name."""
    out: dict[str, list[str]] = {}
    if unknown is True and prefix:
        if not (len(prefix) == 1 and prefix[0] in _ATTRIBUTE_BLOCKS.get(resource_type, ())):
            out[".".join(prefix)] = [f"var.{prefix[-1]}"]
    elif isinstance(unknown, dict):
        for key, value in unknown.items():
            out.update(_pending_references(value, resource_type, (*prefix, key)))
    elif isinstance(unknown, list) and unknown:
        out.update(_pending_references(unknown[0], resource_type, prefix))
    return out


def _mark(values: Any, unknown: dict[str, Any], path: list[str]) -> None:
    head, rest = path[0], path[1:]
    if not rest:
        if not isinstance(values, dict) or values.get(head) is None:
            unknown.setdefault(head, True)
        return
    blocks = values.get(head) if isinstance(values, dict) else None
    if not isinstance(blocks, list) or not blocks:
        return  # the enclosing block is not written: the provider computes none of it here
    node = unknown.setdefault(head, [{} for _ in blocks])
    if not isinstance(node, list):
        return  # the case marks the whole block unknown already
    while len(node) < len(blocks):
        node.append({})
    for block, marks in zip(blocks, node, strict=False):
        if isinstance(block, dict) and isinstance(marks, dict):
            _mark(block, marks, rest)


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
        rest = rest[match.end() :]
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


def _constant_expressions(values: dict[str, Any], skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """What `configuration` records for written values: constants, and nested blocks as lists
    of expression objects. None is not written."""
    expressions: dict[str, Any] = {}
    for key, value in values.items():
        if key in skip or value is None:
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            expressions[key] = [_constant_expressions(v) for v in value]
        else:
            expressions[key] = {"constant_value": value}
    return expressions


def _expressions(values: dict[str, Any], references: dict[str, list[str]], resource_type: str = "") -> dict[str, Any]:
    expressions = _constant_expressions(values, frozenset(_ATTRIBUTE_BLOCKS.get(resource_type, ())))
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
        references = {**_pending_references(unknown, address.type), **(entry.get("references") or {})}
        if "create" in actions and address.mode == "managed":
            unknown = _mark_computed(values, unknown, address.type)
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
                "address": address.full,
                "mode": address.mode,
                "type": address.type,
                "name": address.name,
                "provider_name": provider,
                "schema_version": 0,
                "values": _strip_unknown(values, unknown),
                "sensitive_values": {},
            }
            if address.index is not None:
                planned_resource["index"] = address.index
            _module_node(planned, address)["resources"].append(planned_resource)
        local = f"{address.type}.{address.name}" if address.mode == "managed" else f"data.{address.type}.{address.name}"
        key = (address.module_address, local)
        if key not in configured:
            configured.add(key)
            _config_module(configuration, address)["resources"].append(
                {
                    "address": local,
                    "mode": address.mode,
                    "type": address.type,
                    "name": address.name,
                    "provider_config_key": address.type.split("_", 1)[0],
                    "expressions": _expressions(values, references, address.type),
                    "schema_version": 0,
                }
            )
    return {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": planned},
        "resource_changes": changes,
        "configuration": {"provider_config": {}, "root_module": configuration},
    }
