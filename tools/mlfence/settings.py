"""One settings model: the layers a run is configured by, validated once, rendered per engine.

Layers, lowest first (a later layer's parameter replaces an earlier one's; exemptions add up):

1. the rule defaults, written once in Rego (policy/lib/mlfence/config*.rego), which also fill in
   any parameter no layer sets, in every engine;
2. the project's shipped data (data/mlfence/config, empty unless the project itself overrides a
   default) and the `exemptions:` of its bundle.yaml;
3. the repository's settings file, `.mlfence.yaml`, found from the scanned paths upward, or the
   file given with `--config`; range data synced for it (`mlfence sync` writes `.mlfence/data`
   beside it) is layered over the shipped range data;
4. `--data DIR`: its data documents are added to the shipped ones (a document at the same path
   replaces the shipped one), its `mlfence/config` parameters and exemptions join the settings;
5. `--exemptions FILE`.

Rendered as: one `data.mlfence.config` document for the CLI, conftest and the bundle (a staged
data tree, so two sources never meet as an OPA merge error), and Constraint parameters for
Gatekeeper (mlfence.parameters).
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import json
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlfence import cache, documents, toolchain
from mlfence import exemptions as exemption_rules
from mlfence.errors import MlfenceError
from mlfence.exemptions import Exemption, Limits

FILE_NAME = ".mlfence.yaml"
# Where `mlfence sync` writes range data for a settings file, relative to the file's folder.
SYNCED_DATA = Path(".mlfence") / "data"
CONFIG = Path("mlfence") / "config"
DATA_NAMES = ("data.json", "data.yaml")
MAX_SETTINGS_BYTES = 1024 * 1024
# Values a settings file may expand to, aliases followed: a few hundred bytes of nested aliases
# (a "billion laughs") would otherwise cost exponential time in every later walk.
MAX_SETTINGS_VALUES = 200_000
# Parameters that hold CIDRs: each entry must parse, so a typo is an error instead of a rule
# that silently matches nothing.
CIDR_PARAMETERS = ("internal_cidrs", "metadata_endpoints", "cluster_dns_cidrs", "control_plane_cidrs")
# Parameters mlfence fills in itself: range data from `mlfence sync`, exemptions from their section.
INTERNAL_PARAMETERS = {
    "approved_ranges": "approved_ranges (then `mlfence sync`)",
    "owner_ranges": "`mlfence sync`",
    "approved_index": "`mlfence sync`",
    "owner_index": "`mlfence sync`",
    "exemptions": "the exemptions section",
}


class SettingsError(MlfenceError, ValueError):
    """A settings layer is unreadable or invalid; the message names the file, line and key."""


# Where `mlfence sync` writes the published-range documents, relative to a data folder: under the
# bundle's `mlfence` root, not data.lib, because OPA's path conflict check copies data.lib once per
# lib rule on every bundle activation (bench/README.md).
RANGE_DATA = Path("mlfence") / "rangedata"
# Where it wrote them before. OPA would load documents left there as data.lib.mlfence.rangedata,
# which no rule reads any more: a run would silently classify without the user's ranges.
OLD_RANGE_DATA = Path("lib") / "mlfence" / "rangedata"


def _refuse_old_range_layout(layer: Path) -> None:
    old = layer / OLD_RANGE_DATA
    if old.is_dir():
        raise SettingsError(
            f"{old}: range data now lives in {layer / RANGE_DATA}; move the folder there "
            "(or run `mlfence sync` again) and delete the old one"
        )


Locate = Callable[[list[Any]], str]


def _plain_dates(value: Any) -> Any:
    """YAML 1.1 reads `expires: 2026-12-31` as a date: settings treat it as the string it was."""
    if isinstance(value, dict):
        return {k: _plain_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_dates(v) for v in value]
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def read_yaml(path: Path) -> tuple[Any, Locate]:
    """The document of a YAML (or JSON) file and a function from a key path to "file:line"."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > MAX_SETTINGS_BYTES:
        raise SettingsError(f"{path}: over {MAX_SETTINGS_BYTES} bytes; not a settings file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if _expanded_size(node) > MAX_SETTINGS_VALUES:
            raise SettingsError(f"{path}: expands to more than {MAX_SETTINGS_VALUES} values (nested YAML aliases)")
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SettingsError(f"{where}: not valid YAML: {problem}") from None
    except RecursionError:
        raise SettingsError(f"{path}: nested too deeply") from None

    def locate(keys: list[Any]) -> str:
        current, line = node, (node.start_mark.line + 1 if node is not None else 0)
        for key in keys:
            if isinstance(current, yaml.MappingNode):
                pair = next(((k, v) for k, v in current.value if getattr(k, "value", None) == str(key)), None)
                if pair is None:
                    break
                current, line = pair[1], pair[0].start_mark.line + 1  # the key's line
            elif isinstance(current, yaml.SequenceNode) and isinstance(key, int) and key < len(current.value):
                current = current.value[key]
                line = current.start_mark.line + 1
            else:
                break
        return f"{path}:{line}" if line else str(path)

    return _plain_dates(document), locate


def _expanded_size(root: yaml.Node | None) -> int:
    """How many values the document has once aliases are expanded, counted up to the limit."""
    count, stack = 0, [root] if root is not None else []
    while stack and count <= MAX_SETTINGS_VALUES:
        node = stack.pop()
        count += 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += (key, value)
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return count


def discover(paths: Iterable[str], cwd: Path | None = None) -> Path | None:
    """The `.mlfence.yaml` nearest above the scanned paths (stdin counts as the current folder).
    Paths governed by different files are an error: one run has one set of settings."""
    cwd = (cwd or Path.cwd()).resolve()
    found: dict[Path, str] = {}
    for raw in list(paths) or ["."]:
        start = cwd if raw == "-" else (cwd / raw).resolve()
        if not start.is_dir():
            start = start.parent
        for folder in (start, *start.parents):
            candidate = folder / FILE_NAME
            if candidate.is_file():
                found.setdefault(candidate, raw)
                break
    if len(found) > 1:
        (a, pa), (b, pb) = list(found.items())[:2]
        raise SettingsError(
            f"{pa} is governed by {a} but {pb} by {b}: scan them in separate runs, or pass one file with --config"
        )
    return next(iter(found), None)


@functools.cache
def parameter_defaults(policy: Path | None = None) -> dict[str, Any]:
    """The rule defaults, read from the Rego that defines them (never copied into Python).
    Evaluating them costs an OPA process (~0.25 s CPU) on every run: the answer is cached, keyed
    by the library's sources and the engine's version."""
    lib = (policy or toolchain.policy_dir()) / "lib"
    sources = sorted(p for p in lib.rglob("*.rego") if not p.name.endswith("_test.rego"))
    engine = toolchain.binary("opa")
    key = cache.sources_key(str(engine), toolchain.engine_version(engine), files=sources)
    value: dict[str, Any] = cache.json_value("parameter-defaults", key, lambda: _evaluate_defaults(lib))
    return value


def _evaluate_defaults(lib: Path) -> dict[str, Any]:
    proc = toolchain.run(
        "opa", "eval", "--format", "json", "-d", str(lib), "--ignore", "*_test.rego", "data.lib.mlfence.config.defaults"
    )
    try:
        return json.loads(proc.stdout)["result"][0]["expressions"][0]["value"]
    except (KeyError, IndexError, ValueError):
        raise SettingsError(f"cannot read the rule defaults from {lib}: {proc.stderr.strip()[:300]}") from None


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "null" if value is None else type(value).__name__


def check_parameters(values: dict[str, Any], where: str, locate: Locate, prefix: tuple[str, ...]) -> None:
    defaults = parameter_defaults()
    for key, value in values.items():
        at = locate([*prefix, key]) or where
        name = ".".join([*prefix, key]) if prefix else key
        if key in INTERNAL_PARAMETERS:
            raise SettingsError(f"{at}: {name}: not a parameter to set by hand; use {INTERNAL_PARAMETERS[key]}")
        if key not in defaults:
            raise SettingsError(f"{at}: {name}: no rule parameter of that name (known: {', '.join(sorted(defaults))})")
        want, have = _json_type(defaults[key]), _json_type(value)
        # Ports and similar lists may mix numbers and "low-high" strings: only the container type is fixed.
        if want != have and not (want == "a number" and have == "a number"):
            raise SettingsError(f"{at}: {name}: expected {want} (as its default), got {have}")
        if key in CIDR_PARAMETERS:
            for entry in value:
                try:
                    ipaddress.ip_network(str(entry), strict=False)
                except ValueError:
                    raise SettingsError(f"{at}: {name}: {entry!r} is not a CIDR") from None


def check_flows(flows: dict[str, Any], where: str, locate: Locate) -> None:
    """What the schema cannot say: component names are unique, and `allow` and `egress.via` name
    declared components (a typo would silently declare nothing)."""
    names: set[str] = set()
    for number, component in enumerate(flows.get("components") or []):
        if component["name"] in names:
            at = locate(["flows", "components", number, "name"]) or where
            raise SettingsError(f"{at}: flows.components[{number}].name: {component['name']!r} is declared twice")
        names.add(component["name"])
    references = [
        (["flows", "allow", i, key], entry[key])
        for i, entry in enumerate(flows.get("allow") or [])
        for key in ("from", "to")
    ]
    references += [
        (["flows", "components", i, "egress", "via"], c["egress"]["via"])
        for i, c in enumerate(flows.get("components") or [])
        if isinstance(c.get("egress"), dict) and "via" in c["egress"]
    ]
    for keys, name in references:
        if name not in names:
            dotted = ".".join(str(k) if isinstance(k, str) else f"[{k}]" for k in keys).replace(".[", "[")
            raise SettingsError(
                f"{locate(keys) or where}: {dotted}: no component named {name!r} "
                f"(declared: {', '.join(sorted(names)) or 'none'})"
            )


def _registry() -> Any:
    import referencing

    shared = exemption_rules.schema()
    return referencing.Registry().with_resource(shared["$id"], referencing.Resource.from_contents(shared))


def _schema_error(document: Any, schema: dict[str, Any], locate: Locate, where: str) -> None:
    import jsonschema  # imported when a settings file is checked: ~0.1 s of start-up otherwise

    validator = jsonschema.Draft202012Validator(schema, registry=_registry())
    errors = list(validator.iter_errors(document))
    if errors:
        # The deepest error names the most specific key; ties go to the first in document order.
        first = max(errors, key=lambda e: len(e.absolute_path))
        keys = list(first.absolute_path)
        name = ".".join(str(k) if isinstance(k, str) else f"[{k}]" for k in keys).replace(".[", "[") or "(top level)"
        raise SettingsError(f"{locate(keys) or where}: {name}: {first.message}")


@dataclass(frozen=True)
class ChartSettings:
    """One entry of helm.charts: how that chart is rendered."""

    path: Path
    release: str | None = None
    namespace: str | None = None
    values: tuple[Path, ...] = ()
    set_values: tuple[str, ...] = ()


def _charts(entries: list[dict[str, Any]], base: Path, locate: Locate) -> tuple[ChartSettings, ...]:
    out = []
    for number, entry in enumerate(entries):
        path = (base / entry["path"]).resolve()
        if not (path / "Chart.yaml").is_file():
            raise SettingsError(
                f"{locate(['helm', 'charts', number, 'path'])}: helm.charts[{number}].path: "
                f"{entry['path']} is not a Helm chart folder (no Chart.yaml under {path})"
            )
        values = tuple((base / v).resolve() for v in entry.get("values") or ())
        for index, value in enumerate(values):
            if not value.is_file():
                raise SettingsError(
                    f"{locate(['helm', 'charts', number, 'values', index])}: "
                    f"helm.charts[{number}].values[{index}]: no such file {value}"
                )
        out.append(
            ChartSettings(path, entry.get("release"), entry.get("namespace"), values, tuple(entry.get("set") or ()))
        )
    return tuple(out)


@dataclass(frozen=True)
class Settings:
    """Everything a run is configured by, after validation."""

    files: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)
    exemptions: tuple[Exemption, ...] = ()
    limits: Limits = field(default_factory=Limits)
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    flows: Any = None
    approved_ranges: tuple[dict[str, Any], ...] | None = None
    data_layers: tuple[Path, ...] = ()
    settings_file: Path | None = None
    # Folder (absolute) -> the namespace its namespace-less objects are deployed into.
    namespaces: dict[Path, str] = field(default_factory=dict)
    kustomize_render: bool | None = None  # kustomize.render; None: not set (render)
    charts: tuple[ChartSettings, ...] = ()  # helm.charts, paths resolved against the file's folder
    exclude: tuple[str, ...] = ()  # globs skipped while walking folders, as --exclude

    def namespace_for(self, path: str) -> str:
        """The namespace the settings file declares for a scanned file's folder ("" if none):
        the longest declared folder that holds the file wins."""
        if not self.namespaces:
            return ""
        resolved = Path(path).resolve()
        best: tuple[int, str] = (-1, "")
        for folder, namespace in self.namespaces.items():
            if resolved == folder or folder in resolved.parents:
                best = max(best, (len(folder.parts), namespace))
        return best[1]

    def rendering(
        self,
        values: Iterable[Path] = (),
        set_values: Iterable[str] = (),
        namespace: str | None = None,
        release: str | None = None,
        kustomize: bool | None = None,
    ) -> documents.Rendering:
        """How this run renders charts and kustomizations: the command line's options over these
        settings (a chart's own values and --set first, the command line's after them)."""
        charts = {c.path: documents.ChartOptions(c.values, c.set_values, c.namespace, c.release) for c in self.charts}
        render = kustomize if kustomize is not None else self.kustomize_render
        return documents.Rendering(
            values=tuple(values),
            set_values=tuple(set_values),
            namespace=namespace,
            release=release,
            charts=charts,
            kustomize=render is not False,
        )

    def rule_parameters(self) -> dict[str, Any]:
        """data.mlfence.config for the CLI, conftest and the bundle; Gatekeeper's parameters."""
        out = dict(self.parameters)
        if self.exemptions:
            out["exemptions"] = [e.as_parameter() for e in self.exemptions]
        if self.limits != Limits():
            out["exemption_limits"] = self.limits.as_parameter()
        rule_settings: dict[str, Any] = {}
        if self.enable:
            rule_settings["enable"] = list(self.enable)
        if self.disable:
            rule_settings["disable"] = list(self.disable)
        if self.severity:
            rule_settings["severity"] = dict(self.severity)
        if rule_settings:
            out["rule_settings"] = rule_settings
        if self.flows is not None:
            out["flows"] = self.flows
        return out

    def stage_data(self, dest: Path, base: Path | None = None) -> Path:
        """A data tree for OPA: the shipped data documents, each layer's over them, and the one
        rendered data.mlfence.config. Returns dest."""
        for layer in (base or toolchain.data_dir(), *self.data_layers):
            for source in data_documents(layer):
                relative = source.relative_to(layer)
                if relative.parent == CONFIG:
                    continue
                target = dest / relative.parent / "data.json"
                for stale in (dest / relative.parent / name for name in DATA_NAMES):
                    stale.unlink(missing_ok=True)
                target.parent.mkdir(parents=True, exist_ok=True)
                if source.suffix == ".json":
                    shutil.copyfile(source, target)
                else:
                    target.write_text(json.dumps(read_yaml(source)[0]))
        config = dest / CONFIG / "data.json"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(json.dumps(self.rule_parameters(), indent=2, sort_keys=True) + "\n")
        return dest


