"""One sync run: fetch, validate, compare with what is on disk, refuse or write atomically.

Every refusal happens before the first byte is written, and the write itself stages each new
file beside its target and renames it into place, so a refused or crashed run leaves the data
on disk as it was.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from mlfence import cidr
from mlfence.sync import documents as docs
from mlfence.sync import fetch as fetching
from mlfence.sync.config import SyncConfig
from mlfence.sync.errors import SyncError
from mlfence.sync.feeds import FEEDS, OWNER_FEED, Key, Parsed, owners_of

__all__ = ["SyncError", "SyncOptions", "SyncReport", "run_sync"]

# The sharing report compares each approved service/region with every other service: quadratic.
SHARING_LIMIT = 200
FILE_DATE = re.compile(r"ServiceTags_Public_(\d{8})\.json")


@dataclass(frozen=True)
class SyncOptions:
    out: Path
    config: SyncConfig
    names: tuple[str, ...] = ()
    overrides: dict[str, tuple[str, ...]] = field(default_factory=dict)
    force: bool = False
    check: bool = False
    fetch: fetching.FetchOptions = field(default_factory=fetching.FetchOptions)
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)


@dataclass
class SyncReport:
    feeds: dict[str, str] = field(default_factory=dict)  # name -> one-line summary
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # approved space that changes, per service
    approved_changed: bool = False
    written: list[str] = field(default_factory=list)


@dataclass
class _State:
    approved: dict[Key, list[cidr.Network]]
    owners: dict[str, list[cidr.Network]]
    sharing: dict[str, Any]
    provenance: dict[str, Any]


def _read_json(path: Path) -> Any:
    if not path.exists():
        return None
    try:
        return json.loads(path.read_bytes())
    except (OSError, json.JSONDecodeError) as exc:
        raise SyncError(f"{path}: existing data is unreadable ({exc}); restore it from git first") from exc


def _load_state(out: Path) -> _State:
    if out.exists() and not out.is_dir():
        raise SyncError(f"{out}: --out must be a folder")
    try:
        approved = _read_json(out / docs.APPROVED) or {}
        index = _read_json(out / docs.OWNER_INDEX) or {}
        provenance = (_read_json(out / docs.PROVENANCE) or {}).get("provenance", {})
        state = _State(docs.decode_approved(approved), docs.decode_index(index),
                       _read_json(out / docs.SHARING) or {}, provenance)
        if not isinstance(state.sharing, dict) or not isinstance(state.provenance, dict):
            raise TypeError("expected objects")
    except docs.IndexFormatError as exc:
        raise SyncError(f"{out / docs.OWNER_INDEX}: {exc}, written by an earlier mlfence; sync every feed "
                        "into an empty folder once, or restore the data from git") from exc
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
        # ValueError covers cidr.CidrError: a document on disk that sync did not write.
        raise SyncError(f"{out}: existing data is not in the shape sync writes ({type(exc).__name__}: "
                        f"{exc}); restore it from git first") from exc
    return state


def _fetch_feed(name: str, options: SyncOptions, previous: dict[str, Any],
                report: SyncReport, session: requests.Session) -> tuple[Parsed, dict[str, Any]]:
    feed = FEEDS[name]
    sources = options.overrides.get(name, feed.urls)
    fetched = [_fetch_azure(s, options, previous, report, session) if name == "azure"
               else fetching.fetch(s, options.fetch, session) for s in sources]
    try:
        parsed = feed.parse([f.raw for f in fetched])
    except SyncError as exc:
        raise SyncError(f"{name}: {exc}" if not str(exc).startswith(name) else str(exc)) from exc
    if not parsed.ranges:
        raise SyncError(f"{name}: the feed lists no prefixes")
    before = previous.get("version")
    if parsed.version is not None and isinstance(before, int) and parsed.version < before:
        raise SyncError(f"{name}: {parsed.version_field} {parsed.version} is older than {before} on disk; "
                        "refusing to go back (a stale mirror or cache?)")
    entry = {
        "feed": name,
        "version": parsed.version,
        "version_field": parsed.version_field,
        "published": parsed.published,
        "prefixes": sum(len(v) for v in parsed.ranges.values()),
        "fetched_at": options.now().replace(microsecond=0).isoformat(),
        "sources": [{"url": f.source, "etag": f.etag, "last_modified": f.last_modified,
                     "sha256": f.sha256, "bytes": len(f.raw)} for f in fetched],
    }
    dates = [m.group(1) for f in fetched if (m := FILE_DATE.search(f.source))]
    if dates:
        entry["file_date"] = dates[0]
        _warn_if_stale(name, dates[0], options, report)
    unchanged = [s["sha256"] for s in entry["sources"]] == [s.get("sha256") for s in previous.get("sources", [])]
    if unchanged:
        entry = previous  # same bytes: keep the record (and the bytes on disk) as they were
    label = f"{parsed.version_field} {parsed.version}" if parsed.version is not None else "no version marker"
    report.feeds[name] = f"{entry['prefixes']} prefixes, {label}" + (" (unchanged)" if unchanged else "")
    return parsed, entry


def _fetch_azure(source: str, options: SyncOptions, previous: dict[str, Any], report: SyncReport,
                 session: requests.Session) -> fetching.Fetched:
    """The default source is Microsoft's download page: find this week's file on it. When the page
    is down or links no file (Microsoft redesigns it now and then), fetch the last good file again."""
    last = [s["url"] for s in previous.get("sources", []) if FILE_DATE.search(str(s.get("url", "")))]
    try:
        first = fetching.fetch(source, options.fetch, session)
    except SyncError as exc:
        if not last:
            raise SyncError(f"azure: download page failed ({exc}) and no earlier ServiceTags_Public file "
                            "is known") from exc
        problem = f"the download page failed ({exc})"
    else:
        if first.raw.lstrip().startswith(b"{"):
            return first  # a direct link or a local copy of the file itself
        link = fetching.azure_file_link(first.raw, source)
        if link is not None:
            return fetching.fetch(link[0], options.fetch, session)
        if not last:
            raise SyncError(f"azure: {source} links no ServiceTags_Public_*.json file and no earlier file is known")
        problem = f"{source} links no ServiceTags_Public_*.json file"
    report.warnings.append(f"azure: {problem}; falling back to the last good file {last[0]}")
    return fetching.fetch(last[0], options.fetch, session)


def _warn_if_stale(name: str, date: str, options: SyncOptions, report: SyncReport) -> None:
    published = dt.datetime.strptime(date, "%Y%m%d").replace(tzinfo=dt.UTC)
    age = (options.now() - published).days
    if age > options.config.azure_stale_days:
        report.warnings.append(f"{name}: no new Service Tags file for {age} days (newest is {date}); "
                               "Microsoft publishes weekly: check the download page")


def _select(parsed: Parsed, config: SyncConfig) -> dict[Key, list[cidr.Network]]:
    return {key: nets for key, nets in parsed.ranges.items() if config.approved(*key)}


def _check_approvals(name: str, parsed: Parsed, config: SyncConfig) -> None:
    provider = FEEDS[name].provider
    services = {key[1] for key in parsed.ranges}
    for approval in config.approvals:
        matched = [s for s in services if fnmatch.fnmatchcase(s, approval.service)]
        if approval.provider == provider and not matched:
            close = sorted(s for s in services if s.lower() == approval.service.lower())
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise SyncError(f"bundle.yaml approves {provider}/{approval.service}, which the {name} feed "
                            f"does not list{hint}")


def _shrinks(old: dict[Key, list[cidr.Network]], new: dict[Key, list[cidr.Network]],
             config: SyncConfig) -> list[str]:
    """Approved (provider, service, family) whose address count drops by more than allowed.
    Only services bundle.yaml still approves count: dropping an approval is a choice."""
    def totals(ranges: dict[Key, list[cidr.Network]]) -> dict[tuple[str, str, str], int]:
        out: dict[tuple[str, str, str], int] = {}
        for (provider, service, _), nets in ranges.items():
            for fam, n in cidr.address_count(nets).items():
                out[(provider, service, fam)] = out.get((provider, service, fam), 0) + n
        return out

    before, after = totals(old), totals(new)
    found = []
    for (provider, service, fam), count in sorted(before.items()):
        still = any(a.provider == provider and a.service == service for a in config.approvals)
        now = after.get((provider, service, fam), 0)
        if still and count and now < count * (1 - config.max_shrink):
            found.append(f"{provider}/{service} {fam} {count} -> {now} addresses "
                         f"(-{100 * (count - now) / count:.0f}%)")
    return found


def _space(ranges: dict[Key, list[cidr.Network]]) -> dict[str, list[str]]:
    return cidr.collapse_strings(n for nets in ranges.values() for n in nets)


def _describe_changes(old: dict[Key, list[cidr.Network]], new: dict[Key, list[cidr.Network]]) -> list[str]:
    lines = []
    for key in sorted(set(old) | set(new)):
        for fam in cidr.FAMILIES:
            a = [n for n in old.get(key, []) if cidr.family(n) == fam]
            b = [n for n in new.get(key, []) if cidr.family(n) == fam]
            added, removed = cidr.subtract(b, a)[fam], cidr.subtract(a, b)[fam]
            if added or removed:
                lines.append(f"{docs.label(key)} {fam}: +{cidr.address_count(added)[fam]} "
                             f"-{cidr.address_count(removed)[fam]} addresses")
    return lines


def run_sync(options: SyncOptions, session: requests.Session | None = None) -> SyncReport:
    names = options.names or tuple(FEEDS)
    unknown = sorted(set(names) - set(FEEDS)) + sorted(set(options.overrides) - set(FEEDS))
    if unknown:
        raise SyncError(f"unknown feed {unknown[0]!r}; feeds are {', '.join(FEEDS)}")
    report = SyncReport()
    state = _load_state(options.out)
    session = session or fetching.new_session()
    approved = {k: v for k, v in state.approved.items() if k[0] not in {FEEDS[n].provider for n in names}}
    owners = {o: v for o, v in state.owners.items() if OWNER_FEED.get(o) not in names}
    sharing = {k: v for k, v in state.sharing.items() if k.split("/")[0] not in {FEEDS[n].provider for n in names}}
    provenance = dict(state.provenance)
    for name in [n for n in FEEDS if n in names]:  # gcp before google: google's owner needs it
        parsed, entry = _fetch_feed(name, options, state.provenance.get(name, {}), report, session)
        _check_approvals(name, parsed, options.config)
        selected = _select(parsed, options.config)
        approved.update(selected)
        owners.update(owners_of(name, parsed, owners))
        if len(selected) <= SHARING_LIMIT:
            sharing.update(docs.sharing_entries(parsed, sorted(selected)))
        else:
            report.warnings.append(f"{name}: {len(selected)} approved service/regions; the sharing report "
                                   f"(exclusive vs shared space) is computed for at most {SHARING_LIMIT}")
        provenance[name] = entry
    # Keep only what bundle.yaml still approves; a newly approved service needs its feed.
    approved = {k: v for k, v in approved.items() if options.config.approved(*k)}
    sharing = {k: v for k, v in sharing.items() if tuple(k.split("/", 2)) in approved}
    for approval in options.config.approvals:
        feed = next(f for f in FEEDS.values() if f.provider == approval.provider)
        if not any(approval.matches(*k) for k in approved) and feed.name not in names:
            raise SyncError(f"bundle.yaml approves {approval.provider}/{approval.service} but no {feed.name} "
                            f"data is on disk: run `mlfence sync {feed.name}`")
    report.changes = _describe_changes(state.approved, approved)
    report.approved_changed = _space(state.approved) != _space(approved)
    shrunk = _shrinks(state.approved, approved, options.config)
    if shrunk and not options.force:
        raise SyncError(f"approved space would shrink by more than {options.config.max_shrink:.0%}: "
                        f"{'; '.join(shrunk)} (a broken feed? --force accepts it)")
    if shrunk:
        report.warnings.append("accepted with --force: " + "; ".join(shrunk))
    if options.check:
        return report
    payloads = {
        docs.APPROVED: docs.dumps(docs.approved_document(approved)),
        docs.APPROVED_INDEX: docs.dumps(cidr.build_index({docs.label(k): v for k, v in approved.items()},
                                                         reduce_min=True)),
        docs.OWNER_INDEX: docs.dumps(docs.owner_index_document(owners)),
        docs.OWNER_RANGES: docs.dumps(docs.owner_ranges_document(owners)),
        docs.SHARING: docs.dumps(sharing),
        docs.PROVENANCE: docs.dumps({"provenance": provenance}),
    }
    _write_all(options.out, payloads, report)
    return report


def _write_all(out: Path, payloads: dict[str, bytes], report: SyncReport) -> None:
    """Stage every changed file beside its target first, then rename them all into place.

    A failure while staging (disk full, read-only folder) removes the staged files and leaves
    every target untouched; the renames that follow cannot run out of space. Provenance is
    renamed last: it names the versions the other files hold, so it is the commit mark.
    """
    changed = [rel for rel in sorted(payloads, key=lambda r: r == docs.PROVENANCE)
               if not ((out / rel).is_file() and (out / rel).read_bytes() == payloads[rel])]
    staged: list[tuple[Path, Path]] = []
    try:
        for rel in changed:
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            staged.append((Path(tmp), target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(payloads[rel])
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; the data is public and read by other tools
    except OSError as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise SyncError(f"{out}: cannot write the range data ({exc.strerror or exc}); nothing was changed") from exc
    for (tmp, target), rel in zip(staged, changed, strict=True):
        os.replace(tmp, target)
        report.written.append(rel)


def parse_overrides(items: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """NAME=URL_OR_PATH, repeatable; several for one name replace all its sources (Cloudflare)."""
    out: dict[str, tuple[str, ...]] = {}
    for item in items:
        name, sep, source = item.partition("=")
        if not sep or not name or not source:
            raise SyncError(f"--feed {item!r}: expected NAME=URL_OR_PATH")
        out[name] = (*out.get(name, ()), source)
    return out
