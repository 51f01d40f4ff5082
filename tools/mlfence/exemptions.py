"""Exemptions that expire and cannot be abused. Validated here, the same way for every source
(the settings file, `--exemptions FILE`, bundle.yaml, a `--data` folder); applied in Rego
(lib.mlfence.result), which re-checks the same limits, so conftest, the bundle and Gatekeeper
honour, refuse and expire them with the same code.

The limits (issue 16 §4):
- a specific rule ID; `rule: "*"` only when the settings allow it (`exemption_limits.allow_all_rules`)
  and never together with a resource pattern that is nothing but wildcards;
- a real owner (a team, a person, an address: not "x", "me", "tbd"...) and a reason;
- an expiry at most `exemption_limits.max_days` (default 90) days after today, UTC;
- `resource` is a glob whose only wildcards are `*` (any run of characters, "/" and "." included)
  and `?` (one character), so `*` matches Terraform addresses as it matches Kubernetes names, and
  an exact address such as `aws_instance.gpu[0]` matches itself.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlfence import toolchain
from mlfence.errors import MlfenceError

DEFAULT_MAX_DAYS = 90
RULE_ID = re.compile(r"^MLF-(K8S|TF)-[0-9]{3}$")
# Same expression as lib.mlfence.result._real_owner.
OWNER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@/+ -]*[A-Za-z0-9]$")
PLACEHOLDER_OWNERS = frozenset(
    {
        "me",
        "you",
        "tbd",
        "todo",
        "none",
        "nobody",
        "unknown",
        "owner",
        "test",
        "xx",
        "xxx",
        "na",
        "n-a",
        "someone",
        "somebody",
        "team",
        "admin",
        "root",
        "user",
    }
)
# Characters that would make a pattern unreadable in a report or a Constraint.
BAD_PATTERN = re.compile(r"[\x00-\x1f\x7f]")
MAX_PATTERN = 512


class ExemptionError(MlfenceError, ValueError):
    """The exemptions file is unreadable or an entry is invalid."""


def today() -> dt.date:
    """The one "today" for applying and reporting expiry: UTC, as Rego's time.now_ns()."""
    return dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True)
class Limits:
    max_days: int = DEFAULT_MAX_DAYS
    allow_all_rules: bool = False

    def as_parameter(self) -> dict[str, Any]:
        return {"max_days": self.max_days, "allow_all_rules": self.allow_all_rules}


@dataclass(frozen=True)
class Exemption:
    rule: str
    resource: str
    reason: str
    owner: str
    expires: dt.date
    source: str = ""  # where it was read, for messages

    def as_parameter(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "resource": self.resource,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
        }

    def key(self) -> tuple[str, str, str]:
        return self.rule, self.resource, self.expires.isoformat()


def schema() -> dict[str, Any]:
    return json.loads(toolchain.schema_path("exemptions").read_text())


def entry_schema() -> dict[str, Any]:
    return schema()["$defs"]["exemption"]


def only_wildcards(pattern: str) -> bool:
    return pattern.strip("*?") == ""


def glob_regex(pattern: str) -> re.Pattern[str]:
    """The pattern as Rego applies it (glob.match with no delimiters, meta characters other than
    * and ? escaped): * is any run of characters, ? is one."""
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return re.compile("".join(parts), re.DOTALL)


def real_owner(owner: str) -> bool:
    return bool(OWNER.match(owner)) and owner.strip().lower() not in PLACEHOLDER_OWNERS


Locate = Callable[[list[Any]], str]


def _no_line(_path: list[Any]) -> str:
    return ""


def validate(
    raw: Any, where: str, limits: Limits, now: dt.date | None = None, known_rules: frozenset[str] | None = None
) -> Exemption:
    """One entry, or ExemptionError naming `where` (e.g. "settings.yaml:12: exemptions[3]")."""
    import jsonschema  # imported when exemptions are checked: ~0.1 s of start-up otherwise

    errors = sorted(
        jsonschema.Draft202012Validator(entry_schema()).iter_errors(raw), key=lambda e: list(e.absolute_path)
    )
    label = where
    if isinstance(raw, dict):
        label = f"{where} (rule={raw.get('rule')!r}, resource={raw.get('resource')!r})"
    if errors:
        first = errors[0]
        key = "/".join(str(p) for p in first.absolute_path)
        raise ExemptionError(f"{label}: {key + ': ' if key else ''}{first.message}")
    rule, resource, owner = raw["rule"], raw["resource"], raw["owner"]
    try:
        expires = dt.date.fromisoformat(raw["expires"])
    except ValueError:
        raise ExemptionError(f"{label}: expires {raw['expires']!r} is not a calendar date") from None
    now = now or today()
    if rule == "*":
        if not limits.allow_all_rules:
            raise ExemptionError(
                f"{label}: rule '*' exempts every rule; name the rule, or set "
                "exemption_limits.allow_all_rules: true in the settings"
            )
        if only_wildcards(resource):
            raise ExemptionError(f"{label}: rule '*' with resource {resource!r} would exempt everything")
    elif known_rules is not None and rule not in known_rules:
        raise ExemptionError(f"{label}: no rule {rule} (see `mlfence rules`)")
    if BAD_PATTERN.search(resource) or len(resource) > MAX_PATTERN or resource.strip() != resource:
        raise ExemptionError(
            f"{label}: resource is not a valid glob (control characters, surrounding "
            f"spaces or over {MAX_PATTERN} characters)"
        )
    if not real_owner(owner):
        raise ExemptionError(f"{label}: owner {owner!r} is not a real owner (a team, a person or an address)")
    latest = now + dt.timedelta(days=limits.max_days)
    if expires > latest:
        raise ExemptionError(
            f"{label}: expires {expires.isoformat()} is more than {limits.max_days} days after "
            f"today ({now.isoformat()}, UTC); the latest allowed is {latest.isoformat()}"
        )
    return Exemption(rule, resource, raw["reason"], owner, expires, where)


def parse_list(
    items: Any,
    where: str,
    limits: Limits,
    locate: Locate = _no_line,
    known_rules: frozenset[str] | None = None,
    path: tuple[Any, ...] = ("exemptions",),
) -> list[Exemption]:
    """A list of entries; `locate(path)` turns a path into "file:line" for messages."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise ExemptionError(f"{locate(list(path)) or where}: exemptions must be a list")
    now = today()
    out = []
    for number, raw in enumerate(items):
        at = locate([*path, number]) or where
        out.append(validate(raw, f"{at}: {'.'.join(map(str, path))}[{number}]", limits, now, known_rules))
    return out


def as_parameters(active: list[Exemption]) -> dict[str, Any]:
    """The rule parameters that carry the exemptions (none: no key, the default applies)."""
    return {"exemptions": [e.as_parameter() for e in active]} if active else {}


def expired_report(active: list[Exemption], now: dt.date | None = None) -> list[dict[str, str]]:
    now = now or today()
    return [e.as_parameter() for e in active if e.expires < now]


def unused_report(active: list[Exemption], findings: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Exemptions that matched no finding of this run (active or expired): stale, or mistyped."""
    used = {
        (f["exemption"].get("rule"), f["exemption"].get("resource"), f["exemption"].get("expires"))
        for f in findings
        if isinstance(f.get("exemption"), dict)
    }
    return [{**e.as_parameter(), "source": e.source} for e in active if e.key() not in used]
