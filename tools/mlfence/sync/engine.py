"""One sync run: fetch, validate, compare with what is on disk, refuse or write atomically.

Every refusal happens before the first byte is written. The write builds the whole new data
set in a staging folder beside --out and switches it in with one atomic exchange of the two
folders (renameat2 RENAME_EXCHANGE), so readers and a crash at any moment see either every old
file or every new one, never a mix; the previous data set is then deleted. Staging folders a
crashed run left behind are deleted by the next run before it reads anything.

Sanity bounds, checked on every feed before anything is written (a poisoned or broken feed is
refused with the data unchanged): no prefix shorter than /8 (IPv4) or /16 (IPv6) and no service
covering more than sync.max_service_share of the public space (a default route, its two
halves); no overlap with another provider's or a CDN's published space; approved space may not
grow by more than sync.max_growth without --force; a time-based version marker (AWS and Google
syncToken) may not lie more than a day in the future, or every genuine feed after it would be
refused as older.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import fnmatch
import json
import os
import re
import shutil
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
from mlfence.sync.feeds import FEEDS, OWNER_FEED, OWNER_KIND, UMBRELLA_SERVICES, Key, Parsed, owners_of

__all__ = ["SyncError", "SyncOptions", "SyncReport", "run_sync"]

# The sharing report compares each approved service/region with every other service: quadratic.
SHARING_LIMIT = 200
FILE_DATE = re.compile(r"ServiceTags_Public_(\d{8})\.json")

# No cloud or CDN publishes a prefix this wide (the widest in the 2026 snapshots: AWS /11,
# Google /10, IPv6 /28): a shorter one is a default route, its halves, or a typo.
MIN_PREFIX = {"ipv4": 8, "ipv6": 16}
# syncToken is the publication time: seconds (AWS) or milliseconds (Google) since the epoch.
TOKEN_UNIT = {"aws": 1, "gcp": 1000, "google": 1000}
MAX_FUTURE = dt.timedelta(days=1)
# Providers whose feeds describe the same owner's space (goog.json includes Google Cloud).
PROVIDER_GROUP = {"gcp": "google"}
STAGING = ".{name}.sync-"  # staging and retired data sets live beside --out under this prefix


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
        state = _State(
            docs.decode_approved(approved), docs.decode_index(index), _read_json(out / docs.SHARING) or {}, provenance
        )
        if not isinstance(state.sharing, dict) or not isinstance(state.provenance, dict):
            raise TypeError("expected objects")
    except docs.IndexFormatError as exc:
        raise SyncError(
            f"{out / docs.OWNER_INDEX}: {exc}, written by an earlier mlfence; sync every feed "
            "into an empty folder once, or restore the data from git"
        ) from exc
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:
        # ValueError covers cidr.CidrError: a document on disk that sync did not write.
        raise SyncError(
            f"{out}: existing data is not in the shape sync writes ({type(exc).__name__}: "
            f"{exc}); restore it from git first"
        ) from exc
    return state


def _fetch_feed(
    name: str, options: SyncOptions, previous: dict[str, Any], report: SyncReport, session: requests.Session
) -> tuple[Parsed, dict[str, Any]]:
    feed = FEEDS[name]
    sources = options.overrides.get(name, feed.urls)
    fetched = [
        _fetch_azure(s, options, previous, report, session)
        if name == "azure"
        else fetching.fetch(s, options.fetch, session)
        for s in sources
    ]
    try:
        parsed = feed.parse([f.raw for f in fetched])
    except SyncError as exc:
        raise SyncError(f"{name}: {exc}" if not str(exc).startswith(name) else str(exc)) from exc
    if not parsed.ranges:
        raise SyncError(f"{name}: the feed lists no prefixes")
    _check_token(name, parsed, options)
    before = previous.get("version")
    if parsed.version is not None and isinstance(before, int) and parsed.version < before:
        raise SyncError(
            f"{name}: {parsed.version_field} {parsed.version} is older than {before} on disk; "
            "refusing to go back (a stale mirror or cache?)"
        )
    entry: dict[str, Any] = {
        "feed": name,
        "version": parsed.version,
        "version_field": parsed.version_field,
        "published": parsed.published,
        "prefixes": sum(len(v) for v in parsed.ranges.values()),
        "fetched_at": options.now().replace(microsecond=0).isoformat(),
        "sources": [
            {
                "url": f.source,
                "etag": f.etag,
                "last_modified": f.last_modified,
                "sha256": f.sha256,
                "bytes": len(f.raw),
                **({"requested": f.requested} if f.requested else {}),
            }
            for f in fetched
        ],
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


def _fetch_azure(
    source: str, options: SyncOptions, previous: dict[str, Any], report: SyncReport, session: requests.Session
) -> fetching.Fetched:
    """The default source is Microsoft's download page: find this week's file on it. When the page
    is down or links no file (Microsoft redesigns it now and then), fetch the last good file again."""
    last = [s["url"] for s in previous.get("sources", []) if FILE_DATE.search(str(s.get("url", "")))]
    try:
        first = fetching.fetch(source, options.fetch, session)
    except SyncError as exc:
        if not last:
            raise SyncError(
                f"azure: download page failed ({exc}) and no earlier ServiceTags_Public file is known"
            ) from exc
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
        report.warnings.append(
            f"{name}: no new Service Tags file for {age} days (newest is {date}); "
            "Microsoft publishes weekly: check the download page"
        )


def _check_token(name: str, parsed: Parsed, options: SyncOptions) -> None:
    """A syncToken from the future would make every genuine feed after it "older": refuse it."""
    unit = TOKEN_UNIT.get(name)
    if unit is None or parsed.version is None:
        return
    latest = options.now() + MAX_FUTURE
    if parsed.version > latest.timestamp() * unit:
        try:
            when = dt.datetime.fromtimestamp(parsed.version / unit, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        except (OverflowError, OSError, ValueError):
            when = "beyond any date"
        raise SyncError(
            f"{name}: {parsed.version_field} {parsed.version} is {when}, in the future; refusing it "
            "(it would make every genuine feed after it look older)"
        )


def _check_bounds(name: str, parsed: Parsed, config: SyncConfig) -> None:
    """Per service: no prefix wider than any provider publishes, no implausible share of the
    public space (a default route, its two halves, or many wide blocks together)."""
    by_service: dict[tuple[str, str], list[cidr.Network]] = {}
    for (provider, service, _), nets in parsed.ranges.items():
        by_service.setdefault((provider, service), []).extend(nets)
    # Name the service that lists the block, not the umbrella (AMAZON) that repeats it.
    for (provider, service), nets in sorted(by_service.items(), key=lambda kv: (kv[0] in UMBRELLA_SERVICES, kv[0])):
        for net in nets:
            fam = cidr.family(net)
            if net.prefixlen < MIN_PREFIX[fam]:
                raise SyncError(
                    f"{name}: {provider}/{service} lists {cidr.canonical(net)}, wider than /"
                    f"{MIN_PREFIX[fam]}: no provider publishes such a block (a poisoned feed?)"
                )
        for fam, share in cidr.public_share(nets).items():
            if share > config.max_service_share:
                raise SyncError(
                    f"{name}: {provider}/{service} covers {share:.1%} of the public {fam} space, over "
                    f"sync.max_service_share {config.max_service_share:.0%} (a poisoned feed?)"
                )


def _group(owner_or_provider: str) -> str:
    provider = OWNER_FEED.get(owner_or_provider, owner_or_provider)
    return PROVIDER_GROUP.get(provider, provider)


def _check_overlaps(parsed_feeds: dict[str, Parsed], owners: dict[str, list[cidr.Network]]) -> None:
    """A feed may not list space another provider or a CDN publishes as its own: an AWS service
    holding Fastly's or Azure's addresses is a poisoned (or mixed-up) feed. Overlap with one's
    own CDN (CloudFront inside AWS's feed) is how the feeds really are."""
    owner_spans: dict[str, dict[str, cidr.Spans]] = {}  # each owner's, computed once
    for name, parsed in parsed_feeds.items():
        mine = [n for nets in parsed.ranges.values() for n in nets]
        mine_spans = cidr.spans(mine)
        for owner, theirs in sorted(owners.items()):
            if _group(owner) == _group(FEEDS[name].provider):
                continue
            if owner not in owner_spans:
                owner_spans[owner] = cidr.spans(theirs)
            if not any(cidr.intersect_spans(mine_spans[fam], owner_spans[owner][fam]) for fam in cidr.FAMILIES):
                continue
            common = cidr.intersect(mine, theirs)
            shared = [*common["ipv4"], *common["ipv6"]]
            if not shared:
                continue
            where = sorted(
                {
                    docs.label(k)
                    for k, nets in parsed.ranges.items()
                    if k[:2] not in UMBRELLA_SERVICES and any(cidr.intersect(nets, shared).values())
                }
            )
            raise SyncError(
                f"{name}: {', '.join(where[:3])} lists {cidr.canonical(shared[0])}, which {owner} "
                f"publishes as its own ({OWNER_KIND.get(owner, 'cloud')} space); refusing a feed that "
                "claims another owner's addresses"
            )


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
            raise SyncError(
                f"bundle.yaml approves {provider}/{approval.service}, which the {name} feed does not list{hint}"
            )


def _shrinks(old: dict[Key, list[cidr.Network]], new: dict[Key, list[cidr.Network]], config: SyncConfig) -> list[str]:
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
            found.append(f"{provider}/{service} {fam} {count} -> {now} addresses (-{100 * (count - now) / count:.0f}%)")
    return found


def _grows(old: dict[Key, list[cidr.Network]], new: dict[Key, list[cidr.Network]], config: SyncConfig) -> list[str]:
    """Approved (provider, service, family) whose address count grows by more than allowed: an
    approved service suddenly holding far more space is how a poisoned feed would widen egress."""

    def totals(ranges: dict[Key, list[cidr.Network]]) -> dict[tuple[str, str, str], int]:
        grouped: dict[tuple[str, str, str], list[cidr.Network]] = {}
        for (provider, service, _), nets in ranges.items():
            for net in nets:
                grouped.setdefault((provider, service, cidr.family(net)), []).append(net)
        return {k: cidr.address_count(v)[k[2]] for k, v in grouped.items()}

    before, after = totals(old), totals(new)
    return [
        f"{provider}/{service} {fam} {count} -> {after[(provider, service, fam)]} addresses "
        f"(+{100 * (after[(provider, service, fam)] - count) / count:.0f}%)"
        for (provider, service, fam), count in sorted(before.items())
        if count and after.get((provider, service, fam), 0) > count * (1 + config.max_growth)
    ]


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
                lines.append(
                    f"{docs.label(key)} {fam}: +{cidr.address_count(added)[fam]} "
                    f"-{cidr.address_count(removed)[fam]} addresses"
                )
    return lines


def run_sync(options: SyncOptions, session: requests.Session | None = None) -> SyncReport:
    names = options.names or tuple(FEEDS)
    unknown = sorted(set(names) - set(FEEDS)) + sorted(set(options.overrides) - set(FEEDS))
    if unknown:
        raise SyncError(f"unknown feed {unknown[0]!r}; feeds are {', '.join(FEEDS)}")
    report = SyncReport()
    _clean_stale(options.out)
    state = _load_state(options.out)
    session = session or fetching.new_session()
    approved = {k: v for k, v in state.approved.items() if k[0] not in {FEEDS[n].provider for n in names}}
    owners = {o: v for o, v in state.owners.items() if OWNER_FEED.get(o) not in names}
    sharing = {k: v for k, v in state.sharing.items() if k.split("/")[0] not in {FEEDS[n].provider for n in names}}
    provenance = dict(state.provenance)
    parsed_feeds: dict[str, Parsed] = {}
    for name in [n for n in FEEDS if n in names]:  # gcp before google: google's owner needs it
        parsed, entry = _fetch_feed(name, options, state.provenance.get(name, {}), report, session)
        _check_bounds(name, parsed, options.config)
        parsed_feeds[name] = parsed
        _check_approvals(name, parsed, options.config)
        selected = _select(parsed, options.config)
        approved.update(selected)
        owners.update(owners_of(name, parsed, owners))
        if len(selected) <= SHARING_LIMIT:
            sharing.update(docs.sharing_entries(parsed, sorted(selected)))
        else:
            report.warnings.append(
                f"{name}: {len(selected)} approved service/regions; the sharing report "
                f"(exclusive vs shared space) is computed for at most {SHARING_LIMIT}"
            )
        provenance[name] = entry
    # Keep only what bundle.yaml still approves; a newly approved service needs its feed.
    approved = {k: v for k, v in approved.items() if options.config.approved(*k)}
    sharing = {k: v for k, v in sharing.items() if tuple(k.split("/", 2)) in approved}
    for approval in options.config.approvals:
        feed = next(f for f in FEEDS.values() if f.provider == approval.provider)
        if not any(approval.matches(*k) for k in approved) and feed.name not in names:
            raise SyncError(
                f"bundle.yaml approves {approval.provider}/{approval.service} but no {feed.name} "
                f"data is on disk: run `mlfence sync {feed.name}`"
            )
    _check_overlaps(parsed_feeds, owners)
    report.changes = _describe_changes(state.approved, approved)
    report.approved_changed = _space(state.approved) != _space(approved)
    shrunk = _shrinks(state.approved, approved, options.config)
    if shrunk and not options.force:
        raise SyncError(
            f"approved space would shrink by more than {options.config.max_shrink:.0%}: "
            f"{'; '.join(shrunk)} (a broken feed? --force accepts it)"
        )
    if shrunk:
        report.warnings.append("accepted with --force: " + "; ".join(shrunk))
    grown = _grows(state.approved, approved, options.config)
    if grown and not options.force:
        raise SyncError(
            f"approved space would grow by more than {options.config.max_growth:.0%}: "
            f"{'; '.join(grown)} (a poisoned feed? --force accepts it)"
        )
    if grown:
        report.warnings.append("accepted with --force: " + "; ".join(grown))
    if options.check:
        return report
    payloads = {
        docs.APPROVED: docs.dumps(docs.approved_document(approved)),
        docs.APPROVED_INDEX: docs.dumps(
            cidr.build_index({docs.label(k): v for k, v in approved.items()}, reduce_min=True)
        ),
        docs.OWNER_INDEX: docs.dumps(docs.owner_index_document(owners)),
        docs.OWNER_RANGES: docs.dumps(docs.owner_ranges_document(owners)),
        docs.SHARING: docs.dumps(sharing),
        docs.PROVENANCE: docs.dumps({"provenance": provenance}),
    }
    _write_all(options.out, payloads, report)
    return report


def _write_all(out: Path, payloads: dict[str, bytes], report: SyncReport) -> None:
    """Build the whole new data set in a staging folder beside `out`, then switch it in at once.

    Files under `out` that sync does not write are carried over. A failure while staging (disk
    full, read-only folder) removes the staging folder and leaves `out` untouched. The switch is
    one atomic exchange of the two folders; where the file system cannot exchange, `out` is
    renamed aside and the new folder renamed in, and a crash between those two renames leaves no
    `out` but a complete retired copy, which the next run puts back before anything else.
    """
    changed = [
        rel for rel in sorted(payloads) if not ((out / rel).is_file() and (out / rel).read_bytes() == payloads[rel])
    ]
    if not changed:
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING.format(name=out.name), dir=out.parent))
    except OSError as exc:
        raise SyncError(f"{out}: cannot write the range data ({exc.strerror or exc}); nothing was changed") from exc
    try:
        if out.is_dir():
            for path in sorted(out.rglob("*")):
                rel = path.relative_to(out)
                if path.is_file() and str(rel) not in payloads:
                    (staging / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, staging / rel)  # not sync's: carried over as it is
        for name, payload in sorted(payloads.items()):
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(staging, 0o755)  # mkdtemp makes 0700; the data is public and read by other tools
        for folder in sorted({(staging / rel).parent for rel in payloads} | {staging}, reverse=True):
            _fsync_dir(folder)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise SyncError(f"{out}: cannot write the range data ({exc.strerror or exc}); nothing was changed") from exc
    _switch(staging, out)
    report.written.extend(changed)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# Test hook: called at each point where a crash must leave a consistent data set (the kill test
