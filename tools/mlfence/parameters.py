"""Rule parameters as Gatekeeper gets them: Constraint parameters.

conftest, the CLI and the bundle read data.mlfence.config from a data tree (the settings'
staged tree, mlfence.settings). Gatekeeper cannot read data.mlfence.* nor the synced range
documents (data/mlfence/rangedata), so the rendered config plus the approved ranges and the
CDN owners (both small and collapsed) become the parameters; the large indexes stay bundle-only.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import yaml

from mlfence import settings
from mlfence.errors import MlfenceError

# Where `mlfence sync` writes the published-range documents, relative to the data folder.
RANGE_DATA = settings.RANGE_DATA


class ParameterError(MlfenceError, RuntimeError):
    """The data folder's configuration is unreadable."""


def _read(path: Path) -> Any:
    try:
        text = path.read_text()
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ParameterError(f"{path}: {exc}") from exc


def config(data_dir: Path) -> dict[str, Any]:
    for name in ("data.json", "data.yaml"):
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
    synced = data_dir / RANGE_DATA
    for param, folder in (("approved_ranges", "approved"), ("owner_ranges", "owner_ranges")):
        path = synced / folder / "data.json"
        if param not in params and path.exists():
            document = _read(path)
            if not isinstance(document, dict):
                raise ParameterError(f"{path}: expected a mapping")
            params[param] = document
    return params


def for_settings(run_settings: settings.Settings) -> dict[str, Any]:
    """Constraint parameters for a run's settings: the same data tree the bundle and CLI read."""
    with tempfile.TemporaryDirectory(prefix="mlfence-params-") as tmp:
        return gatekeeper(run_settings.stage_data(Path(tmp)))