def data_documents(root: Path) -> list[Path]:
    """The data documents OPA would load from a data folder (schemas and provenance are not data)."""
    return sorted(p for p in root.rglob("*") if p.name in DATA_NAMES and "schemas" not in p.relative_to(root).parts)


class _Builder:
    def __init__(self, known_rules: Callable[[], frozenset[str]] | None) -> None:
        self.known_rules = known_rules
        self._known: frozenset[str] | None = None
        self.parameters: dict[str, Any] = {}
        self.raw_exemptions: list[tuple[Any, str, Locate, tuple[Any, ...]]] = []
        self.limits = Limits()
        self.enable: tuple[str, ...] = ()
        self.disable: tuple[str, ...] = ()
        self.severity: dict[str, str] = {}
        self.flows: Any = None
        self.approved: tuple[dict[str, Any], ...] | None = None
        self.files: list[str] = []
        self.layers: list[Path] = []
        self.namespaces: dict[Path, str] = {}
        self.kustomize_render: bool | None = None
        self.charts: tuple[ChartSettings, ...] = ()
        self.exclude: list[str] = []

    def known(self) -> frozenset[str] | None:
        if self._known is None and self.known_rules is not None:
            self._known = self.known_rules()
        return self._known

    def config_document(self, document: Any, where: str, locate: Locate) -> None:
        """A data/mlfence/config document: parameters, plus exemptions in the older format."""
        if document is None:
            return
        if not isinstance(document, dict):
            raise SettingsError(f"{locate([]) or where}: expected a mapping of parameter names to values")
        rest = {k: v for k, v in document.items() if k not in ("exemptions", "exemption_limits")}
        check_parameters(rest, where, locate, ())
        self.parameters.update(rest)
        if "exemption_limits" in document:
            self.settings_document({"exemption_limits": document["exemption_limits"]}, where, locate)
        if document.get("exemptions") is not None:
            self.raw_exemptions.append((document["exemptions"], where, locate, ("exemptions",)))

    def settings_document(self, document: Any, where: str, locate: Locate) -> None:
        if document is None:
            document = {}
        _schema_error(document, json.loads(toolchain.schema_path("settings").read_text()), locate, where)
        check_parameters(document.get("parameters") or {}, where, locate, ("parameters",))
        self.parameters.update(document.get("parameters") or {})
        if "exemption_limits" in document:
            limits = document["exemption_limits"] or {}
            self.limits = Limits(
                int(limits.get("max_days", exemption_rules.DEFAULT_MAX_DAYS)),
                bool(limits.get("allow_all_rules", False)),
            )
        rules = document.get("rules") or {}
        for key in ("enable", "disable"):
            for number, rule_id in enumerate(rules.get(key) or []):
                self._known_rule(rule_id, locate(["rules", key, number]) or where, f"rules.{key}[{number}]")
        for rule_id in rules.get("severity") or {}:
            self._known_rule(rule_id, locate(["rules", "severity", rule_id]) or where, f"rules.severity.{rule_id}")
        if "enable" in rules:
            self.enable = tuple(rules["enable"] or ())
        if "disable" in rules:
            self.disable = tuple(rules["disable"] or ())
        self.severity.update(rules.get("severity") or {})
        if "flows" in document:
            check_flows(document["flows"] or {}, where, locate)
            self.flows = document["flows"] or {}
        if "approved_ranges" in document:
            self.approved = tuple(document["approved_ranges"] or ())
        base = Path(where).resolve().parent
        for folder, namespace in (document.get("namespaces") or {}).items():
            self.namespaces[(base / folder).resolve()] = namespace
        if document.get("exemptions") is not None:
            self.raw_exemptions.append((document["exemptions"], where, locate, ("exemptions",)))
        if "render" in (document.get("kustomize") or {}):
            self.kustomize_render = bool(document["kustomize"]["render"])
        charts = (document.get("helm") or {}).get("charts")
        if charts:
            self.charts = _charts(charts, Path(where).resolve().parent, locate)
        self.exclude += [glob for glob in document.get("exclude") or () if glob not in self.exclude]

    def _known_rule(self, rule_id: str, at: str, name: str) -> None:
        known = self.known()
        if known is not None and rule_id not in known:
            raise SettingsError(f"{at}: {name}: no rule {rule_id} (see `mlfence rules`)")

    def exemption_list(self) -> tuple[Exemption, ...]:
        out: list[Exemption] = []
        needs_catalog = any(isinstance(i, list) and i for i, *_ in self.raw_exemptions)
        known = self.known() if needs_catalog else None
        for items, where, locate, path in self.raw_exemptions:
            try:
                out += exemption_rules.parse_list(items, where, self.limits, locate, known, path)
            except exemption_rules.ExemptionError as exc:
                raise SettingsError(str(exc)) from None
        # The same entry from two sources is one exemption (and never an OPA merge error).
        unique = {e.key(): e for e in reversed(out)}
        return tuple(sorted(unique.values(), key=lambda e: e.key()))