# in tests/sync/test_sync_atomic.py sets it to SIGKILL the process there).
def _crash_point(where: str) -> None:
    return None


_RENAME_EXCHANGE = 2
_exchange_supported = True


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not _exchange_supported or not hasattr(ctypes, "CDLL"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise SyncError(f"{b}: cannot switch in the new range data ({os.strerror(code)}); the old data is in place")


def _switch(staging: Path, out: Path) -> None:
    _crash_point("staged")
    if not out.exists():
        os.rename(staging, out)
        _fsync_dir(out.parent)
        return
    if _exchange(staging, out):
        _crash_point("exchanged")
        _fsync_dir(out.parent)
        shutil.rmtree(staging)  # now the previous data set
        return
    retired = staging.with_name(staging.name + ".old")
    os.rename(out, retired)
    _crash_point("between-renames")
    os.rename(staging, out)
    _fsync_dir(out.parent)
    shutil.rmtree(retired)


def _clean_stale(out: Path) -> None:
    """Undo what a crashed run left beside `out`: put a retired data set back when `out` is
    missing (a crash between the two renames of the fallback switch), then delete every staging
    or retired folder. Before this change, sync staged single files as .NAME.*.tmp inside `out`:
    those go too."""
    if not out.parent.is_dir():
        return
    prefix = STAGING.format(name=out.name)
    leftovers = sorted(p for p in out.parent.iterdir() if p.name.startswith(prefix) and p.is_dir())
    retired = [p for p in leftovers if p.name.endswith(".old")]
    if not out.exists() and retired:
        os.rename(retired[-1], out)
        leftovers.remove(retired[-1])
    for path in leftovers:
        shutil.rmtree(path, ignore_errors=True)
    if out.is_dir():
        for tmp in out.rglob(".*.tmp"):
            if tmp.is_file():
                tmp.unlink(missing_ok=True)


def parse_overrides(items: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """NAME=URL_OR_PATH, repeatable; several for one name replace all its sources (Cloudflare)."""
    out: dict[str, tuple[str, ...]] = {}
    for item in items:
        name, sep, source = item.partition("=")
        if not sep or not name or not source:
            raise SyncError(f"--feed {item!r}: expected NAME=URL_OR_PATH")
        out[name] = (*out.get(name, ()), source)
    return out
