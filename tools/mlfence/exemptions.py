"""Exemptions that expire. Validated here; applied in Rego (lib.mlfence.result) so conftest, the
bundle and Gatekeeper match and expire them with the same code.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from mlfence import toolchain


class ExemptionError(ValueError):
    """The exemptions file is unreadable or an entry is invalid."""


@dataclass(frozen=True)
class Exemption:
    rule: str
    resource: str
    reason: str
    owner: str
    expires: dt.date

    def as_parameter(self) -> dict[str, str]:
        return {"rule": self.rule, "resource": self.resource, "reason": self.reason, "owner": self.owner,
                "expires": self.expires.isoformat()}


def _schema() -> dict[str, Any]:
    return json.loads((toolchain.data_dir() / "schemas" / "exemptions" / "schema.json").read_text())


def _bundle_yaml() -> Path:
    return toolchain.project_root() / "bundle.yaml"


def parse(document: Any, source: str) -> list[Exemption]:
    if document is None:
        return []
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        entry = ""
        if len(first.absolute_path) >= 2 and first.absolute_path[0] == "exemptions":
            raw = document["exemptions"][first.absolute_path[1]]
            entry = f" (entry {first.absolute_path[1]}: rule={raw.get('rule')!r}, resource={raw.get('resource')!r})" \
                if isinstance(raw, dict) else f" (entry {first.absolute_path[1]})"
        raise ExemptionError(f"{source}: invalid exemption at {where}{entry}: {first.message}")
    out = []
    for number, raw in enumerate(document["exemptions"]):
        try:
            expires = dt.date.fromisoformat(raw["expires"])
        except ValueError:
            raise ExemptionError(f"{source}: exemption {number} (rule={raw['rule']}): "
                                 f"expires {raw['expires']!r} is not a calendar date") from None
        out.append(Exemption(raw["rule"], raw["resource"], raw["reason"], raw["owner"], expires))
    return out


def load(path: Path | None) -> list[Exemption]:
    """Exemptions from a file, else the `exemptions:` list of bundle.yaml, else none."""
    if path is not None:
        if not path.is_file():
            raise ExemptionError(f"exemptions file {path} does not exist")
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise ExemptionError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
        except yaml.YAMLError as exc:
            raise ExemptionError(f"{path}: not valid YAML: {exc}") from exc
        return parse(document, str(path))
    bundle_yaml = _bundle_yaml()
    if bundle_yaml.is_file():
        try:
            document = yaml.safe_load(bundle_yaml.read_text(encoding="utf-8")) or {}
        except UnicodeDecodeError as exc:
            raise ExemptionError(f"{bundle_yaml}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
        except yaml.YAMLError as exc:
            raise ExemptionError(f"{bundle_yaml}: not valid YAML: {exc}") from exc
        if isinstance(document, dict) and document.get("exemptions") is not None:
            return parse({"exemptions": document["exemptions"]}, f"{bundle_yaml} (exemptions)")
    return []


def as_parameters(active: list[Exemption]) -> dict[str, Any]:
    """The rule parameters that carry the exemptions (none: no key, the default applies)."""
    return {"exemptions": [e.as_parameter() for e in active]} if active else {}


def as_data(active: list[Exemption]) -> dict[str, Any]:
    """The data document that hands exemptions to the rules as a parameter."""
    return {"mlfence": {"config": as_parameters(active)}}


def expired_report(active: list[Exemption], today: dt.date | None = None) -> list[dict[str, str]]:
    today = today or dt.date.today()
    return [e.as_parameter() for e in active if e.expires < today]
