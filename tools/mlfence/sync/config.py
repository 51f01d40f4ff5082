"""The `approved_ranges` and `sync` sections of bundle.yaml.

```yaml
approved_ranges:
  - provider: aws          # aws | gcp | google | azure (CDNs are never approvable)
    service: S3            # the feed's own service name (or a pattern: "*")
    regions: ["*"]         # region names, or "*" for all
    purpose: model storage # why; shown in reports
sync:
  max_shrink: 0.2          # refuse a larger drop of approved space without --force
  max_growth: 1.0          # refuse approved space growing by more than this (1.0: doubling) without --force
  max_service_share: 0.1   # refuse a feed service covering more of the public IPv4 or IPv6 space
  azure_stale_days: 8
```
Other top-level keys belong to other tools and are ignored here.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlfence.sync.errors import SyncError
from mlfence.sync.feeds import CDN_SERVICES, FEEDS


@dataclass(frozen=True)
class Approval:
    provider: str
    service: str
    regions: tuple[str, ...]
    purpose: str = ""

    def matches(self, provider: str, service: str, region: str) -> bool:
        # A CDN inside a cloud's feed is never approved, not even by a "*" service pattern.
        return (
            provider == self.provider
            and (provider, service) not in CDN_SERVICES
            and fnmatch.fnmatchcase(service, self.service)
            and any(fnmatch.fnmatchcase(region, pattern) for pattern in self.regions)
        )


@dataclass(frozen=True)
class SyncConfig:
    approvals: tuple[Approval, ...] = ()
    max_shrink: float = 0.2
    max_growth: float = 1.0
    max_service_share: float = 0.1
    azure_stale_days: int = 8
    extra: dict[str, Any] = field(default_factory=dict)

    def approved(self, provider: str, service: str, region: str) -> bool:
        return any(a.matches(provider, service, region) for a in self.approvals)


def _approval(item: Any, where: str) -> Approval:
    if not isinstance(item, dict):
        raise SyncError(f"{where}: expected a mapping with provider, service, regions")
    provider, service = item.get("provider"), item.get("service")
    regions = item.get("regions", ["*"])
    if not isinstance(provider, str) or not isinstance(service, str):
        raise SyncError(f"{where}: provider and service must be strings")
    if isinstance(regions, str):
        regions = [regions]
    if not isinstance(regions, list) or not regions or not all(isinstance(r, str) for r in regions):
        raise SyncError(f"{where}: regions must be a non-empty list of names or patterns")
    approvable = {f.provider for f in FEEDS.values() if f.approvable}
    if provider not in approvable:
        cdn = provider in {f.provider for f in FEEDS.values()}
        reason = (
            "is a CDN: unrelated customers share its addresses, use a domain-based control"
            if cdn
            else f"is not one of {sorted(approvable)}"
        )
        raise SyncError(f"{where}: provider {provider!r} {reason}")
    if (provider, service) in CDN_SERVICES:
        raise SyncError(
            f"{where}: {provider}/{service} is a CDN: unrelated customers share its addresses, "
            "use a domain-based control"
        )
    return Approval(provider, service, tuple(regions), str(item.get("purpose", "")))


def load(path: Path) -> SyncConfig:
    if not path.exists():
        return SyncConfig()
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SyncError(f"{path}: unreadable ({exc})") from exc
    if not isinstance(doc, dict):
        raise SyncError(f"{path}: expected a mapping at the top")
    items = doc.get("approved_ranges") or []
    if not isinstance(items, list):
        raise SyncError(f"{path}: approved_ranges must be a list")
    approvals = tuple(_approval(item, f"{path}: approved_ranges[{i}]") for i, item in enumerate(items))
    settings = doc.get("sync") or {}
    if not isinstance(settings, dict):
        raise SyncError(f"{path}: sync must be a mapping")
    max_shrink = settings.get("max_shrink", 0.2)
    stale = settings.get("azure_stale_days", 8)
    if not isinstance(max_shrink, int | float) or not 0 <= max_shrink <= 1:
        raise SyncError(f"{path}: sync.max_shrink must be a fraction between 0 and 1")
    if not isinstance(stale, int) or stale < 1:
        raise SyncError(f"{path}: sync.azure_stale_days must be a positive integer")
    max_growth = settings.get("max_growth", 1.0)
    if not isinstance(max_growth, int | float) or isinstance(max_growth, bool) or max_growth < 0:
        raise SyncError(f"{path}: sync.max_growth must be a non-negative number (1.0 allows doubling)")
    share = settings.get("max_service_share", 0.1)
    if not isinstance(share, int | float) or isinstance(share, bool) or not 0 < share <= 1:
        raise SyncError(f"{path}: sync.max_service_share must be a fraction in (0, 1]")
    return SyncConfig(approvals, float(max_shrink), float(max_growth), float(share), stale)
