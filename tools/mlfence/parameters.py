"""Rule parameters as every engine sees them, read from the data folder.

conftest and the bundle read data/mlfence/config directly; Gatekeeper gets the same values
rendered into Constraint parameters. Approved published ranges (data/mlfence/ranges) join them
under `approved_ranges` so the Gatekeeper rules decide with the same approved set.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml


class ParameterError(RuntimeError):
    """The data folder's configuration is unreadable."""


def _read(path: Path) -> Any:
    try:
        text = path.read_text()
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ParameterError(f"{path}: {exc}") from exc


def config(data_dir: Path) -> dict[str, Any]:
    for name in ("data.yaml", "data.json"):
        path = data_dir / "mlfence" / "config" / name
        if path.exists():
            document = _read(path) or {}
            if not isinstance(document, dict):
                raise ParameterError(f"{path}: expected a mapping of parameter names to values")
            return document
    return {}


def gatekeeper(data_dir: Path) -> dict[str, Any]:
    """Constraint parameters: the config plus the approved ranges (collapsed, small)."""
    params = dict(config(data_dir))
    ranges = data_dir / "mlfence" / "ranges" / "approved" / "data.json"
    if ranges.exists():
        document = _read(ranges)
        params["approved_ranges"] = document.get("approved_ranges", document) if isinstance(document, dict) else {}
    cdn = data_dir / "mlfence" / "ranges" / "cdn" / "data.json"
    if cdn.exists():
        document = _read(cdn)
        if isinstance(document, dict) and isinstance(document.get("owner_ranges"), dict):
            params["owner_ranges"] = document["owner_ranges"]
    return params
