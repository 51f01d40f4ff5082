"""Baselines: accept today's findings, report only new ones, list the fixed ones.

A finding is recognised by a fingerprint of (rule, resource, normalised location): the scanned
file relative to the working directory, POSIX separators, never a line number, so adding a line
above a resource does not make its finding "new". The same fingerprint feeds SARIF's
`partialFingerprints`, so GitHub code scanning tracks an alert across commits the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from mlfence import __version__
from mlfence.errors import MlfenceError
from mlfence.files import write_text_atomic
from mlfence.scan import Finding

FORMAT = 1
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["mlfence_baseline", "findings"],
    "properties": {
        "mlfence_baseline": {"const": FORMAT},
        "generated_by": {"type": "string"},
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["fingerprint", "rule_id", "resource", "location"],
                "properties": {
                    "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
                    "rule_id": {"type": "string"},
                    "resource": {"type": "string"},
                    "location": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
_NOTE = re.compile(r"\s*\[(exempted until|exemption expired on) [^\]]*\]")


class BaselineError(MlfenceError, ValueError):
    """The baseline file is missing, unreadable or not a baseline."""


def location(path: str, cwd: Path | None = None) -> str:
    """The scanned file as a baseline records it: relative to the working directory when it is
    inside it, POSIX separators, no leading ./ (so `./k8s/a.yaml` and `k8s/a.yaml` agree)."""
    if path.startswith("<"):  # <stdin> without --stdin-filename
        return path
    candidate = Path(path)
    if candidate.is_absolute():
        with contextlib.suppress(ValueError):  # outside the working directory: keep it absolute
            candidate = candidate.relative_to((cwd or Path.cwd()).resolve())
    return PurePosixPath(os.path.normpath(candidate.as_posix())).as_posix()


def fingerprint(finding: Finding, cwd: Path | None = None) -> str:
    key = "\0".join(("v1", finding.rule_id, finding.resource, location(finding.origin, cwd)))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def fingerprinted(findings: list[Finding], cwd: Path | None = None) -> list[Finding]:
    return [replace(f, fingerprint=fingerprint(f, cwd)) for f in findings]


def _message(text: str) -> str:
    """The message without exemption notes: used only to pair duplicates of one fingerprint."""
    return " ".join(_NOTE.sub("", text).split())


def _entry(finding: Finding, cwd: Path | None) -> dict[str, str]:
    return {
        "fingerprint": finding.fingerprint or fingerprint(finding, cwd),
        "rule_id": finding.rule_id,
        "resource": finding.resource,
        "location": location(finding.origin, cwd),
        "message": _message(finding.message),
    }


def write(path: Path, findings: list[Finding], cwd: Path | None = None) -> int:
    entries = sorted(
        (_entry(f, cwd) for f in findings), key=lambda e: (e["rule_id"], e["location"], e["resource"], e["message"])
    )
    write_text_atomic(
        path,
        json.dumps(
            {"mlfence_baseline": FORMAT, "generated_by": f"mlfence {__version__}", "findings": entries},
            indent=2,
            sort_keys=True,
        )
        + "\n",
    )
    return len(entries)


def load(path: Path) -> list[dict[str, str]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline {path} does not exist (create it with --write-baseline)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {path} cannot be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"baseline {path} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    import jsonschema  # imported when a baseline is read: ~0.1 s of start-up otherwise

    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(SCHEMA).iter_errors(document))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise BaselineError(
            f"baseline {path} is not an mlfence baseline (written by --write-baseline): at {where}: {error.message}"
        )
    return list(document["findings"])


@dataclass
class Comparison:
    new: list[Finding] = field(default_factory=list)
    unchanged: list[Finding] = field(default_factory=list)
    fixed: list[dict[str, str]] = field(default_factory=list)


def compare(entries: list[dict[str, str]], findings: list[Finding]) -> Comparison:
    """Pair current findings with baseline entries by fingerprint. When one fingerprint has
    several findings (two open ports on one group), pairs with the same message go first, so a
    reworded message never turns an accepted finding into a new one unless the count grew."""
    pool: dict[str, list[dict[str, str]]] = defaultdict(list)
    for entry in entries:
        pool[entry["fingerprint"]].append(entry)
    result = Comparison()
    unpaired: list[Finding] = []
    for finding in findings:
        candidates = pool.get(finding.fingerprint, [])
        same = next((e for e in candidates if e.get("message") == _message(finding.message)), None)
        if same is not None:
            candidates.remove(same)
            result.unchanged.append(finding)
        else:
            unpaired.append(finding)
    for finding in unpaired:
        candidates = pool.get(finding.fingerprint, [])
        if candidates:
            candidates.pop(0)
            result.unchanged.append(finding)
        else:
            result.new.append(finding)
    result.fixed = [e for remaining in pool.values() for e in remaining]
    return result