def load(
    config: Path | None = None,
    scanned: Iterable[str] = (),
    data: Path | None = None,
    exemptions_file: Path | None = None,
    known_rules: Callable[[], frozenset[str]] | None = None,
    cwd: Path | None = None,
    project_root: Path | None = None,
    discover_file: bool = True,
) -> Settings:
    """Read and validate every layer. `known_rules` (the catalog's IDs) is called only when a layer
    names a rule; None skips that check. `project_root` replaces the installation's own project
    files (a copy of the project, as the bundle tests build); without `discover_file` only an
    explicit `config` is read."""
    builder = _Builder(known_rules)
    root = project_root or toolchain.project_root()
    project = root / "data"
    for name in DATA_NAMES:
        path = project / CONFIG / name
        if path.is_file():
            document, locate = read_yaml(path)
            builder.config_document(document, str(path), locate)
            break
    bundle_yaml = root / "bundle.yaml"
    if bundle_yaml.is_file():
        document, locate = read_yaml(bundle_yaml)
        if isinstance(document, dict) and document.get("exemptions") is not None:
            builder.raw_exemptions.append((document["exemptions"], str(bundle_yaml), locate, ("exemptions",)))
    if config is not None and not config.is_file():
        raise SettingsError(f"settings file {config} does not exist")
    settings_file = config or (discover(scanned, cwd) if discover_file else None)
    if settings_file is not None:
        document, locate = read_yaml(settings_file)
        builder.settings_document(document, str(settings_file), locate)
        builder.files.append(str(settings_file))
        synced = settings_file.resolve().parent / SYNCED_DATA
        if synced.is_dir():
            _refuse_old_range_layout(synced)
            builder.layers.append(synced)
    if data is not None:
        if not data.is_dir():
            raise SettingsError(f"data folder {data} does not exist")
        _refuse_old_range_layout(data)
        builder.layers.append(data)
        for name in DATA_NAMES:
            path = data / CONFIG / name
            if path.is_file():
                document, locate = read_yaml(path)
                builder.config_document(document, str(path), locate)
                builder.files.append(str(path))
                break
    if exemptions_file is not None:
        if not exemptions_file.is_file():
            raise SettingsError(f"exemptions file {exemptions_file} does not exist")
        document, locate = read_yaml(exemptions_file)
        try:
            _schema_error(document, exemption_rules.schema(), locate, str(exemptions_file))
        except SettingsError as exc:
            raise SettingsError(f"invalid exemption: {exc}") from None
        builder.raw_exemptions.append((document["exemptions"], str(exemptions_file), locate, ("exemptions",)))
        builder.files.append(str(exemptions_file))
    return Settings(
        files=tuple(builder.files),
        parameters=builder.parameters,
        exemptions=builder.exemption_list(),
        limits=builder.limits,
        enable=builder.enable,
        disable=builder.disable,
        severity=builder.severity,
        flows=builder.flows,
        approved_ranges=builder.approved,
        data_layers=tuple(builder.layers),
        settings_file=settings_file,
        namespaces=builder.namespaces,
        kustomize_render=builder.kustomize_render,
        charts=builder.charts,
        exclude=tuple(builder.exclude),
    )
