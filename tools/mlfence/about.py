"""`mlfence version`: what this installation is made of, for bug reports and CI logs."""

from __future__ import annotations

import json
from typing import Any

from mlfence import __version__, catalog, toolchain

PROVENANCE = ("mlfence", "rangedata", "provenance.json")


def versions() -> dict[str, Any]:
    rules = catalog.load()
    targets = {t: sum(1 for r in rules if r.target == t) for t in sorted({r.target for r in rules})}
    provenance_file = toolchain.data_dir().joinpath(*PROVENANCE)
    feeds: dict[str, Any] = {}
    if provenance_file.is_file():
        for name, entry in sorted((json.loads(provenance_file.read_text()).get("provenance") or {}).items()):
            feeds[name] = {k: entry.get(k) for k in ("version_field", "version", "published", "fetched_at")}
    return {
        "mlfence": __version__,
        "catalog": {"version": __version__, "rules": len(rules), **targets},
        "opa": toolchain.engine_info(),
        "data": feeds,
        "installation": toolchain.installation(),
        "resources": str(toolchain.project_root()),
    }


def render(info: dict[str, Any]) -> str:
    counts = ", ".join(f"{n} {t}" for t, n in info["catalog"].items() if t not in ("version", "rules"))
    opa = info["opa"]
    lines = [
        f"mlfence {info['mlfence']}",
        f"catalog {info['catalog']['version']}: {info['catalog']['rules']} rules ({counts})",
        f"opa {opa['version']} (pinned {opa['pinned']}) from {opa['source']}: {opa['path']}",
    ]
    for name, feed in info["data"].items():
        version = f"{feed['version_field']} {feed['version']}" if feed.get("version_field") else "unversioned"
        lines.append(f"data {name}: {version}, fetched {feed.get('fetched_at') or 'never'}")
    if not info["data"]:
        lines.append("data: no synced range data")
    lines.append(f"resources ({info['installation']}): {info['resources']}")
    return "\n".join(lines) + "\n"
